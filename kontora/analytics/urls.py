from django.urls import include, path

app_name = "analytics"
urlpatterns = [
    path("", include("kontora.analytics.sales_urls")),
    path("", include("kontora.analytics.builder_urls")),
]
