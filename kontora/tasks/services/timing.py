"""Time tracking: one running timer per person (the database enforces it), manual entries, elapsed totals."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.tasks.choices import TimeSource
from kontora.tasks.models import Task, TimeEntry
from kontora.tasks.services.rights import require_right, rights_for


def running_timer(user) -> TimeEntry | None:
    return TimeEntry.objects.filter(user=user, stopped_at__isnull=True).select_related("task").first()


def start_timer(task: Task, *, by) -> TimeEntry:
    """Start counting time on a task. A timer running on another task is stopped first (as Bitrix24 does);
    two starts racing each other cannot both leave a timer running."""
    require_right(by, task, "track_time")
    with transaction.atomic():
        current = running_timer(by)
        if current is not None and current.task_id == task.pk:
            return current
        if current is not None:
            _stop(current)
        try:
            with transaction.atomic():
                entry = TimeEntry.objects.create(task=task, user=by, source=TimeSource.TIMER)
        except IntegrityError:
            raise Invalid("TIMER_RUNNING", None, _("Your timer is already running on another task.")) from None
    events.emit("tasks.timer.started", task, by=by)
    return entry


def stop_timer(*, by, comment: str = "") -> TimeEntry | None:
    with transaction.atomic():
        entry = TimeEntry.objects.select_for_update().filter(user=by, stopped_at__isnull=True).first()
        if entry is None:
            return None
        entry.comment = comment[:1000]
        _stop(entry)
    events.emit("tasks.timer.stopped", entry.task, by=by, seconds=entry.seconds)
    return entry


def _stop(entry: TimeEntry) -> None:
    now = timezone.now()
    entry.seconds = max(0, int((now - entry.started_at).total_seconds()))
    entry.stopped_at = now
    entry.save(update_fields=["seconds", "stopped_at", "comment"])


def stop_timers_of(task: Task) -> None:
    """A task that closes or waits for control stops everyone's timer on it."""
    for entry in TimeEntry.objects.select_for_update().filter(task=task, stopped_at__isnull=True):
        _stop(entry)


@transaction.atomic
def add_time(task: Task, *, by, seconds: int, comment: str = "", started_at: datetime | None = None) -> TimeEntry:
    require_right(by, task, "track_time")
    seconds = _seconds(seconds)
    started = started_at or timezone.now()
    entry = TimeEntry.objects.create(
        task=task, user=by, seconds=seconds, comment=comment[:1000], source=TimeSource.MANUAL,
        started_at=started, stopped_at=started + timezone.timedelta(seconds=seconds),
    )  # fmt: skip
    events.emit("tasks.time.added", task, by=by, seconds=seconds)
    return entry


@transaction.atomic
def update_time(entry: TimeEntry, *, by, seconds: int | None = None, comment: str | None = None) -> TimeEntry:
    if entry.user_id != by.pk and not rights_for(by, entry.task).edit:
        raise Forbidden()
    if entry.running:
        raise Invalid("TIMER_RUNNING", "seconds", _("Stop the timer before editing this entry."))
    if seconds is not None:
        entry.seconds = _seconds(seconds)
    if comment is not None:
        entry.comment = comment[:1000]
    entry.save(update_fields=["seconds", "comment"])
    return entry


@transaction.atomic
def delete_time(entry: TimeEntry, *, by) -> None:
    if entry.user_id != by.pk and not rights_for(by, entry.task).edit:
        raise NotFound()
    entry.delete()


def _seconds(value) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise Invalid("NOT_A_NUMBER", "seconds", _("Time spent is a number of seconds.")) from None
    if seconds <= 0 or seconds > 7 * 24 * 3600:
        raise Invalid("OUT_OF_RANGE", "seconds", _("Time spent must be more than zero and at most a week."))
    return seconds


def elapsed(task: Task) -> int:
    """Seconds spent on the task by everyone, the running timers included."""
    done = TimeEntry.objects.filter(task=task, stopped_at__isnull=False).aggregate(total=Sum("seconds"))["total"]
    running = sum(entry.elapsed() for entry in TimeEntry.objects.filter(task=task, stopped_at__isnull=True))
    return (done or 0) + running
