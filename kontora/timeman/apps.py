from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimemanConfig(AppConfig):
    name = "kontora.timeman"
    label = "timeman"
    verbose_name = _("Working time and absences")

    def ready(self) -> None:
        from kontora.timeman import registration

        registration.register()
