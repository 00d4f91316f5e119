"""Background work of tasks: reminders (durable), recurring templates (periodic, each occurrence once)."""

from django.tasks import task
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kontora.core import durable
from kontora.events.notifications import notify, render_for
from kontora.tasks.models import Reminder
from kontora.tasks.services.templates import run_due_templates


@task
def send_reminder(pk: int) -> bool:
    return durable.perform(Reminder, pk, _remind)


def _remind(reminder: Reminder) -> None:
    task_ = reminder.task
    if task_.deleted_at is not None or task_.is_closed:
        return
    user = reminder.user
    notify(
        user, render_for(user, lambda: _("Reminder: %(title)s") % {"title": task_.title}),
        link=f"/tasks/{task_.pk}/", email=reminder.by_email,
    )  # fmt: skip


durable.register(Reminder, send_reminder)


@db_periodic_task(crontab(minute="*"), name="kontora.tasks.recurring")
def run_recurring_templates() -> int:
    """Set the tasks of recurring templates that are due (each run once, whichever worker gets it)."""
    return run_due_templates()
