"""Triggers: an event about a deal moves it to the trigger's stage, only forward (to a later stage)."""

import logging

from kontora.accounts.models import User
from kontora.automation import records
from kontora.automation.models import Trigger
from kontora.core import filters
from kontora.core.errors import Invalid, KontoraError
from kontora.crm import schema
from kontora.crm.choices import EntityType
from kontora.crm.models import Activity, Deal, Status
from kontora.events.models import Event

logger = logging.getLogger("kontora.automation")


def fire(deal: Deal, kind: str, accept=lambda trigger: True) -> Deal:
    """Move the deal to the stage of the first active trigger of this kind in its pipeline that accepts it."""
    from kontora.crm import services

    current = deal.stage
    for trigger in Trigger.objects.filter(entity="deal", kind=kind, category_id=deal.category_id, active=True).order_by(
        "id"
    ):
        target = Status.objects.filter(entity_id=deal.category.stage_entity, status_id=trigger.stage).first()
        if target is None or (target.sort, target.pk) <= (current.sort, current.pk) or not accept(trigger):
            continue
        actor = User.objects.filter(pk=trigger.created_by_id, is_active=True).first()
        if actor is None:
            logger.warning("trigger %s has no active author; skipped", trigger.pk)
            continue
        try:
            return services.move_deal(deal, target, by=actor, reason_required=False)
        except KontoraError:
            logger.warning("trigger %s could not move deal %s", trigger.pk, deal.pk, exc_info=True)
    return deal


def on_activity_completed(event: Event) -> None:
    activity = Activity.objects.filter(pk=event.object_id).first()
    if activity is None or activity.owner_type != EntityType.DEAL:
        return
    deal = records.load("deal", activity.owner_id)
    if deal is not None:
        fire(deal, Trigger.Kind.ACTIVITY_COMPLETED, lambda t: _type_fits(t, activity))


def _type_fits(trigger: Trigger, activity: Activity) -> bool:
    wanted = trigger.params.get("type_id")
    return not wanted or int(wanted) == activity.type_id


def on_task_completed(event: Event) -> None:
    from kontora.tasks.models import CrmLink

    codes = CrmLink.objects.filter(task_id=event.object_id, code__startswith="D_").values_list("code", flat=True)
    for code in codes:
        deal = records.load("deal", int(code.removeprefix("D_")))
        if deal is not None:
            fire(deal, Trigger.Kind.TASK_COMPLETED)


def on_deal_updated(event: Event) -> None:
    changed = set((event.data.get("changes") or {}).keys())
    deal = records.load("deal", int(event.object_id))
    if deal is None or not changed:
        return
    fire(deal, Trigger.Kind.FIELD_CHANGED, lambda trigger: _field_condition_met(trigger, deal, changed))


def _field_condition_met(trigger: Trigger, deal: Deal, changed: set[str]) -> bool:
    """The change touched a field of the condition, and the condition holds now."""
    condition = trigger.params.get("condition") or {}
    fields = schema.fields_of("deal")
    try:
        names = filters.field_names(condition, fields)
        touched = {"custom" if fields[name].custom else fields[name].path.split("__")[0] for name in names}
        touched |= {path.removesuffix("_id") for path in touched}
        return bool(condition) and bool(touched & changed) and records.matches(deal, condition)
    except (Invalid, KeyError):
        return False
