from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "kontora.crm"
    label = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from kontora.crm import registration

        registration.register()
