"""The status machine: start, pause, complete (→ awaiting control when the task requires it), approve or
return, defer, renew, decline. Each move is checked against the person's rights on the task."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.core.errors import Forbidden, NotFound
from kontora.events import history
from kontora.tasks.choices import Status
from kontora.tasks.models import Task
from kontora.tasks.services.rights import rights_for
from kontora.tasks.services.tasks import locked

# action → (right needed, status it leads to)
MOVES = {
    "start": ("start", Status.IN_PROGRESS),
    "pause": ("pause", Status.PENDING),
    "complete": ("complete", Status.COMPLETED),
    "approve": ("approve", Status.COMPLETED),
    "disapprove": ("disapprove", Status.IN_PROGRESS),
    "defer": ("defer", Status.DEFERRED),
    "renew": ("renew", Status.PENDING),
    "decline": ("decline", Status.DECLINED),
}


@transaction.atomic
def change_status(task: Task, action: str, *, by) -> Task:
    """Apply one move of the status machine. Completing a task that requires control, by anyone but its
    creator, sends it to "awaiting control"; the creator then approves it or returns it to work."""
    if action not in MOVES:
        raise NotFound()
    task = locked(task)
    rights = rights_for(by, task)
    if not rights.read:
        raise NotFound()
    right, target = MOVES[action]
    if not getattr(rights, right):
        raise Forbidden(_("This task cannot be moved this way now."))
    if action == "complete" and task.requires_control and by.pk != task.created_by_id:
        target = Status.AWAITING_CONTROL
    old = task.status
    now = timezone.now()
    task.status = target
    task.status_changed_at = now
    if target == Status.IN_PROGRESS and task.date_start is None:
        task.date_start = now
    if target in (Status.COMPLETED, Status.DECLINED):
        task.closed_at, task.closed_by = now, by
    elif target != Status.AWAITING_CONTROL:
        task.closed_at, task.closed_by = None, None
    task.save()
    if target in (Status.COMPLETED, Status.AWAITING_CONTROL, Status.DEFERRED, Status.DECLINED):
        from kontora.tasks.services.timing import stop_timers_of

        stop_timers_of(task)
    history.record(task, by=by, action=action, changes={"status": [old, target]})
    events.emit("tasks.task.status_changed", task, by=by, action=action, old=old, new=target)
    events.emit("tasks.task.updated", task, by=by, changes={"status": [old, target]})
    if target == Status.COMPLETED:
        events.emit("tasks.task.completed", task, by=by)
    return task


def start_task(task: Task, *, by) -> Task:
    return change_status(task, "start", by=by)


def complete_task(task: Task, *, by) -> Task:
    return change_status(task, "complete", by=by)


def approve_task(task: Task, *, by) -> Task:
    return change_status(task, "approve", by=by)


def return_task(task: Task, *, by) -> Task:
    return change_status(task, "disapprove", by=by)
