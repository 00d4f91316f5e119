"""CRM pipelines pages."""

urlpatterns: list = []
