from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestConfig(AppConfig):
    name = "kontora.rest"
    label = "rest"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from kontora.rest import methods  # noqa: F401  the methods of the API itself
        from kontora.rest.methods import events  # noqa: F401

        autodiscover_modules("rest")  # each app's rest.py registers its methods
        self._events_and_menu()

    def _events_and_menu(self) -> None:
        from django.conf import settings

        from kontora import events
        from kontora.core.registry import MenuEntry, registry
        from kontora.rest import delivery, jobs  # noqa: F401  jobs registers the durable deliveries
        from kontora.rest.models import Delivery

        Delivery.max_attempts = max(1, int(settings.KONTORA_REST_DELIVERY_ATTEMPTS))
        # Each event with a Bitrix24 name (declared by the domain apps, which start before this one); not "*", so
        # that events without one cost nothing.
        for name, declared in registry.items("event_types").items():
            if declared.bitrix_name:
                events.subscribe(name, delivery.on_event)
        registry.register(
            "menu", "rest",
            MenuEntry("rest", _("REST API and webhooks"), "rest:settings", "settings", order=895,
                      visible=lambda user: user.is_authenticated),
        )  # fmt: skip
