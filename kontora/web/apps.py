from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kontora.web"
    label = "web"
