from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_noop

# Django's own words that its Russian catalogue leaves untranslated: named here so that makemessages copies them
# into Kontora's catalogue, which LOCALE_PATHS puts before Django's (the empty choice of every select).
DJANGO_UNTRANSLATED = (gettext_noop("- Select an option -"),)


class CoreConfig(AppConfig):
    name = "kontora.core"
    label = "core"
    verbose_name = "Kontora core"

    def ready(self) -> None:
        # Background work lives in each app's jobs.py; the worker must see every task and periodic task.
        from django.db.backends.signals import connection_created

        from kontora.core import textsearch

        connection_created.connect(textsearch.unicode_case_on_sqlite, dispatch_uid="kontora.unicode_case")
        textsearch.register_lookups()
        autodiscover_modules("jobs")
        from kontora.core import checks  # noqa: F401  registers system checks
