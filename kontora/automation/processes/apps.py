from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "kontora.automation.processes"
    label = "processes"
    verbose_name = _("Business processes")

    def ready(self) -> None:
        from kontora.automation.processes import registration

        registration.register()
