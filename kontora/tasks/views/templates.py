"""templates pages."""

urlpatterns: list = []
