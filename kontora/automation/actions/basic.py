"""The first actions: tasks, activities, notifications, stage, responsible, fields, comments, webhooks."""

import json
import urllib.request
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kontora.accounts.models import User
from kontora.automation import records
from kontora.automation.actions.common import crm_services, lines, person, span
from kontora.automation.models import Turn
from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.core.filters import FieldType
from kontora.crm import schema
from kontora.crm.choices import ActivityType, Semantics
from kontora.crm.models import CrmRecord, Deal, Lead, Status

WEBHOOK_TIMEOUT = 10


# Actions --------------------------------------------------------------------------------------------------------


def create_task(record: CrmRecord, params: dict, *, actor: User) -> str:
    from kontora.tasks.services import checklist
    from kontora.tasks.services.tasks import create_task as create

    deadline = span(params, "deadline")
    with transaction.atomic():
        task = create(
            by=actor, title=records.substitute(record, params.get("title") or ""),
            description=records.substitute(record, params.get("description") or ""),
            responsible=person(params.get("responsible"), record),
            deadline=timezone.now() + deadline if deadline else None, crm=[records.code(record)],
        )  # fmt: skip
        for line in lines(params.get("checklist")):
            checklist.add_item(task, by=actor, title=records.substitute(record, line))
    return gettext("Task #%(id)s created") % {"id": task.pk}


def plan_activity(record: CrmRecord, params: dict, *, actor: User) -> str:
    deadline = span(params, "deadline")
    activity = crm_services().plan_activity(
        record, by=actor, subject=records.substitute(record, params.get("subject") or ""),
        type_id=int(params.get("type_id") or ActivityType.TODO),
        description=records.substitute(record, params.get("description") or ""),
        deadline=timezone.now() + deadline if deadline else None, responsible=person(params.get("responsible"), record),
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
    for user in {someone.pk: someone for someone in people if someone is not None}.values():
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
        crm_services().move_deal(record, stage, by=actor, reason_required=False)
    else:
        stage = Status.objects.filter(entity_id="STATUS", status_id=stage_code).first()
        if stage is None:
            raise Invalid("WRONG_STAGE", "stage", gettext("There is no such status."))
        crm_services().update_lead(record, by=actor, status=stage)
    return gettext("Moved to %(stage)s") % {"stage": stage.name}


def _chosen(params: dict) -> list[int]:
    return list(dict.fromkeys(int(pk) for pk in params.get("users") or [] if str(pk).isdigit()))


def _candidates(ids: list[int]) -> list[User]:
    """The chosen active employees in their order, without those absent now (unless everyone is away)."""
    from kontora.timeman.selectors import absent_user_ids

    found = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}
    active = [found[pk] for pk in ids if pk in found]
    away = absent_user_ids([user.pk for user in active], timezone.now())
    present = [user for user in active if user.pk not in away]
    return present or active


def _in_turn(candidates: list[User], ids: list[int], entity: str) -> User:
    """The next of the chosen after the last one given a record, skipping those not available now.

    The turn is kept per set of chosen employees, so someone away for a while keeps their place in the order."""
    key = f"{entity}:" + ",".join(str(pk) for pk in sorted(ids))
    available = {user.pk: user for user in candidates}
    with transaction.atomic():
        turn, _created = Turn.objects.select_for_update().get_or_create(key=key[:255])
        start = ids.index(turn.last_user_id) + 1 if turn.last_user_id in ids else 0
        order = [ids[(start + step) % len(ids)] for step in range(len(ids))]
        chosen = next(available[pk] for pk in order if pk in available)
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
    """`mode`: "fixed" (the first of `users`), "in_turn" or "least_load"; inactive and absent users are skipped."""
    ids = _chosen(params)
    candidates = _candidates(ids)
    if not candidates:
        raise Invalid("NO_USERS", "users", gettext("None of the chosen employees is active."))
    mode = params.get("mode") or "fixed"
    entity = records.entity_of(record)
    if mode == "in_turn":
        user = _in_turn(candidates, ids, entity)
    elif mode == "least_load":
        user = _least_loaded(candidates, entity)
    else:
        user = candidates[0]
    update = crm_services().update_deal if isinstance(record, Deal) else crm_services().update_lead
    update(record, by=actor, responsible=user)
    return gettext("Responsible: %(name)s") % {"name": user.get_full_name() or user.username}


def _typed(field: schema.Field, raw: str, record: CrmRecord) -> Any:
    if raw == "":
        return None
    if field.rest_type == "user":
        return person(raw, record)
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
    update = crm_services().update_deal if isinstance(record, Deal) else crm_services().update_lead
    update(record, by=actor, **changes)
    return gettext("Fields changed: %(names)s") % {"names": ", ".join(sorted(params.get("fields") or {}))}


def add_comment(record: CrmRecord, params: dict, *, actor: User) -> str:
    comment = crm_services().add_comment(record, by=actor, text=records.substitute(record, params.get("text") or ""))
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
