"""Manager activity over a period: what each person did, per person, department and day, week or month.

Per person (the responsible of the activity, task or deal; for stage moves, who moved the deal):
- calls, emails, meetings, activities done: CRM activities completed in the period (done = any type);
- overdue: activities open now whose deadline has passed (whatever the period);
- tasks completed: tasks completed in the period;
- deals created: deals created in the period; moved forward: stage moves in the period to a later in-progress or
  won stage; won, lost, sum won: deals whose current stage is won or lost, moved there in the period.
Only activities, tasks and deals the viewer may see are counted; departments are the person's department.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import Department, User
from kontora.analytics.selectors.scope import Scope, deals, people_ids
from kontora.crm.choices import ActivityType, EntityType, Semantics
from kontora.crm.models import Activity, StageHistory
from kontora.tasks.choices import Status as TaskStatus
from kontora.tasks.selectors import visible_tasks

FIGURES = ("calls", "emails", "meetings", "done", "overdue", "tasks", "created", "moved", "won", "lost", "won_amount")
GRAINS = ("day", "week", "month")
SERIES = ("calls", "emails", "meetings", "tasks", "won")  # the chart's figures per day, week or month


@dataclass
class Figures:
    calls: int = 0
    emails: int = 0
    meetings: int = 0
    done: int = 0
    overdue: int = 0
    tasks: int = 0
    created: int = 0
    moved: int = 0
    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal(0)

    def add(self, other: "Figures") -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


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
        return self.department.name if self.department else "—"


@dataclass
class Report:
    scope: Scope
    departments: list[DepartmentRow]
    total: Figures
    series: dict  # {"labels": [...], figure: [...]} per day, week or month


def _activities(viewer: User, scope: Scope, action: str) -> QuerySet[Activity]:
    queryset = access.visible(viewer, Activity, action).filter(in_bin=False)
    people = people_ids(scope)
    return queryset if people is None else queryset.filter(responsible_id__in=people)


def _tasks(viewer: User, scope: Scope, action: str):
    queryset = visible_tasks(viewer, action).filter(
        status=TaskStatus.COMPLETED, closed_at__gte=scope.period.start, closed_at__lt=scope.period.end
    )
    people = people_ids(scope)
    return queryset if people is None else queryset.filter(responsible_id__in=people)


def moves_forward(viewer: User, scope: Scope, action: str = "read") -> QuerySet[StageHistory]:
    """Stage moves in the period to a later in-progress or won stage, of deals the viewer may see."""
    queryset = StageHistory.objects.filter(
        entity_type=EntityType.DEAL,
        moved_at__gte=scope.period.start,
        moved_at__lt=scope.period.end,
        from_stage__isnull=False,
        to_stage__semantics__in=(Semantics.PROCESS, Semantics.SUCCESS),
        to_stage__sort__gt=F("from_stage__sort"),
        entity_id__in=deals(viewer, scope, action).values("pk"),
    )
    people = people_ids(scope)
    return queryset if people is None else queryset.filter(moved_by_id__in=people)


def _closed(viewer: User, scope: Scope, action: str):
    return deals(viewer, scope, action).filter(moved_at__gte=scope.period.start, moved_at__lt=scope.period.end)


def report(
    viewer: User, scope: Scope, grain: str = "day", sort: str = "name", descending: bool = False, action: str = "read"
) -> Report:
    """The table per person and department, and the chart's series per day, week or month, from the same queries."""
    rows: dict[int, PersonRow] = {}
    slots: dict = {}
    kind = grain if grain in GRAINS else "day"

    def trunc(name: str) -> Trunc:  # the local date its bucket starts on, as a date: no conversion per row in Python
        return Trunc(name, kind, output_field=DateField(), tzinfo=timezone.get_current_timezone())

    def row(pk: int) -> PersonRow:
        return rows.setdefault(pk, PersonRow())

    def slot(bucket: date) -> dict:
        return slots.setdefault(bucket, dict.fromkeys(SERIES, 0))

    period = scope.period
    done = _activities(viewer, scope, action).filter(
        completed=True, completed_at__gte=period.start, completed_at__lt=period.end
    )
    for item in done.annotate(bucket=trunc("completed_at")).values("responsible_id", "bucket").annotate(
        calls=Count("pk", filter=Q(type_id=ActivityType.CALL)),
        emails=Count("pk", filter=Q(type_id=ActivityType.EMAIL)),
        meetings=Count("pk", filter=Q(type_id=ActivityType.MEETING)),
        done=Count("pk"),
    ).order_by():  # fmt: skip
        target, day = row(item["responsible_id"]), slot(item["bucket"])
        for name in ("calls", "emails", "meetings", "done"):
            setattr(target, name, getattr(target, name) + item[name])
            if name in day:
                day[name] += item[name]
    overdue = _activities(viewer, scope, action).filter(completed=False, deadline__lt=timezone.now())
    for item in overdue.values("responsible_id").annotate(n=Count("pk")).order_by():
        row(item["responsible_id"]).overdue = item["n"]
    tasks = _tasks(viewer, scope, action).annotate(bucket=trunc("closed_at"))
    for item in tasks.values("responsible_id", "bucket").annotate(n=Count("pk")).order_by():
        row(item["responsible_id"]).tasks += item["n"]
        slot(item["bucket"])["tasks"] += item["n"]
    created = deals(viewer, scope, action).filter(created_at__gte=period.start, created_at__lt=period.end)
    for item in created.values("responsible_id").annotate(n=Count("pk")).order_by():
        row(item["responsible_id"]).created = item["n"]
    for item in moves_forward(viewer, scope, action).values("moved_by_id").annotate(n=Count("pk")).order_by():
        if item["moved_by_id"] is not None:
            row(item["moved_by_id"]).moved = item["n"]
    closed = _closed(viewer, scope, action).annotate(bucket=trunc("moved_at"))
    for item in closed.values("responsible_id", "bucket").annotate(
        won=Count("pk", filter=Q(stage__semantics=Semantics.SUCCESS)),
        lost=Count("pk", filter=Q(stage__semantics=Semantics.FAILURE)),
        won_amount=Sum("amount", filter=Q(stage__semantics=Semantics.SUCCESS)),
    ).order_by():  # fmt: skip
        if item["won"] or item["lost"]:
            target = row(item["responsible_id"])
            target.won += item["won"]
            target.lost += item["lost"]
            target.won_amount += item["won_amount"] or Decimal(0)
            if item["won"]:
                slot(item["bucket"])["won"] += item["won"]
    departments, total = _assemble(rows, sort, descending)
    labels = sorted(slots)
    series = {"labels": [label.isoformat() for label in labels]}
    for name in SERIES:
        series[name] = [slots[label][name] for label in labels]
    return Report(scope, departments, total, series)


def _assemble(rows: dict[int, PersonRow], sort: str, descending: bool) -> tuple[list[DepartmentRow], Figures]:
    departments: dict[int | None, DepartmentRow] = {}
    total = Figures()
    for person in User.objects.filter(pk__in=list(rows)).select_related("department"):
        person_row = rows[person.pk]
        person_row.person = person
        department = departments.setdefault(person.department_id, DepartmentRow(department=person.department))
        department.people.append(person_row)
        department.add(person_row)
        total.add(person_row)

    def order(items: list) -> list:
        if sort not in FIGURES:
            return sorted(items, key=lambda item: item.name.lower(), reverse=descending)
        return sorted(items, key=lambda item: (getattr(item, sort), item.name.lower()), reverse=descending)

    result = order(list(departments.values()))
    for department in result:
        department.people = order(department.people)
    return result, total
