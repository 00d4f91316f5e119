"""Reminders: at a time, or some time before the deadline (moved with it); in-app and optionally by email."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora.core import durable
from kontora.core.errors import Invalid, NotFound
from kontora.core.models import WorkStatus
from kontora.tasks.models import Reminder, Task
from kontora.tasks.services.rights import require_right


@transaction.atomic
def add_reminder(
    task: Task, *, by, at: datetime | None = None, before_deadline: int | None = None, by_email: bool = False
) -> Reminder:
    """Remind `by` of the task at `at`, or `before_deadline` seconds before its deadline."""
    require_right(by, task, "read")
    if (at is None) == (before_deadline is None):
        raise Invalid("REMINDER_WHEN", "at", _("Choose a time, or how long before the deadline."))
    if before_deadline is not None:
        if task.deadline is None:
            raise Invalid("NO_DEADLINE", "before_deadline", _("The task has no deadline to count from."))
        at = task.deadline - timedelta(seconds=int(before_deadline))
    if at <= timezone.now():
        raise Invalid("IN_THE_PAST", "at", _("This time has already passed."))
    reminder = Reminder.objects.create(
        task=task, user=by, due_at=at, before_deadline=before_deadline, by_email=by_email
    )
    _schedule(reminder)
    return reminder


def _schedule(reminder: Reminder) -> None:
    from kontora.tasks.jobs import send_reminder

    transaction.on_commit(lambda: durable.schedule(reminder, send_reminder))


@transaction.atomic
def remove_reminder(reminder: Reminder, *, by) -> None:
    if reminder.user_id != by.pk:
        raise NotFound()
    reminder.delete()


def follow_deadline(task: Task) -> None:
    """Reminders counted from the deadline move with it (and fire again if they already had)."""
    for reminder in Reminder.objects.filter(task=task, before_deadline__isnull=False):
        if task.deadline is None:
            reminder.delete()
            continue
        due = task.deadline - timedelta(seconds=reminder.before_deadline)
        if due <= timezone.now():
            continue
        Reminder.objects.filter(pk=reminder.pk).update(due_at=due, status=WorkStatus.PENDING, attempts=0)
        reminder.due_at = due
        _schedule(reminder)


def my_reminders(user, task: Task):
    return Reminder.objects.filter(task=task, user=user, status=WorkStatus.PENDING)
