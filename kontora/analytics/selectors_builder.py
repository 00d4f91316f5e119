"""Reads for saved reports, dashboards and customer satisfaction; every figure starts from the gate."""

from datetime import datetime

from django.db.models import Avg, Count, Q, QuerySet

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.accounts.selectors import departments, is_administrator
from kontora.analytics.models import ChannelSpend, Dashboard, Plan, RatingRequest, Report
from kontora.crm import selectors as crm_selectors


def _shared_with(user: User) -> Q:
    """Owned by the user, shared with them, or with their department or one above it."""
    departments = access.DepartmentTree.load().ancestors(user.department_id) if user.department_id else []
    return Q(owner=user) | Q(shared_users=user) | Q(shared_departments__in=departments)


def reports(user: User) -> QuerySet[Report]:
    """Reports the user may open: their own and those shared with them; administrators see every report."""
    if not user.is_authenticated or not user.is_active:
        return Report.objects.none()
    queryset = Report.objects.all() if is_administrator(user) else Report.objects.filter(
        pk__in=Report.objects.filter(_shared_with(user)).values("pk"))  # fmt: skip
    return queryset.select_related("owner")


def dashboards(user: User) -> QuerySet[Dashboard]:
    if not user.is_authenticated or not user.is_active:
        return Dashboard.objects.none()
    queryset = Dashboard.objects.all() if is_administrator(user) else Dashboard.objects.filter(
        pk__in=Dashboard.objects.filter(_shared_with(user)).values("pk"))  # fmt: skip
    return queryset.select_related("owner")


def report_for(user: User, pk: int) -> Report | None:
    """A report the user may open, directly or through a dashboard shared with them; None otherwise."""
    found = reports(user).filter(pk=pk).first()
    if found is None:
        found = Report.objects.filter(pk=pk, widgets__dashboard__in=dashboards(user)).first()
    return found


def may_change(user: User, obj: Report | Dashboard) -> bool:
    return user.is_authenticated and (obj.owner_id == user.pk or is_administrator(user))


def widgets(dashboard: Dashboard) -> list:
    return list(dashboard.widgets.select_related("report").order_by("position", "id"))


def satisfaction(viewer: User, start: datetime, end: datetime, users=None, action: str = "read") -> dict:
    """Customer ratings given in [start, end) for won deals the viewer may see.

    {"average": float|None, "count": n, "requests": asked, "people": {user_id: {"average", "count"}}}; `users`
    narrows it to those responsible people (ids or User objects); `action` "export" for downloads.
    """
    deals = crm_selectors.visible_deals(viewer, action).values("pk")
    base = RatingRequest.objects.filter(deal__in=deals)
    if users is not None:
        base = base.filter(responsible__in=[getattr(item, "pk", item) for item in users])
    rated = base.filter(rating__isnull=False, rated_at__gte=start, rated_at__lt=end)
    total = rated.aggregate(average=Avg("rating"), count=Count("pk"))
    people = {
        row["responsible_id"]: {"average": _float(row["average"]), "count": row["count"]}
        for row in rated.values("responsible_id").annotate(average=Avg("rating"), count=Count("pk"))
    }
    requests = base.filter(created_at__gte=start, created_at__lt=end).count()
    return {"average": _float(total["average"]), "count": total["count"], "requests": requests, "people": people}


def _float(value) -> float | None:
    return None if value is None else float(value)


def shareable_people(user: User) -> QuerySet[User]:
    return access.visible(user, User).filter(is_active=True).order_by("last_name", "first_name")


def shareable_departments() -> QuerySet:
    """Departments are company structure, open to everyone signed in."""
    return departments()


def dashboard_for(user: User, pk: int) -> Dashboard | None:
    return dashboards(user).filter(pk=pk).first()


def plan_for(pk: int) -> Plan | None:
    """A plan by id; whether the user may change it is `plans.may_set`'s answer."""
    return Plan.objects.select_related("user", "department").filter(pk=pk).first()


def spend_rows(limit: int = 100) -> QuerySet[ChannelSpend]:
    return ChannelSpend.objects.select_related("entered_by")[:limit]


def spend_for(pk: int) -> ChannelSpend | None:
    return ChannelSpend.objects.filter(pk=pk).first()
