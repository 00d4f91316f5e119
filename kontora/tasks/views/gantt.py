"""gantt pages."""

urlpatterns: list = []
