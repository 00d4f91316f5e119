from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "kontora.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from kontora.events import jobs  # noqa: F401  registers durable work with the sweeper
