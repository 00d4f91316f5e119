from kontora.analytics.views.sales import urlpatterns

__all__ = ["urlpatterns"]
