"""CRM cards pages."""

urlpatterns: list = []
