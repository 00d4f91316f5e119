"""Reads behind the task list, the deadline kanban, "My plan", the calendar and the team's counters.

Each read starts from the gate or from the person's own tasks (`selectors.tasks_for`), as the list tabs do.
Day and week boundaries are the reader's: the request's active time zone.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts import access
from kontora.accounts.models import Level, User
from kontora.core.errors import Invalid
from kontora.tasks import selectors
from kontora.tasks.choices import CLOSED_STATUSES, OPEN_STATUSES, Priority, Status
from kontora.tasks.models import PlanColumn, PlanPlacement, Project, Task, TaskFilter

PAGE_SIZE = 50
CALENDAR_LIMIT = 1000
BOARD_LIMIT = 300  # cards per deadline column
DUE_HOUR = time(19, 0)

PRESETS = {
    "in_progress": gettext_lazy("In progress"),
    "awaiting_control": gettext_lazy("Awaiting control"),
    "overdue": gettext_lazy("Overdue"),
    "completed": gettext_lazy("Completed"),
    "deferred": gettext_lazy("Deferred"),
    "high_priority": gettext_lazy("High priority"),
}
COUNTER_LABELS = {
    "new": gettext_lazy("Not opened yet"),
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due within 24 hours"),
    "no_deadline": gettext_lazy("No deadline"),
    "unread_comments": gettext_lazy("Unread comments"),
    "awaiting_control": gettext_lazy("Awaiting my control"),
}
ROLE_LABELS = {
    "doing": gettext_lazy("Doing"),
    "assisting": gettext_lazy("Assisting"),
    "set_by_me": gettext_lazy("Set by me"),
    "following": gettext_lazy("Following"),
    "department": gettext_lazy("All my department's"),
}


# ---- the list ---------------------------------------------------------------------------------------------


def _preset(name: str) -> Q:
    if name == "in_progress":
        return Q(status=Status.IN_PROGRESS)
    if name == "awaiting_control":
        return Q(status=Status.AWAITING_CONTROL)
    if name == "overdue":
        return Q(status__in=selectors.LATE_STATUSES, deadline__lt=timezone.now())
    if name == "completed":
        return Q(status=Status.COMPLETED)
    if name == "deferred":
        return Q(status=Status.DEFERRED)
    if name == "high_priority":
        return Q(priority=Priority.HIGH)
    return Q()


def local_start(day: date) -> datetime:
    """Midnight of a day in the reader's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _tag(tag: str) -> Q:
    """Tags are a JSON list: match the quoted value as either back end writes it (escaped or not)."""
    return Q(tags__icontains=json.dumps(tag)) | Q(tags__icontains=json.dumps(tag, ensure_ascii=False))


def _criteria(criteria: Mapping[str, Any]) -> Q:
    """The filter form's cleaned values: status, responsible, creator, project, tag, deadline from/to, title text."""
    condition = Q()
    if criteria.get("status") not in (None, ""):
        condition &= Q(status=int(criteria["status"]))
    if criteria.get("responsible"):
        condition &= Q(responsible_id=getattr(criteria["responsible"], "pk", criteria["responsible"]))
    if criteria.get("creator"):
        condition &= Q(created_by_id=getattr(criteria["creator"], "pk", criteria["creator"]))
    if criteria.get("project"):
        condition &= Q(project_id=getattr(criteria["project"], "pk", criteria["project"]))
    if criteria.get("tag"):
        condition &= _tag(criteria["tag"].strip())
    if criteria.get("deadline_from"):
        condition &= Q(deadline__gte=local_start(criteria["deadline_from"]))
    if criteria.get("deadline_to"):
        condition &= Q(deadline__lt=local_start(criteria["deadline_to"] + timedelta(days=1)))
    for word in (criteria.get("q") or "").split():
        condition &= Q(title__icontains=word)
    return condition


def counter_rows(user, counter: str, person: User | None = None) -> QuerySet[Task]:
    """The tasks behind one counter: the reader's own, or (for a head) one of his people's that he may see."""
    if counter not in selectors.COUNTERS:
        return Task.objects.none()
    if person is None or person.pk == user.pk:
        return selectors.counter_querysets(user.pk)[counter]
    if not selectors.team(user).filter(pk=person.pk).exists():
        return Task.objects.none()
    rows = selectors.counter_querysets(person.pk)[counter]
    return rows.filter(pk__in=selectors.visible_tasks(user).values("pk"))


def list_rows(
    user, *, role: str = "doing", counter: str = "", person: User | None = None, preset: str = "",
    criteria: Mapping[str, Any] | None = None,
) -> QuerySet[Task]:  # fmt: skip
    """The list: a tab (or a counter, which names its tasks exactly), narrowed by a preset and the filter form."""
    if counter:
        rows = counter_rows(user, counter, person)
    else:
        rows = selectors.tasks_for(user, role if role in selectors.ROLES else "doing")
    rows = rows.filter(_preset(preset), _criteria(criteria or {}))
    return selectors.with_list_columns(rows).order_by("-id")


def exportable(user, rows: QuerySet[Task]) -> QuerySet[Task]:
    """The list's rows the reader may export."""
    return rows.filter(pk__in=selectors.visible_tasks(user, "export").values("pk"))


def can_export(user) -> bool:
    return access.context_for(user).level(access.entity_for(Task), "export") != Level.NONE


def people() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name")


def projects(user) -> QuerySet[Project]:
    return selectors.visible_projects(user).order_by("name")


def saved_filters(user) -> QuerySet[TaskFilter]:
    return TaskFilter.objects.filter(owner=user)


def saved_filter(user, pk: int) -> TaskFilter | None:
    return saved_filters(user).filter(pk=pk).first()


# ---- the deadline kanban -----------------------------------------------------------------------------------

DEADLINE_COLUMNS = {
    "overdue": gettext_lazy("Overdue"),
    "today": gettext_lazy("Today"),
    "this_week": gettext_lazy("This week"),
    "next_week": gettext_lazy("Next week"),
    "later": gettext_lazy("Later"),
    "no_deadline": gettext_lazy("No deadline"),
}


@dataclass(frozen=True)
class Bounds:
    """Where the deadline columns meet, in the reader's time zone."""

    now: datetime
    today: date

    @property
    def tomorrow(self) -> datetime:
        return local_start(self.today + timedelta(days=1))

    @property
    def monday(self) -> date:
        return self.today - timedelta(days=self.today.weekday())

    @property
    def next_week(self) -> datetime:
        return local_start(self.monday + timedelta(days=7))

    @property
    def week_after(self) -> datetime:
        return local_start(self.monday + timedelta(days=14))


def bounds(now: datetime | None = None) -> Bounds:
    now = now or timezone.now()
    return Bounds(now=now, today=timezone.localtime(now).date())


def column_of(deadline: datetime | None, edges: Bounds) -> str:
    if deadline is None:
        return "no_deadline"
    if deadline < edges.now:
        return "overdue"
    if deadline < edges.tomorrow:
        return "today"
    if deadline < edges.next_week:
        return "this_week"
    if deadline < edges.week_after:
        return "next_week"
    return "later"


def _at_due_hour(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, DUE_HOUR), timezone.get_current_timezone())


def deadline_for(column: str, edges: Bounds) -> datetime | None:
    """The deadline a card dropped into a column gets: today 19:00, this Friday, next Friday, Friday in two
    weeks (19:00 local), or none. A card cannot be made overdue."""
    if column == "no_deadline":
        return None
    if column == "today":
        due = _at_due_hour(edges.today)
        return due if due > edges.now else edges.tomorrow - timedelta(minutes=1)
    if column == "this_week":
        for day in (edges.monday + timedelta(days=4), edges.monday + timedelta(days=6)):  # Friday, else Sunday
            if _at_due_hour(day) >= edges.tomorrow:
                return _at_due_hour(day)
        raise Invalid("WEEK_OVER", "deadline", _("This week has no days left after today."))
    if column == "next_week":
        return _at_due_hour(edges.monday + timedelta(days=11))
    if column == "later":
        return _at_due_hour(edges.monday + timedelta(days=18))
    if column == "overdue":
        raise Invalid("OVERDUE", "deadline", _("A task cannot be made overdue."))
    raise Invalid("UNKNOWN_COLUMN", "column", _("There is no such column."))


def doing_tasks(user) -> QuerySet[Task]:
    """The reader's open tasks as responsible or co-executor."""
    mine = selectors.tasks_for(user, "doing") | selectors.tasks_for(user, "assisting")
    return mine.filter(status__in=OPEN_STATUSES)


def deadline_board(user) -> list[dict[str, Any]]:
    edges = bounds()
    columns = {key: {"key": key, "label": label, "tasks": [], "count": 0} for key, label in DEADLINE_COLUMNS.items()}
    for task in selectors.with_list_columns(doing_tasks(user)).order_by("deadline", "-id"):
        column = columns[column_of(task.deadline, edges)]
        column["count"] += 1
        if len(column["tasks"]) < BOARD_LIMIT:
            column["tasks"].append(task)
    return list(columns.values())


def doing_task(user, pk: int) -> Task | None:
    return doing_tasks(user).filter(pk=pk).first()


# ---- My plan ----------------------------------------------------------------------------------------------


def plan_tasks(user) -> QuerySet[Task]:
    """What goes on the reader's plan: tasks they do or assist with, not yet closed."""
    mine = selectors.tasks_for(user, "doing") | selectors.tasks_for(user, "assisting")
    return mine.exclude(status__in=CLOSED_STATUSES)


def plan_columns(user) -> QuerySet[PlanColumn]:
    return PlanColumn.objects.filter(user=user)


def plan_column(user, pk: int) -> PlanColumn | None:
    return plan_columns(user).filter(pk=pk).first()


def plan_task(user, pk: int) -> Task | None:
    return plan_tasks(user).filter(pk=pk).first()


def plan_board(user, columns: list[PlanColumn]) -> list[dict[str, Any]]:
    """Columns with their placed tasks in order; tasks not placed yet go to the end of the first column."""
    if not columns:
        return []
    placed = {
        row.task_id: row for row in PlanPlacement.objects.filter(user=user, column__in=columns).order_by("sort", "id")
    }
    board = {column.pk: {"column": column, "tasks": []} for column in columns}
    loose = []
    for task in selectors.with_list_columns(plan_tasks(user)).order_by("deadline", "-id"):
        placement = placed.get(task.pk)
        if placement is None:
            loose.append(task)
        else:
            board[placement.column_id]["tasks"].append((placement.sort, task))
    result = []
    for entry in board.values():
        tasks = [task for _sort, task in sorted(entry["tasks"], key=lambda pair: pair[0])]
        result.append({"column": entry["column"], "tasks": tasks})
    result[0]["tasks"].extend(loose)
    return result


# ---- the calendar -----------------------------------------------------------------------------------------


def calendar_tasks(user, start: datetime, end: datetime) -> list[Task]:
    """The reader's visible tasks with a deadline, or planned dates, within [start, end)."""
    due = Q(deadline__gte=start, deadline__lt=end)
    planned = Q(deadline__isnull=True, start_date_plan__lt=end, end_date_plan__gte=start)
    rows = selectors.visible_tasks(user).filter(due | planned).select_related("responsible")
    return list(rows.order_by("deadline", "start_date_plan", "id")[:CALENDAR_LIMIT])


# ---- the team's counters ----------------------------------------------------------------------------------


def team_counters(user) -> list[dict[str, Any]]:
    return [{"person": person, "counters": selectors.counters(person.pk)} for person in selectors.team(user)]
