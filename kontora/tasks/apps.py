from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "kontora.tasks"
    label = "tasks"
    verbose_name = _("Tasks and projects")

    def ready(self) -> None:
        from kontora.tasks import registration

        registration.register()
