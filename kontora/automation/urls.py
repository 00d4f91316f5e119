from django.urls import include, path

app_name = "automation"
urlpatterns = [
    path("", include("kontora.automation.robot_urls")),
    path("processes/", include("kontora.automation.process_urls")),
]
