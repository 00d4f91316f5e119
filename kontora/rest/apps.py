from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestConfig(AppConfig):
    name = "kontora.rest"
    label = "rest"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from kontora.rest import methods  # noqa: F401  the methods of the API itself

        autodiscover_modules("rest")  # each app's rest.py registers its methods
