"""lists pages."""

urlpatterns: list = []
