"""Gantt links between tasks and moving a task's bar with its dependents.

A task's bar on the Gantt is its span: the planned start and finish; a task with only a deadline spans from its
creation (or the deadline, if created later) to the deadline. Moving a bar sets the planned start and finish and,
as Bitrix24 does, moves the deadline with the bar by as much as the finish moved. Then each dependent whose link
no longer holds is pushed later, keeping its duration, and so on down the chain. Dependents are never pulled
earlier, and those the mover may not edit stay where they are (they are listed in the result's `blocked`).
"""

from collections import deque
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from kontora import events
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.events import history
from kontora.tasks.choices import DependencyType
from kontora.tasks.models import Dependency, Task
from kontora.tasks.services.rights import rights_for
from kontora.tasks.services.tasks import update_task

MAX_SHIFTS = 10_000  # a guard: the graph is acyclic, so a move touches each dependent a bounded number of times


class Moved(list):
    """The tasks a move changed, the dragged one first; `blocked` holds the dependents left alone."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[Task] = []


def span(task: Task) -> tuple[datetime, datetime] | None:
    """Where the task's bar is: (start, end), or None when it has neither plan dates nor a deadline."""
    start = task.start_date_plan
    end = task.end_date_plan or task.deadline
    if start is None and end is None:
        return None
    if start is None:
        start = min(task.created_at, end)
    if end is None or end < start:
        end = start
    return start, end


def _links(task: Task) -> list[list[int]]:
    return [
        [pk, kind] for pk, kind in task.dependencies.order_by("predecessor_id").values_list("predecessor_id", "type")
    ]


def _reaches(start: Task, goal: Task) -> bool:
    """Whether `goal` is `start` or one of its dependents, down any path (hidden tasks included)."""
    seen = {start.pk}
    queue = deque([start.pk])
    while queue:
        current = queue.popleft()
        if current == goal.pk:
            return True
        for successor in Dependency.objects.filter(predecessor_id=current).values_list("successor_id", flat=True):
            if successor not in seen:
                seen.add(successor)
                queue.append(successor)
    return False


@transaction.atomic
def add_dependency(predecessor: Task, successor: Task, *, by, type: int = DependencyType.FINISH_START) -> Dependency:
    """Make `successor` depend on `predecessor`; linking the same pair again changes the link's type."""
    if not rights_for(by, predecessor).read or not rights_for(by, successor).read:
        raise NotFound()
    if not rights_for(by, successor).edit:
        raise Forbidden(_("You may not change this task."))
    if type not in DependencyType.values:
        raise Invalid("UNKNOWN_LINK_TYPE", "type", _("Unknown link type."))
    if predecessor.pk == successor.pk:
        raise Invalid("SELF_LINK", "predecessor", _("A task cannot depend on itself."))
    if _reaches(successor, predecessor):
        raise Invalid("LINK_CYCLE", "predecessor", _("This link would make a loop of dependent tasks."))
    before = _links(successor)
    dependency, _created = Dependency.objects.update_or_create(
        predecessor=predecessor, successor=successor, defaults={"type": type}
    )
    after = _links(successor)
    if before != after:
        history.record(successor, by=by, action="update", changes={"dependencies": [before, after]})
        events.emit("tasks.dependency.changed", successor, by=by, predecessor=predecessor.pk, type=type)
    return dependency


@transaction.atomic
def remove_dependency(dependency: Dependency, *, by) -> None:
    successor = dependency.successor
    if not rights_for(by, successor).read or not rights_for(by, dependency.predecessor).read:
        raise NotFound()
    if not rights_for(by, successor).edit:
        raise Forbidden(_("You may not change this task."))
    before = _links(successor)
    predecessor_id = dependency.predecessor_id
    dependency.delete()
    history.record(successor, by=by, action="update", changes={"dependencies": [before, _links(successor)]})
    events.emit("tasks.dependency.changed", successor, by=by, predecessor=predecessor_id, removed=True)


def _place(task: Task, start: datetime, end: datetime, *, by) -> Task:
    """Put the bar at start..end; a deadline moves by as much as the finish did."""
    changes = {"start_date_plan": start, "end_date_plan": end}
    old = span(task)
    if task.deadline is not None and old is not None:
        changes["deadline"] = task.deadline + (end - old[1])
    return update_task(task, by=by, **changes)


def _needed(link_type: int, before: tuple[datetime, datetime], after: tuple[datetime, datetime]) -> timedelta:
    """How far `after` (the successor's span) must move later for the link from `before` to hold."""
    if link_type == DependencyType.FINISH_START:
        gap = before[1] - after[0]
    elif link_type == DependencyType.START_START:
        gap = before[0] - after[0]
    elif link_type == DependencyType.FINISH_FINISH:
        gap = before[1] - after[1]
    else:  # START_FINISH
        gap = before[0] - after[1]
    return max(gap, timedelta(0))


@transaction.atomic
def move_task(task: Task, *, by, start: datetime, end: datetime) -> list[Task]:
    """Drag a bar to start..end, then push the dependents that no longer fit (see the module's notes)."""
    rights = rights_for(by, task)
    if not rights.read:
        raise NotFound()
    if not rights.edit:
        raise Forbidden(_("You may not change this task."))
    if end < start:
        raise Invalid("PLAN_ORDER", "end_date_plan", _("The planned finish is before the planned start."))
    moved = Moved()
    moved.append(_place(task, start, end, by=by))
    current = {task.pk: moved[0]}
    queue = deque([task.pk])
    blocked: dict[int, Task] = {}
    shifts = 0
    while queue and shifts < MAX_SHIFTS:
        shifts += 1
        for successor in Task.objects.filter(dependencies__predecessor_id=queue.popleft()).distinct():
            successor = current.get(successor.pk, successor)
            place = span(successor)
            if place is None or successor.pk in blocked:
                continue
            delta = timedelta(0)
            for link in Dependency.objects.filter(successor=successor).select_related("predecessor"):
                predecessor = current.get(link.predecessor_id, link.predecessor)
                if (before := span(predecessor)) is not None:
                    delta = max(delta, _needed(link.type, before, place))
            if not delta:
                continue
            if not rights_for(by, successor).edit:
                blocked[successor.pk] = successor
                continue
            current[successor.pk] = _place(successor, place[0] + delta, place[1] + delta, by=by)
            if all(item.pk != successor.pk for item in moved):
                moved.append(current[successor.pk])
            queue.append(successor.pk)
    moved[:] = [current[item.pk] for item in moved]
    moved.blocked = list(blocked.values())
    return moved
