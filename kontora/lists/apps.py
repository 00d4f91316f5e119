from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "kontora.lists"
    label = "lists"
    verbose_name = _("Universal lists")

    def ready(self) -> None:
        from kontora.lists import registration

        registration.register()
