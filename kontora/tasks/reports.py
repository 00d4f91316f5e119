"""Task reports: per responsible and per department, over a period, computed only over the tasks the viewer may see.

The figures, for each person answering for the tasks (the responsible):
- completed on time / late: tasks completed in the period (status "completed", closed in the period); on time when
  closed no later than the deadline, or when there was no deadline;
- overdue now: open tasks (not waiting for control) whose deadline has passed;
- time spent: every time entry on the person's tasks (anyone's) started in the period, running timers up to now;
- estimated: the time estimates of the person's tasks that had time entered in the period or were completed in it,
  each task counted once.
Departments are the responsible's department.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts import access
from kontora.accounts.models import Department, Level, User
from kontora.tasks import selectors
from kontora.tasks.choices import OPEN_STATUSES, Status
from kontora.tasks.models import Task, TimeEntry

PRESETS = (
    ("this_month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("this_quarter", gettext_lazy("This quarter")),
)
SORTS = ("name", "on_time", "late", "completed", "rate", "overdue", "spent", "estimate")


@dataclass(frozen=True)
class Period:
    """Local dates, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The moment after the period (exclusive)."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


def preset_period(preset: str, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if preset == "this_quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
        return Period(
            today.replace(month=first_month, day=1),
            today.replace(month=last_month, day=monthrange(today.year, last_month)[1]),
        )
    return Period(today.replace(day=1), today.replace(day=monthrange(today.year, today.month)[1]))


@dataclass
class Figures:
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    spent: int = 0  # seconds
    estimate: int = 0  # seconds

    @property
    def completed(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> int | None:
        """Per cent of the completed tasks completed on time; None when nothing was completed."""
        return round(100 * self.on_time / self.completed) if self.completed else None

    @property
    def late_share(self) -> int:
        return 100 - self.rate if self.rate is not None else 0

    @property
    def spent_display(self) -> str:
        return duration(self.spent)

    @property
    def estimate_display(self) -> str:
        return duration(self.estimate)

    def add(self, other: "Figures") -> None:
        for name in ("on_time", "late", "overdue", "spent", "estimate"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def key(self, sort: str):
        value = getattr(self, sort)
        return -1 if value is None else value


@dataclass
class PersonRow(Figures):
    person: User | None = None

    @property
    def name(self) -> str:
        return self.person.full_name if self.person else ""


@dataclass
class DepartmentRow(Figures):
    department: Department | None = None
    people: list[PersonRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.department.name if self.department else _("No department")


@dataclass
class Report:
    period: Period
    departments: list[DepartmentRow]
    total: Figures

    @property
    def people(self) -> list[PersonRow]:
        return [row for department in self.departments for row in department.people]


def can_export(user) -> bool:
    ctx = access.context_for(user)
    return ctx.level(access.entity_for(Task), "export") != Level.NONE


def report(
    user, period: Period, *, sort: str = "name", descending: bool = False, action: str = "read",
    now: datetime | None = None,
) -> Report:  # fmt: skip
    """The report over the tasks `user` may `action` (read for the page, export for the files)."""
    now = now or timezone.now()
    tasks = selectors.visible_tasks(user, action)
    rows: dict[int, PersonRow] = {}

    def row(user_id: int) -> PersonRow:
        return rows.setdefault(user_id, PersonRow())

    completed = _completed(tasks, period)
    for item in completed.values("responsible_id").annotate(
        on_time=Count("pk", filter=Q(deadline__isnull=True) | Q(closed_at__lte=F("deadline"))),
        late=Count("pk", filter=Q(closed_at__gt=F("deadline"))),
    ).order_by():  # fmt: skip
        row(item["responsible_id"]).on_time = item["on_time"]
        rows[item["responsible_id"]].late = item["late"]
    overdue = tasks.filter(status__in=OPEN_STATUSES, deadline__lt=now)
    for item in overdue.values("responsible_id").annotate(count=Count("pk")).order_by():
        row(item["responsible_id"]).overdue = item["count"]
    entries = TimeEntry.objects.filter(task__in=tasks.values("pk"), started_at__gte=period.start,
                                       started_at__lt=period.end)  # fmt: skip
    for item in entries.filter(stopped_at__isnull=False).values("task__responsible_id").annotate(
        seconds=Sum("seconds")
    ).order_by():  # fmt: skip
        row(item["task__responsible_id"]).spent += item["seconds"] or 0
    for responsible_id, seconds, started_at in entries.filter(stopped_at__isnull=True).values_list(
        "task__responsible_id", "seconds", "started_at"
    ):  # fmt: skip
        row(responsible_id).spent += seconds + max(0, int((now - started_at).total_seconds()))
    estimated = tasks.filter(Q(pk__in=entries.values("task_id")) | Q(pk__in=completed.values("pk")))
    for item in estimated.values("responsible_id").annotate(estimate=Sum("time_estimate")).order_by():
        if item["estimate"]:
            row(item["responsible_id"]).estimate = item["estimate"]
    return _assemble(period, rows, sort if sort in SORTS else "name", descending)


def _completed(tasks: QuerySet[Task], period: Period) -> QuerySet[Task]:
    return tasks.filter(status=Status.COMPLETED, closed_at__gte=period.start, closed_at__lt=period.end)


def _assemble(period: Period, rows: dict[int, PersonRow], sort: str, descending: bool) -> Report:
    people = User.objects.filter(pk__in=list(rows)).select_related("department")
    departments: dict[int | None, DepartmentRow] = {}
    total = Figures()
    for person in people:
        person_row = rows[person.pk]
        person_row.person = person
        department = departments.setdefault(person.department_id, DepartmentRow(department=person.department))
        department.people.append(person_row)
        department.add(person_row)
        total.add(person_row)

    def order(items: list) -> list:
        if sort == "name":
            return sorted(items, key=lambda item: item.name.lower(), reverse=descending)
        return sorted(items, key=lambda item: (item.key(sort), item.name.lower()), reverse=descending)

    result = order(list(departments.values()))
    for department in result:
        department.people = order(department.people)
    return Report(period, result, total)


def duration(seconds: int) -> str:
    """3 h 05 min; under an hour, 12 min."""
    hours, minutes = divmod(int(seconds) // 60, 60)
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def table(result: Report) -> tuple[list[str], list[list]]:
    """The report as rows for the files: each person, each department's subtotal after its people, the total."""
    header = [
        _("Department"), _("Responsible"), _("Completed on time"), _("Completed late"), _("Completed"),
        _("On time, %"), _("Overdue now"), _("Time spent, h"), _("Estimated, h"),
    ]  # fmt: skip

    def values(figures: Figures) -> list:
        return [
            figures.on_time, figures.late, figures.completed, figures.rate, figures.overdue,
            round(figures.spent / 3600, 2), round(figures.estimate / 3600, 2),
        ]  # fmt: skip

    rows = []
    for department in result.departments:
        rows.extend([department.name, person.name, *values(person)] for person in department.people)
        rows.append([department.name, _("Department total"), *values(department)])
    rows.append([_("Total"), "", *values(result.total)])
    return header, rows
