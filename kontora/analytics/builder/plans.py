"""Plan/fact: who may set plans, and the figures achieved against them over the records the viewer may see.

Facts over a period [start, end) of local dates, counted for the responsible person (a department's fact is the sum
over its people and sub-departments):
- revenue / deals won: deals now in a won stage that got there in the period (`Deal.moved_at`), amount / count;
- calls / meetings: activities of that type completed in the period;
- new leads: leads created in the period.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import Department, User
from kontora.accounts.selectors import is_administrator
from kontora.analytics.models import Metric, PeriodKind, Plan
from kontora.crm import selectors as crm_selectors
from kontora.crm.choices import ActivityType, Semantics
from kontora.crm.models import Activity, Lead


@dataclass(frozen=True)
class Period:
    kind: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


def period(kind: str, day: date | None = None) -> Period:
    """The month or quarter containing `day` (today by default)."""
    day = day or timezone.localdate()
    if kind == PeriodKind.QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
        return Period(
            kind, date(day.year, first_month, 1), date(day.year, last_month, monthrange(day.year, last_month)[1])
        )
    return Period(PeriodKind.MONTH, day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1]))


def managed_departments(user: User) -> set[int]:
    """Departments whose plans the user may set: all for administrators, a head's departments and their subtree."""
    tree = access.DepartmentTree.load()
    if is_administrator(user):
        return set(tree.parent)
    return tree.subtree(tree.headed_by(user.pk)) if user.is_authenticated else set()


def may_set(user: User, *, person: User | None = None, department: Department | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_administrator(user):
        return True
    managed = managed_departments(user)
    if department is not None:
        return department.pk in managed
    return person is not None and person.department_id in managed


def settable_people(user: User) -> QuerySet[User]:
    if is_administrator(user):
        return User.objects.filter(is_active=True).order_by("last_name", "first_name")
    return User.objects.filter(is_active=True, department_id__in=managed_departments(user)).order_by(
        "last_name", "first_name")  # fmt: skip


def settable_departments(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=managed_departments(user)).order_by("sort", "name")


def plans(viewer: User, current: Period) -> QuerySet[Plan]:
    """Plans of the period the viewer may look at: everyone's for administrators; else their own, their
    departments' and their departments' people (a head: the whole subtree)."""
    queryset = Plan.objects.filter(period_kind=current.kind, period_start=current.first)
    if not is_administrator(viewer):
        departments = access.context_for(viewer).department_tree
        queryset = queryset.filter(
            Q(user=viewer) | Q(department_id__in=departments) | Q(user__department_id__in=departments)
        )
    return queryset.select_related("user", "department")


def facts(viewer: User, metric: str, current: Period, people: set[int]) -> dict[int, Decimal]:
    """The metric per responsible person over the records the viewer may see."""
    if not people:
        return {}
    start, end = current.start, current.end
    if metric in (Metric.REVENUE, Metric.DEALS_WON):
        queryset = crm_selectors.visible_deals(viewer).filter(
            stage__semantics=Semantics.SUCCESS, moved_at__gte=start, moved_at__lt=end)  # fmt: skip
        figure = Sum("amount") if metric == Metric.REVENUE else Count("pk")
    elif metric in (Metric.CALLS, Metric.MEETINGS):
        kind = ActivityType.CALL if metric == Metric.CALLS else ActivityType.MEETING
        queryset = access.visible(viewer, Activity).filter(
            in_bin=False, type_id=kind, completed=True, completed_at__gte=start, completed_at__lt=end)  # fmt: skip
        figure = Count("pk")
    else:
        queryset = access.visible(viewer, Lead).filter(created_at__gte=start, created_at__lt=end)
        figure = Count("pk")
    rows = queryset.filter(responsible_id__in=people).values("responsible_id").annotate(value=figure).order_by()
    return {row["responsible_id"]: Decimal(row["value"] or 0) for row in rows}


@dataclass
class Line:
    plan: Plan
    fact: Decimal
    rank: int = 0

    @property
    def name(self) -> str:
        return self.plan.user.full_name if self.plan.user_id else self.plan.department.name

    @property
    def percent(self) -> int | None:
        if not self.plan.target:
            return None
        return int(self.fact * 100 / self.plan.target)

    @property
    def bar(self) -> int:
        return min(self.percent or 0, 100)


def plan_fact(viewer: User, current: Period) -> dict[str, list[Line]]:
    """Per metric, the plans with their facts: departments first, then people ranked by share of plan achieved."""
    found = list(plans(viewer, current))
    tree = access.DepartmentTree.load()
    members: dict[int, set[int]] = {}
    for plan in found:
        if plan.department_id:
            subtree = tree.subtree([plan.department_id])
            members[plan.pk] = set(User.objects.filter(department_id__in=subtree).values_list("pk", flat=True))
        else:
            members[plan.pk] = {plan.user_id}
    result: dict[str, list[Line]] = {}
    for metric in Metric.values:
        chosen = [plan for plan in found if plan.metric == metric]
        if not chosen:
            continue
        by_person = facts(viewer, metric, current, set().union(*(members[plan.pk] for plan in chosen)))
        lines = [Line(plan, sum((by_person.get(pk, Decimal(0)) for pk in members[plan.pk]), Decimal(0)))
                 for plan in chosen]  # fmt: skip
        people = sorted((line for line in lines if line.plan.user_id),
                        key=lambda line: (-(line.percent or 0), -line.fact, line.name))  # fmt: skip
        for position, line in enumerate(people, start=1):
            line.rank = position
        departments = sorted((line for line in lines if line.plan.department_id), key=lambda line: line.name)
        result[metric] = departments + people
    return result
