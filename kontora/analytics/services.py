"""Analytics writes: plans, saved reports and dashboards, channel spend (form and CSV), customer ratings."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts.models import Department, User
from kontora.accounts.selectors import is_administrator
from kontora.analytics.builder import engine, plans
from kontora.analytics.builder.jobs import send_rating_request
from kontora.analytics.models import (
    ChannelKind,
    ChannelSpend,
    Dashboard,
    Metric,
    PeriodKind,
    Plan,
    RatingRequest,
    Report,
    WallScreen,
    Widget,
)
from kontora.analytics.selectors_builder import may_change, report_for
from kontora.core import durable
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.core.models import WorkStatus
from kontora.crm.choices import EntityType, MultiFieldType
from kontora.crm.models import Deal, MultiField
from kontora.events import history

RATING_SALT = "kontora.analytics.rating"
RATING_MAX_AGE = 60 * 60 * 24 * 90  # a rating link works for 90 days


# Plans


@transaction.atomic
def set_plan(
    *,
    by: User,
    metric: str,
    kind: str,
    day: date,
    target: Decimal,
    user: User | None = None,
    department: Department | None = None,
) -> Plan:
    """Set (or change) the target of a person or a department for the month or quarter containing `day`."""
    if (user is None) == (department is None):
        raise Invalid("SUBJECT", "user", _("Choose a person or a department."))
    if metric not in Metric.values:
        raise Invalid("METRIC", "metric", _("Unknown metric."))
    if kind not in PeriodKind.values:
        raise Invalid("PERIOD", "period_kind", _("Plans are set per month or per quarter."))
    if target is None or target < 0:
        raise Invalid("TARGET", "target", _("The target cannot be negative."))
    if not plans.may_set(by, person=user, department=department):
        raise Forbidden()
    period = plans.period(kind, day)
    plan, created = Plan.objects.get_or_create(
        metric=metric, period_kind=kind, period_start=period.first, user=user, department=department,
        defaults={"target": target, "set_by": by},
    )  # fmt: skip
    old = None if created else plan.target
    if not created and plan.target != target:
        plan.target, plan.set_by = target, by
        plan.save(update_fields=["target", "set_by", "updated_at"])
    if created or old != target:
        changes = {"target": [str(old) if old is not None else None, str(target)]}
        history.record(plan, by=by, action="create" if created else "update", changes=changes)
        events.emit("analytics.plan.set", plan, by=by, changes=changes)
    return plan


@transaction.atomic
def delete_plan(plan: Plan, *, by: User) -> None:
    if not plans.may_set(by, person=plan.user, department=plan.department):
        raise Forbidden()
    history.record(plan, by=by, action="delete")
    plan.delete()


def note_wall_open(user: User) -> None:
    """The person's plan/fact wall is open now (presence like a last login: no history, no event)."""
    WallScreen.objects.update_or_create(user=user, defaults={"seen_at": timezone.now()})


# Reports and dashboards


def _definition(entity: str, definition: engine.Definition | dict) -> engine.Definition:
    if isinstance(definition, dict):
        definition = engine.Definition.from_dict(entity, definition)
    definition.entity = entity
    engine.validate(definition)
    return definition


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("REQUIRED", "name", _("Give it a name."))
    return name[:200]


@transaction.atomic
def save_report(
    report: Report | None, *, by: User, name: str, entity: str, definition: engine.Definition | dict
) -> Report:
    """Create a report, or change one the user owns (administrators may change any)."""
    checked = _definition(entity, definition)
    if report is None:
        report = Report(owner=by)
    elif not may_change(by, report):
        raise Forbidden()
    report.name, report.entity, report.definition = _name(name), entity, checked.to_dict()
    report.save()
    return report


@transaction.atomic
def delete_report(report: Report, *, by: User) -> None:
    if not may_change(by, report):
        raise Forbidden()
    report.delete()


@transaction.atomic
def share(obj: Report | Dashboard, *, by: User, users: Iterable[User] = (), departments: Iterable[Department] = ()):
    """Replace who else may open a report or a dashboard. Readers see its figures over their own records only."""
    if not may_change(by, obj):
        raise Forbidden()
    obj.shared_users.set([user for user in users if user.pk != obj.owner_id])
    obj.shared_departments.set(list(departments))
    return obj


@transaction.atomic
def save_dashboard(dashboard: Dashboard | None, *, by: User, name: str) -> Dashboard:
    if dashboard is None:
        dashboard = Dashboard(owner=by)
    elif not may_change(by, dashboard):
        raise Forbidden()
    dashboard.name = _name(name)
    dashboard.save()
    return dashboard


@transaction.atomic
def delete_dashboard(dashboard: Dashboard, *, by: User) -> None:
    if not may_change(by, dashboard):
        raise Forbidden()
    dashboard.delete()


@transaction.atomic
def add_widget(dashboard: Dashboard, report: Report, *, by: User, wide: bool = False) -> Widget:
    """Place a report the user may open at the end of a dashboard they may change."""
    if not may_change(by, dashboard):
        raise Forbidden()
    if report_for(by, report.pk) is None:
        raise NotFound()
    last = dashboard.widgets.aggregate(last=Max("position"))["last"]
    return Widget.objects.create(dashboard=dashboard, report=report, wide=wide,
                                 position=0 if last is None else last + 1)  # fmt: skip


@transaction.atomic
def remove_widget(widget: Widget, *, by: User) -> None:
    if not may_change(by, widget.dashboard):
        raise Forbidden()
    widget.delete()


@transaction.atomic
def order_widgets(dashboard: Dashboard, widget_ids: list[int], *, by: User) -> None:
    """Put the dashboard's widgets in this order; ids not on the dashboard are ignored, missing ones go last."""
    if not may_change(by, dashboard):
        raise Forbidden()
    current = list(dashboard.widgets.order_by("position", "id"))
    by_id = {widget.pk: widget for widget in current}
    ordered = [by_id[pk] for pk in dict.fromkeys(widget_ids) if pk in by_id]
    ordered += [widget for widget in current if widget not in ordered]
    for position, widget in enumerate(ordered):
        if widget.position != position:
            widget.position = position
            widget.save(update_fields=["position"])


# Channel spend


def may_enter_spend(user: User) -> bool:
    return (
        user.is_authenticated and user.is_active and (is_administrator(user) or bool(plans.managed_departments(user)))
    )


@transaction.atomic
def record_spend(
    *, by: User, kind: str, channel: str, first_day: date, last_day: date, amount: Decimal, comment: str = ""
) -> ChannelSpend:
    if not may_enter_spend(by):
        raise Forbidden()
    if kind not in ChannelKind.values:
        raise Invalid("KIND", "kind", _("Unknown channel type."))
    channel = (channel or "").strip()
    if not channel:
        raise Invalid("REQUIRED", "channel", _("Name the channel."))
    if first_day is None or last_day is None or last_day < first_day:
        raise Invalid("PERIOD", "last_day", _("The period ends before it starts."))
    if amount is None or amount < 0:
        raise Invalid("AMOUNT", "amount", _("The spend cannot be negative."))
    return ChannelSpend.objects.create(kind=kind, channel=channel[:255], first_day=first_day, last_day=last_day,
                                       amount=amount, comment=(comment or "").strip()[:255], entered_by=by)  # fmt: skip


@dataclass
class ImportResult:
    created: list[ChannelSpend] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, message, the line as read)


def _parse_day(text: str) -> date:
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  a calendar date, no time zone
        except ValueError:
            continue
    raise Invalid("DATE", "first_day", _("Dates are written 2026-01-31 or 31.01.2026."))


def _parse_amount(text: str) -> Decimal:
    try:
        return Decimal((text or "").strip().replace(" ", "").replace("\xa0", "").replace(",", "."))
    except InvalidOperation:
        raise Invalid("AMOUNT", "amount", _("The spend is not a number.")) from None


def import_spend(text: str, *, by: User, kind: str = ChannelKind.SOURCE) -> ImportResult:
    """Spend rows from CSV (`channel,from,to,amount[,kind][,comment]`, a header line first; `,` or `;`).

    Good rows are saved; every bad row is reported with its line number and reason, none is dropped silently.
    """
    if not may_enter_spend(by):
        raise Forbidden()
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = {"channel", "from", "to", "amount"} - header
    if missing:
        raise Invalid("HEADER", "file", _("The first line must name the columns channel, from, to and amount."))
    result = ImportResult()
    for row in reader:
        row = {(key or "").strip().lower(): (value or "").strip() if isinstance(value, str) else "" for key, value in
               row.items()}  # fmt: skip
        line = reader.line_num
        try:
            with transaction.atomic():
                result.created.append(record_spend(
                    by=by, kind=row.get("kind") or kind, channel=row.get("channel", ""),
                    first_day=_parse_day(row.get("from", "")), last_day=_parse_day(row.get("to", "")),
                    amount=_parse_amount(row.get("amount", "")), comment=row.get("comment", ""),
                ))  # fmt: skip
        except Invalid as error:
            result.errors.append((line, str(error.message), delimiter.join(row.values())))
    return result


@transaction.atomic
def delete_spend(spend: ChannelSpend, *, by: User) -> None:
    if not may_enter_spend(by):
        raise Forbidden()
    spend.delete()


# Customer satisfaction


def rating_token(request: RatingRequest) -> str:
    return signing.dumps(request.pk, salt=RATING_SALT)


def rating_request_for(token: str) -> RatingRequest | None:
    """The request behind a signed link, or None for a forged, expired or unknown one."""
    try:
        pk = signing.loads(token, salt=RATING_SALT, max_age=RATING_MAX_AGE)
    except signing.BadSignature:
        return None
    return RatingRequest.objects.select_related("deal", "responsible").filter(pk=pk).first()


@transaction.atomic
def request_rating(deal: Deal) -> RatingRequest | None:
    """Ask the won deal's contact to rate the work, once per deal; the e-mail goes out as durable work."""
    if RatingRequest.objects.filter(deal=deal).exists():
        return None
    contacts = list(deal.contacts.order_by("pk").values_list("pk", flat=True))
    email = (
        MultiField.objects.filter(entity_type=EntityType.CONTACT, entity_id__in=contacts, type_id=MultiFieldType.EMAIL)
        .order_by("entity_id", "id")
        .values_list("entity_id", "value")
        .first()
    )  # fmt: skip
    request = RatingRequest.objects.create(
        deal=deal, contact_id=email[0] if email else (contacts[0] if contacts else None),
        email=email[1] if email else "", responsible_id=deal.responsible_id,
        status=WorkStatus.PENDING if email else WorkStatus.DONE,
    )  # fmt: skip
    if email:
        durable.schedule(request, send_rating_request)
    return request


@transaction.atomic
def rate(request: RatingRequest, *, rating: int, comment: str = "") -> RatingRequest:
    """The customer's answer; a second answer replaces the first."""
    if rating not in range(1, 6):
        raise Invalid("RATING", "rating", _("Choose from one to five stars."))
    request.rating, request.comment, request.rated_at = rating, (comment or "").strip()[:2000], timezone.now()
    request.save(update_fields=["rating", "comment", "rated_at", "updated_at"])
    events.emit("analytics.deal.rated", request.deal, rating=rating)
    return request
