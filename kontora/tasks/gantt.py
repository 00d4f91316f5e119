"""Reads behind the Gantt chart: the bars of the tasks a user sees, the links between them, and the dates of a
dragged bar. Every read starts from the gate (`selectors.visible_tasks`)."""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import formats, timezone

from kontora.tasks import selectors
from kontora.tasks.choices import DependencyType, Status
from kontora.tasks.models import Dependency, Project, Task
from kontora.tasks.services.dependencies import span
from kontora.tasks.services.rights import rights_for

ROLES = ("all", "doing", "set_by_me", "department")
LIMIT = 300  # bars on one chart
SHORT = {
    DependencyType.FINISH_START: "FS",
    DependencyType.START_START: "SS",
    DependencyType.FINISH_FINISH: "FF",
    DependencyType.START_FINISH: "SF",
}
DAY_START = time(9, 0)
DAY_END = time(18, 0)


def role_of(value: str | None) -> str:
    return value if value in ROLES else "all"


def project_of(user, value: str | None) -> Project | None:
    if not (value or "").isdigit():
        return None
    return selectors.visible_projects(user).filter(pk=int(value)).first()


def chart_tasks(user, role: str = "all", project: Project | None = None) -> QuerySet[Task]:
    """The visible tasks with a place on the chart (plan dates or a deadline), of a role tab or of a project."""
    tasks = selectors.visible_tasks(user)
    tasks = tasks.filter(project=project) if project is not None else tasks.filter(selectors.role_filter(user, role))
    dated = Q(start_date_plan__isnull=False) | Q(end_date_plan__isnull=False) | Q(deadline__isnull=False)
    return tasks.filter(dated).select_related("responsible").order_by("start_date_plan", "deadline", "id")[:LIMIT]


def _day(value: datetime) -> str:
    return timezone.localtime(value).date().isoformat()


def _shown(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def bar(user, task: Task, predecessors: list[int] = ()) -> dict:
    """One bar as frappe-gantt takes it, with what the page's popup and toolbar need besides."""
    start, end = span(task)
    closed = task.status in (Status.COMPLETED, Status.DECLINED)
    editable = rights_for(user, task).edit
    state = "done" if closed else "late" if task.is_overdue else "open"
    return {
        "id": str(task.pk),
        "name": task.title,
        "start": _day(start),
        "end": _day(end),
        "progress": 100 if task.status == Status.COMPLETED else 0,
        "dependencies": ",".join(str(pk) for pk in predecessors),
        "custom_class": f"gantt-{state}" + ("" if editable else "-ro"),
        "editable": editable,
        "url": f"/tasks/{task.pk}/",
        "responsible": task.responsible.full_name,
        "status": str(Status(task.status).label),
        "starts": _shown(start),
        "ends": _shown(end),
        "deadline": _shown(task.deadline) if task.deadline else "",
    }


def links_between(tasks: list[Task]) -> list[Dependency]:
    ids = [task.pk for task in tasks]
    return list(
        Dependency.objects.filter(predecessor_id__in=ids, successor_id__in=ids)
        .select_related("predecessor", "successor")
        .order_by("successor_id", "predecessor_id")
    )


def link(dependency: Dependency, editable: bool) -> dict:
    return {
        "id": dependency.pk,
        "predecessor": str(dependency.predecessor_id),
        "successor": str(dependency.successor_id),
        "predecessor_title": dependency.predecessor.title,
        "successor_title": dependency.successor.title,
        "type": dependency.type,
        "short": SHORT[dependency.type],
        "label": str(DependencyType(dependency.type).label),
        "removable": editable,
    }


def chart(user, role: str = "all", project: Project | None = None) -> dict:
    """The whole chart: bars and the links among them (links to tasks off the chart are left out)."""
    tasks = list(chart_tasks(user, role, project))
    dependencies = links_between(tasks)
    predecessors: dict[int, list[int]] = {}
    for dependency in dependencies:
        predecessors.setdefault(dependency.successor_id, []).append(dependency.predecessor_id)
    bars = [bar(user, task, predecessors.get(task.pk, [])) for task in tasks]
    editable = {int(item["id"]) for item in bars if item["editable"]}
    return {"tasks": bars, "links": [link(item, item.successor_id in editable) for item in dependencies]}


def moved_bars(user, tasks: list[Task]) -> list[dict]:
    """The bars of moved tasks, for the page to redraw (their links are unchanged, so left out)."""
    return [bar(user, task) for task in tasks]


def visible_dependency(user, pk: int) -> Dependency | None:
    """A link both of whose tasks the user sees."""
    visible = selectors.visible_tasks(user).values("pk")
    return (
        Dependency.objects.filter(pk=pk, predecessor__in=visible, successor__in=visible)
        .select_related("predecessor", "successor")
        .first()
    )


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def bar_dates(task: Task, start_day: date, end_day: date) -> tuple[datetime, datetime]:
    """A bar dropped on whole days: the task keeps its times of day (09:00–18:00 for a task without dates)."""
    place = span(task)
    start_time, end_time = (
        (timezone.localtime(place[0]).time(), timezone.localtime(place[1]).time()) if place else (DAY_START, DAY_END)
    )
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(start_day, start_time), zone)
    end = timezone.make_aware(datetime.combine(end_day, end_time), zone)
    return start, max(start, end)
