"""CRM lists pages."""

urlpatterns: list = []
