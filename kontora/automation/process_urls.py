from django.urls import include, path

urlpatterns = [
    path("", include("kontora.automation.processes.designer_urls")),
    path("", include("kontora.automation.processes.inbox_urls")),
]
