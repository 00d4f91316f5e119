"""The action library robots (and later process service tasks) run: each calls only domain services.

An action runs as the robot's author (an administrator when the robot was added), so the permission gate applies
as to any person; a robot whose author is gone or deactivated fails with that error.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kontora.accounts.models import User
from kontora.automation import records
from kontora.automation.models import Turn
from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.core.filters import FieldType
from kontora.core.registry import registry
from kontora.crm import schema
from kontora.crm.choices import ActivityType, Semantics
from kontora.crm.models import CrmRecord, Deal, Lead, Status

WEBHOOK_TIMEOUT = 10


@dataclass(frozen=True)
class Action:
    """One robot action: its key, label, parameters as (name, label, type), and `run(record, params, *, actor)`."""

    key: str
    label: Any  # a lazy translation
    params: tuple[tuple[str, Any, str], ...]
    run: Callable[..., str]


def get(key: str) -> Action:
    try:
        return registry.get("robot_actions", key)
    except KeyError:
        raise Invalid("UNKNOWN_ACTION", "action", gettext("Unknown robot action.")) from None


# Helpers --------------------------------------------------------------------------------------------------------


def _span(params: dict, prefix: str) -> timedelta | None:
    amount = params.get(f"{prefix}_amount")
    if amount in (None, ""):
        return None
    unit = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}
    return unit.get(str(params.get(f"{prefix}_unit") or "days"), unit["days"]) * int(amount)


def _person(value: Any, record: CrmRecord) -> User:
    """The record's responsible for "responsible" or nothing; otherwise the active user with this id."""
    if value in (None, "", "responsible"):
        return record.responsible
    user = User.objects.filter(pk=int(value), is_active=True).first() if str(value).isdigit() else None
    if user is None:
        raise Invalid("UNKNOWN_USER", "responsible", gettext("There is no such active employee."))
    return user


def _lines(value: Any) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    return [str(item).strip() for item in items if str(item).strip()]


def _crm_services():
    from kontora.crm import services

    return services


# Actions --------------------------------------------------------------------------------------------------------


def create_task(record: CrmRecord, params: dict, *, actor: User) -> str:
    from kontora.tasks.services import checklist
    from kontora.tasks.services.tasks import create_task as create

    span = _span(params, "deadline")
    with transaction.atomic():
        task = create(
            by=actor, title=records.substitute(record, params.get("title") or ""),
            description=records.substitute(record, params.get("description") or ""),
            responsible=_person(params.get("responsible"), record),
            deadline=timezone.now() + span if span else None, crm=[records.code(record)],
        )  # fmt: skip
        for line in _lines(params.get("checklist")):
            checklist.add_item(task, by=actor, title=records.substitute(record, line))
    return gettext("Task #%(id)s created") % {"id": task.pk}


def plan_activity(record: CrmRecord, params: dict, *, actor: User) -> str:
    span = _span(params, "deadline")
    activity = _crm_services().plan_activity(
        record, by=actor, subject=records.substitute(record, params.get("subject") or ""),
        type_id=int(params.get("type_id") or ActivityType.TODO),
        description=records.substitute(record, params.get("description") or ""),
        deadline=timezone.now() + span if span else None, responsible=_person(params.get("responsible"), record),
    )  # fmt: skip
    return gettext("Activity #%(id)s planned") % {"id": activity.pk}


def notify(record: CrmRecord, params: dict, *, actor: User) -> str:
    """Tell users (ids in `users`, and the responsible if `responsible` is set) who may read the record."""
    from kontora.accounts import access
    from kontora.crm.cards import record_url
    from kontora.crm.services.common import scope_for
    from kontora.events.notifications import notify as send
    from kontora.events.notifications import render_for

    ids = [int(pk) for pk in params.get("users") or [] if str(pk).isdigit()]
    people = list(User.objects.filter(pk__in=ids, is_active=True))
    if params.get("responsible") or not ids:
        people.append(record.responsible)
    message = records.substitute(record, params.get("message") or "")
    told = 0
    for user in {person.pk: person for person in people if person is not None}.values():
        if not access.can(user, "read", record, scope=scope_for(record)):
            continue
        text = render_for(user, lambda: _("%(record)s: %(message)s") % {"record": record.title, "message": message})
        send(user, text, link=record_url(record.entity_type, record.pk))
        told += 1
    return gettext("Notified: %(count)s") % {"count": told}


def change_stage(record: CrmRecord, params: dict, *, actor: User) -> str:
    stage_code = str(params.get("stage") or "")
    if isinstance(record, Deal):
        stage = Status.objects.filter(entity_id=record.category.stage_entity, status_id=stage_code).first()
        if stage is None:
            raise Invalid("WRONG_STAGE", "stage", gettext("This stage belongs to another pipeline."))
        _crm_services().move_deal(record, stage, by=actor, reason_required=False)
    else:
        stage = Status.objects.filter(entity_id="STATUS", status_id=stage_code).first()
        if stage is None:
            raise Invalid("WRONG_STAGE", "stage", gettext("There is no such status."))
        _crm_services().update_lead(record, by=actor, status=stage)
    return gettext("Moved to %(stage)s") % {"stage": stage.name}


def _candidates(params: dict) -> list[User]:
    ids = [int(pk) for pk in params.get("users") or [] if str(pk).isdigit()]
    found = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}
    return [found[pk] for pk in ids if pk in found]


def _in_turn(candidates: list[User], entity: str) -> User:
    key = f"{entity}:" + ",".join(str(user.pk) for user in sorted(candidates, key=lambda user: user.pk))
    with transaction.atomic():
        turn, _created = Turn.objects.select_for_update().get_or_create(key=key[:255])
        ids = [user.pk for user in candidates]
        position = ids.index(turn.last_user_id) + 1 if turn.last_user_id in ids else 0
        chosen = candidates[position % len(candidates)]
        turn.last_user = chosen
        turn.save(update_fields=["last_user"])
    return chosen


def _least_loaded(candidates: list[User], entity: str) -> User:
    if entity == "deal":
        counts = Deal.objects.filter(closed=False)
    else:
        counts = Lead.objects.filter(status__semantics=Semantics.PROCESS)
    load = dict(
        counts.filter(responsible__in=candidates)
        .values("responsible")
        .annotate(n=Count("id"))
        .values_list("responsible", "n")
    )
    return min(candidates, key=lambda user: (load.get(user.pk, 0), candidates.index(user)))


def change_responsible(record: CrmRecord, params: dict, *, actor: User) -> str:
    """`mode`: "fixed" (the first of `users`), "in_turn" or "least_load"; inactive users are skipped."""
    candidates = _candidates(params)
    if not candidates:
        raise Invalid("NO_USERS", "users", gettext("None of the chosen employees is active."))
    mode = params.get("mode") or "fixed"
    entity = records.entity_of(record)
    if mode == "in_turn":
        user = _in_turn(candidates, entity)
    elif mode == "least_load":
        user = _least_loaded(candidates, entity)
    else:
        user = candidates[0]
    update = _crm_services().update_deal if isinstance(record, Deal) else _crm_services().update_lead
    update(record, by=actor, responsible=user)
    return gettext("Responsible: %(name)s") % {"name": user.get_full_name() or user.username}


def _typed(field: schema.Field, raw: str, record: CrmRecord) -> Any:
    if raw == "":
        return None
    if field.rest_type == "user":
        return _person(raw, record)
    try:
        if field.type == FieldType.INTEGER:
            return int(raw)
        if field.type == FieldType.DECIMAL:
            return Decimal(raw)
    except (ValueError, InvalidOperation):
        raise Invalid("NOT_A_NUMBER", field.name, gettext("Enter a number.")) from None
    if field.type == FieldType.BOOLEAN:
        return raw.strip().lower() in {"y", "1", "true", "yes"}
    if field.type in {FieldType.DATE, FieldType.DATETIME}:
        value = filters.parse_moment(raw)
        if value is None:
            raise Invalid("NOT_A_DATE", field.name, gettext("This is not a date."))
        if field.type == FieldType.DATE and isinstance(value, datetime):
            return value.date()
        if field.type == FieldType.DATETIME and not isinstance(value, datetime):
            return datetime(value.year, value.month, value.day, tzinfo=timezone.get_current_timezone())
        return timezone.make_aware(value) if isinstance(value, datetime) and timezone.is_naive(value) else value
    return raw


def settable(entity: str) -> dict[str, schema.Field]:
    """The fields `set_fields` may change: plain columns, users and custom fields; not stages, links or read-only."""
    result = {}
    for name, field in schema.fields_of(entity).items():
        if field.read_only or field.multiple or field.immutable:
            continue
        if field.custom or field.rest_type == "user" or "__" not in field.path and not field.path.endswith("_id"):
            result[name] = field
    return result


def set_fields(record: CrmRecord, params: dict, *, actor: User) -> str:
    """`fields`: {EXTERNAL_NAME: value}, where a value may hold `{{NAME}}` placeholders of the record's fields."""
    allowed = settable(records.entity_of(record))
    changes: dict[str, Any] = {}
    custom = dict(record.custom or {})
    for name, template in (params.get("fields") or {}).items():
        field = allowed.get(str(name).upper())
        if field is None:
            raise Invalid("UNKNOWN_FIELD", str(name), gettext("This field cannot be set by a robot."))
        value = _typed(field, records.substitute(record, str(template)), record)
        if field.custom:
            custom[field.name] = value.isoformat() if isinstance(value, date) else value
            changes["custom"] = custom
        else:
            changes[field.path.removesuffix("_id") if field.rest_type == "user" else field.path] = value
    update = _crm_services().update_deal if isinstance(record, Deal) else _crm_services().update_lead
    update(record, by=actor, **changes)
    return gettext("Fields changed: %(names)s") % {"names": ", ".join(sorted(params.get("fields") or {}))}


def add_comment(record: CrmRecord, params: dict, *, actor: User) -> str:
    comment = _crm_services().add_comment(record, by=actor, text=records.substitute(record, params.get("text") or ""))
    return gettext("Comment #%(id)s added") % {"id": comment.pk}


def webhook(record: CrmRecord, params: dict, *, actor: User) -> str:
    """POST the record's fields as JSON to `url`; anything but a 2xx answer is a failure (and retried)."""
    url = str(params.get("url") or "")
    if not url.startswith(("http://", "https://")):
        raise Invalid("BAD_URL", "url", gettext("The address must start with http:// or https://."))
    body = json.dumps(
        {"entity": records.entity_of(record), "id": record.pk, "fields": records.values(record)},
        ensure_ascii=False, default=str,
    ).encode()  # fmt: skip
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310  scheme checked
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310  the scheme is checked
        status = response.status
    if not 200 <= status < 300:
        raise RuntimeError(f"webhook answered {status}")
    return gettext("Webhook answered %(status)s") % {"status": status}


ACTIONS = (
    Action("create_task", _("Create a task"), (
        ("title", _("Title"), "string"), ("description", _("Description"), "text"),
        ("responsible", _("Responsible"), "user_or_record"), ("deadline_amount", _("Deadline in"), "integer"),
        ("deadline_unit", _("Unit"), "unit"), ("checklist", _("Checklist"), "lines"),
    ), create_task),
    Action("plan_activity", _("Plan an activity"), (
        ("subject", _("Subject"), "string"), ("type_id", _("Type"), "activity_type"),
        ("description", _("Description"), "text"), ("responsible", _("Responsible"), "user_or_record"),
        ("deadline_amount", _("Deadline in"), "integer"), ("deadline_unit", _("Unit"), "unit"),
    ), plan_activity),
    Action("notify", _("Send a notification"), (
        ("message", _("Message"), "text"), ("users", _("Employees"), "users"),
        ("responsible", _("Also the responsible"), "boolean"),
    ), notify),
    Action("change_stage", _("Change the stage"), (("stage", _("Stage"), "stage"),), change_stage),
    Action("change_responsible", _("Change the responsible"), (
        ("mode", _("How to choose"), "distribution"), ("users", _("Employees"), "users"),
    ), change_responsible),
    Action("set_fields", _("Change fields"), (("fields", _("Values"), "field_values"),), set_fields),
    Action("add_comment", _("Add a comment"), (("text", _("Text"), "text"),), add_comment),
    Action("webhook", _("Call a webhook"), (("url", _("Address"), "url"),), webhook),
)  # fmt: skip


def register() -> None:
    for action in ACTIONS:
        registry.register("robot_actions", action.key, action)
