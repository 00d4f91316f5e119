"""card pages."""

urlpatterns: list = []
