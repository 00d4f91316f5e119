"""Every write to robots and triggers: administrators only, validated, recorded in history."""

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontora.accounts.selectors import is_administrator
from kontora.automation import actions, engine
from kontora.automation.models import Entity, Robot, RobotRun, Trigger
from kontora.core import filters
from kontora.core.errors import Forbidden, Invalid
from kontora.core.models import WorkStatus
from kontora.crm import schema
from kontora.crm.models import Category, Status
from kontora.events import history

ROBOT_FIELDS = ("title", "action", "params", "condition", "delay", "after_previous", "sort", "active")
TRIGGER_FIELDS = ("stage", "kind", "params", "active")


def _require_admin(by) -> None:
    if by is None or not is_administrator(by):
        raise Forbidden()


def _check_stage(entity: str, category: Category | None, stage: str) -> None:
    if entity not in Entity.values:
        raise Invalid("UNKNOWN_ENTITY", "entity", _("Robots work on deals and leads."))
    if entity == Entity.DEAL:
        if category is None:
            raise Invalid("REQUIRED", "category", _("Choose the pipeline."))
        exists = Status.objects.filter(entity_id=category.stage_entity, status_id=stage).exists()
    else:
        if category is not None:
            raise Invalid("NO_PIPELINE", "category", _("Leads have no pipelines."))
        exists = Status.objects.filter(entity_id="STATUS", status_id=stage).exists()
    if not exists:
        raise Invalid("WRONG_STAGE", "stage", _("There is no such stage."))


def _check_condition(entity: str, condition: Any) -> dict:
    if not condition:
        return {}
    if not isinstance(condition, dict):
        raise Invalid("BAD_CONDITION", "condition", _("The condition is a filter."))
    filters.parse(condition, schema.fields_of(entity))  # raises Invalid on an unknown field or a bad value
    return condition


def _clean(entity: str, fields: dict[str, Any]) -> dict[str, Any]:
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"]:
            raise Invalid("REQUIRED", "title", _("Name the robot."))
    if "action" in fields:
        actions.get(fields["action"])
    if "params" in fields and not isinstance(fields["params"] or {}, dict):
        raise Invalid("BAD_PARAMS", "params", _("The parameters are a map."))
    if "condition" in fields:
        fields["condition"] = _check_condition(entity, fields["condition"])
    if "delay" in fields:
        fields["delay"] = engine.validate_delay(fields["delay"])
    return fields


@transaction.atomic
def add_robot(
    *, by, entity: str, stage: str, title: str, action: str, category: Category | None = None, **fields: Any
) -> Robot:
    """Put a robot on a stage of a pipeline (deals) or on a lead status."""
    _require_admin(by)
    unknown = set(fields) - set(ROBOT_FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be set here."))
    _check_stage(entity, category, stage)
    fields = _clean(entity, {"title": title, "action": action, **fields})
    robot = Robot.objects.create(entity=entity, category=category, stage=stage, created_by=by, **fields)
    changes = {key: [None, value] for key, value in robot.snapshot().items()}
    history.record(robot, by=by, action="create", changes=changes)
    return robot


@transaction.atomic
def update_robot(robot: Robot, *, by, reschedule: bool = False, **changes: Any) -> Robot:
    """Change a robot. Runs already scheduled keep what they were scheduled with, unless `reschedule`, which gives
    the pending ones the new settings (their due time stays)."""
    _require_admin(by)
    unknown = set(changes) - set(ROBOT_FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be changed here."))
    changes = _clean(robot.entity, changes)
    before = robot.snapshot()
    for name, value in changes.items():
        setattr(robot, name, value)
    robot.save()
    after = robot.snapshot()
    diff = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if diff:
        history.record(robot, by=by, action="update", changes=diff)
    if reschedule:
        RobotRun.objects.filter(robot=robot, status=WorkStatus.PENDING).update(config=after)
    return robot


def switch_robot(robot: Robot, active: bool, *, by) -> Robot:
    """Switch a robot off (its future arrivals do nothing) or back on."""
    return update_robot(robot, by=by, active=active)


@transaction.atomic
def delete_robot(robot: Robot, *, by, cancel_pending: bool = False) -> None:
    """Delete a robot; its scheduled runs still run from their snapshot unless `cancel_pending`."""
    _require_admin(by)
    if cancel_pending:
        RobotRun.objects.filter(robot=robot, status=WorkStatus.PENDING).update(
            status=WorkStatus.FAILED, last_error="cancelled: the robot was deleted", waiting=False
        )
    history.record(robot, by=by, action="delete", changes={"title": [robot.title, None]})
    robot.delete()


@transaction.atomic
def add_trigger(
    *, by, stage: str, kind: str, category: Category | None = None, entity: str = Entity.DEAL, **fields: Any
) -> Trigger:
    """A trigger moves a deal of the pipeline (or a lead) to `stage` when its event happens (only to a later stage).

    A webhook trigger gets a generated `code` in its params, for `crm.automation.trigger`."""
    _require_admin(by)
    if entity == Entity.DEAL:
        category = category or Category.objects.get(pk=0)
    _check_stage(entity, category, stage)
    if kind not in Trigger.Kind.values:
        raise Invalid("UNKNOWN_KIND", "kind", _("Unknown kind of trigger."))
    unknown = set(fields) - set(TRIGGER_FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be set here."))
    params = dict(fields.get("params") or {})
    if kind == Trigger.Kind.FIELD_CHANGED:
        if not params.get("condition"):
            raise Invalid("REQUIRED", "params", _("Say which field must change to which value."))
        _check_condition(entity, params["condition"])
    if kind == Trigger.Kind.WEBHOOK:
        params["code"] = _new_code()
    trigger = Trigger.objects.create(
        entity=entity, category=category, stage=stage, kind=kind, params=params,
        active=fields.get("active", True), created_by=by,
    )  # fmt: skip
    history.record(trigger, by=by, action="create", changes={"stage": [None, stage], "kind": [None, kind]})
    return trigger


def _new_code() -> str:
    """A short random code no other webhook trigger has."""
    while True:
        code = secrets.token_hex(4)
        if not Trigger.objects.filter(kind=Trigger.Kind.WEBHOOK, params__code=code).exists():
            return code


@transaction.atomic
def switch_trigger(trigger: Trigger, active: bool, *, by) -> Trigger:
    _require_admin(by)
    if trigger.active != active:
        history.record(trigger, by=by, action="update", changes={"active": [trigger.active, active]})
        trigger.active = active
        trigger.save(update_fields=["active", "updated_at"])
    return trigger


@transaction.atomic
def delete_trigger(trigger: Trigger, *, by) -> None:
    _require_admin(by)
    history.record(trigger, by=by, action="delete", changes={"stage": [trigger.stage, None]})
    trigger.delete()
