from django.urls import path

from kontora.web.consumers import PushConsumer

websocket_urlpatterns = [path("ws/", PushConsumer.as_asgi())]
