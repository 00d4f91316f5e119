"""Triggers: an event about a deal or a lead moves it to the trigger's stage, only forward (to a later stage)."""

import logging
from collections.abc import Callable

from django.db.models import Q

from kontora.accounts.models import User
from kontora.automation import records
from kontora.automation.models import Trigger
from kontora.core import demo, filters
from kontora.core.errors import Invalid, KontoraError
from kontora.crm import schema
from kontora.crm.choices import ActivityType, Direction, EntityType
from kontora.crm.models import Activity, CrmRecord, Deal, Lead, Status
from kontora.events.models import Event

logger = logging.getLogger("kontora.automation")

OWNERS = {EntityType.DEAL: "deal", EntityType.LEAD: "lead"}


def _stage_of(record: CrmRecord, code: str) -> Status | None:
    entity_id = record.category.stage_entity if isinstance(record, Deal) else "STATUS"
    return Status.objects.filter(entity_id=entity_id, status_id=code).first()


def _move(record: CrmRecord, target: Status, actor: User) -> CrmRecord:
    from kontora.crm import services

    if isinstance(record, Deal):
        return services.move_deal(record, target, by=actor, reason_required=False)
    return services.update_lead(record, by=actor, status=target)


def fire(record: CrmRecord, kind: str, accept: Callable[[Trigger], bool] = lambda trigger: True) -> CrmRecord:
    """Move the record to the stage of the first active trigger of this kind (in the deal's pipeline, or on leads)
    that accepts it and lies ahead of the record's stage. The demo company's made-up history fires none."""
    if demo.building.get():
        return record
    entity = records.entity_of(record)
    current = record.stage if isinstance(record, Deal) else record.status
    candidates = Trigger.objects.filter(
        entity=entity, kind=kind, category_id=records.category_id(record), active=True
    ).order_by("id")
    for trigger in candidates:
        target = _stage_of(record, trigger.stage)
        if target is None or (target.sort, target.pk) <= (current.sort, current.pk) or not accept(trigger):
            continue
        actor = User.objects.filter(pk=trigger.created_by_id, is_active=True).first()
        if actor is None:
            logger.warning("trigger %s has no active author; skipped", trigger.pk)
            continue
        try:
            return _move(record, target, actor)
        except KontoraError:
            logger.warning("trigger %s could not move %s %s", trigger.pk, entity, record.pk, exc_info=True)
    return record


def _owner(activity: Activity) -> CrmRecord | None:
    entity = OWNERS.get(activity.owner_type)
    return records.load(entity, activity.owner_id) if entity else None


def on_activity_completed(event: Event) -> None:
    activity = Activity.objects.filter(pk=event.object_id).first()
    record = _owner(activity) if activity is not None else None
    if record is not None:
        fire(record, Trigger.Kind.ACTIVITY_COMPLETED, lambda t: _type_fits(t, activity))


def _type_fits(trigger: Trigger, activity: Activity) -> bool:
    wanted = trigger.params.get("type_id")
    return not wanted or int(wanted) == activity.type_id


def on_activity_created(event: Event) -> None:
    """An incoming email or call recorded on a deal or lead. A call recorded as not done is a missed one."""
    activity = Activity.objects.filter(pk=event.object_id).first()
    if activity is None or activity.direction != Direction.INCOMING:
        return
    record = _owner(activity)
    if record is None:
        return
    if activity.type_id == ActivityType.EMAIL:
        fire(record, Trigger.Kind.INCOMING_EMAIL)
    elif activity.type_id == ActivityType.CALL:
        if not activity.completed:
            record = fire(record, Trigger.Kind.MISSED_CALL)
        fire(record, Trigger.Kind.INCOMING_CALL)


def on_task_completed(event: Event) -> None:
    from kontora.tasks.models import CrmLink

    codes = (
        CrmLink.objects.filter(task_id=event.object_id)
        .filter(Q(code__startswith="D_") | Q(code__startswith="L_"))
        .values_list("code", flat=True)
    )
    for code in codes:
        prefix, _sep, pk = code.partition("_")
        record = records.load("deal" if prefix == "D" else "lead", int(pk))
        if record is not None:
            fire(record, Trigger.Kind.TASK_COMPLETED)


def on_deal_updated(event: Event) -> None:
    _on_updated("deal", event)


def on_lead_updated(event: Event) -> None:
    _on_updated("lead", event)


def _on_updated(entity: str, event: Event) -> None:
    changed = set((event.data.get("changes") or {}).keys())
    record = records.load(entity, int(event.object_id))
    if record is None or not changed:
        return
    fire(record, Trigger.Kind.FIELD_CHANGED, lambda trigger: _field_condition_met(trigger, record, changed))


def _field_condition_met(trigger: Trigger, record: CrmRecord, changed: set[str]) -> bool:
    """The change touched a field of the condition, and the condition holds now."""
    condition = trigger.params.get("condition") or {}
    fields = schema.fields_of(records.entity_of(record))
    try:
        names = filters.field_names(condition, fields)
        touched = {"custom" if fields[name].custom else fields[name].path.split("__")[0] for name in names}
        touched |= {path.removesuffix("_id") for path in touched}
        return bool(condition) and bool(touched & changed) and records.matches(record, condition)
    except (Invalid, KeyError):
        return False


def on_deal_created(event: Event) -> None:
    deal = records.load("deal", int(event.object_id))
    if deal is not None and returning_client(deal):
        fire(deal, Trigger.Kind.CLIENT_RETURNED)


def on_lead_created(event: Event) -> None:
    lead = records.load("lead", int(event.object_id))
    if lead is not None and returning_client(lead):
        fire(lead, Trigger.Kind.CLIENT_RETURNED)


def returning_client(record: CrmRecord) -> bool:
    """The record's contact or company already had a deal before this record was made."""
    if isinstance(record, Lead):
        contact_ids = [record.contact_id] if record.contact_id else []
    else:
        contact_ids = list(record.contacts.values_list("pk", flat=True))
    links = [Q(contacts__in=contact_ids)] if contact_ids else []
    if record.company_id:
        links.append(Q(company_id=record.company_id))
    if not links:
        return False
    link = links[0] if len(links) == 1 else links[0] | links[1]
    earlier = Deal.objects.filter(link, created_at__lte=record.created_at).distinct()
    if isinstance(record, Deal):
        earlier = earlier.exclude(pk=record.pk).filter(pk__lt=record.pk)
    return earlier.exists()


def fire_webhook(record: CrmRecord, code: str) -> CrmRecord:
    """The `crm.automation.trigger` call: the webhook trigger with this code moves the record (forward)."""
    return fire(record, Trigger.Kind.WEBHOOK, lambda trigger: trigger.params.get("code") == code)
