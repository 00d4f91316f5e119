"""The filters every sales report shares: a period, a pipeline, a person or a department, a source.

A department means its people and the people of every sub-department. Deals always come from
`crm.selectors.visible_deals`, so a report counts only what the viewer's role lets them see.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import Department, User
from kontora.crm.models import Category, Deal, Status
from kontora.crm.selectors import visible_deals


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

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        days = (self.last - self.first).days + 1
        return Period(self.first - timedelta(days=days), self.first - timedelta(days=1))


def month_period(today: date | None = None, shift: int = 0) -> Period:
    """A calendar month: the current one, or `shift` months away (-1: the last one)."""
    today = today or timezone.localdate()
    month = today.month - 1 + shift
    year, month = today.year + month // 12, month % 12 + 1
    return Period(date(year, month, 1), date(year, month, monthrange(year, month)[1]))


@dataclass(frozen=True)
class Scope:
    """What a report is about; empty fields mean "any"."""

    period: Period
    category: Category | None = None
    person: User | None = None
    department: Department | None = None
    source: Status | None = None

    def with_period(self, period: Period) -> "Scope":
        return Scope(period, self.category, self.person, self.department, self.source)


def department_people(department: Department) -> list[int]:
    """Ids of the people in a department and its sub-departments."""
    departments = access.DepartmentTree.load().subtree([department.pk])
    return list(User.objects.filter(department_id__in=departments).values_list("pk", flat=True))


def people_ids(scope: Scope) -> list[int] | None:
    """The responsible people the scope narrows to, or None for everyone."""
    if scope.person is not None:
        return [scope.person.pk]
    if scope.department is not None:
        return department_people(scope.department)
    return None


def deals(viewer: User, scope: Scope, action: str = "read") -> QuerySet[Deal]:
    """Deals the viewer may see, in the scope's pipeline, of its people and source (any creation date)."""
    queryset = visible_deals(viewer, action, scope.category)
    people = people_ids(scope)
    if people is not None:
        queryset = queryset.filter(responsible_id__in=people)
    if scope.source is not None:
        queryset = queryset.filter(source=scope.source)
    return queryset


def created_in_period(viewer: User, scope: Scope, action: str = "read") -> QuerySet[Deal]:
    return deals(viewer, scope, action).filter(created_at__gte=scope.period.start, created_at__lt=scope.period.end)


def deal_filter(scope: Scope, created: bool = True) -> dict:
    """The scope as a Bitrix24 filter for the CRM deal list: clicking a figure shows exactly its deals."""
    result: dict = {}
    if scope.category is not None:
        result["CATEGORY_ID"] = scope.category.pk
    if created:
        result[">=DATE_CREATE"] = scope.period.first.isoformat()
        result["<=DATE_CREATE"] = scope.period.last.isoformat()
    people = people_ids(scope)
    if people is not None:
        result["@ASSIGNED_BY_ID"] = people
    if scope.source is not None:
        result["SOURCE_ID"] = scope.source.status_id
    return result
