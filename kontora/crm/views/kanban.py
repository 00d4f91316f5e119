"""CRM kanban pages."""

urlpatterns: list = []
