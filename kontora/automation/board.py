"""Reads behind the stage-by-stage automation screen: pipelines, their stages with robots and triggers, run logs."""

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from kontora.accounts.models import User
from kontora.automation import actions
from kontora.automation.models import Entity, Robot, RobotRun, Trigger
from kontora.core import filters
from kontora.core.filters import FieldType
from kontora.core.registry import registry
from kontora.crm import schema
from kontora.crm.cards import record_url
from kontora.crm.choices import ActivityType, EntityType
from kontora.crm.kanban import colour_of, lead_statuses
from kontora.crm.lists import people
from kontora.crm.models import Category, Status
from kontora.crm.pipelines import categories

RUNS_SHOWN = 20
DATE_TYPES = (FieldType.DATE, FieldType.DATETIME)


def pipelines() -> list[Category]:
    return list(categories())


def pipeline(pk: int) -> Category | None:
    return Category.objects.filter(pk=pk).first()


def stages(entity: str, category: Category | None) -> list[Status]:
    """The stages of a deal pipeline, or the lead statuses, in their order."""
    if entity == Entity.DEAL:
        return list(Status.objects.filter(entity_id=category.stage_entity).order_by("sort", "id"))
    return lead_statuses()


def deal_stage_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every deal stage grouped by pipeline, for actions that move a deal to another pipeline."""
    return [
        (category.name, [(stage.status_id, stage.name) for stage in stages(Entity.DEAL, category)])
        for category in pipelines()
    ]


def columns(entity: str, category: Category | None) -> list[dict]:
    """Each stage with its colour, triggers and robots (in their order)."""
    category_id = category.pk if category is not None else None
    robots: dict[str, list[Robot]] = {}
    for robot in Robot.objects.filter(entity=entity, category_id=category_id).order_by("sort", "id"):
        robots.setdefault(robot.stage, []).append(robot)
    triggers: dict[str, list[Trigger]] = {}
    for trigger in Trigger.objects.filter(entity=entity, category_id=category_id).order_by("id"):
        triggers.setdefault(trigger.stage, []).append(trigger)
    fields = schema.fields_of(entity)
    result = []
    for stage in stages(entity, category):
        for robot in robots.get(stage.status_id, []):
            robot.action_label = action_label(robot.action)
            robot.timing = timing(robot, fields)
            robot.condition_text = condition_text(robot.condition, fields)
        for trigger in triggers.get(stage.status_id, []):
            trigger.summary = trigger_text(trigger, fields)
        result.append({
            "stage": stage, "colour": colour_of(stage),
            "robots": robots.get(stage.status_id, []), "triggers": triggers.get(stage.status_id, []),
        })  # fmt: skip
    return result


def robot(pk: int) -> Robot | None:
    return Robot.objects.filter(pk=pk).select_related("category").first()


def trigger(pk: int) -> Trigger | None:
    return Trigger.objects.filter(pk=pk).first()


def stage_robots(entity: str, category_id: int | None, stage: str) -> QuerySet[Robot]:
    return Robot.objects.filter(entity=entity, category_id=category_id, stage=stage).order_by("sort", "id")


def next_sort(entity: str, category_id: int | None, stage: str) -> int:
    """A sort value that puts a new robot after the stage's last one."""
    top = stage_robots(entity, category_id, stage).aggregate(top=Max("sort"))["top"]
    return (top or 0) + 10


def action_choices() -> list[tuple[str, str]]:
    return [(key, str(action.label)) for key, action in registry.items("robot_actions").items()]


def action_label(key: str) -> str:
    found = registry.items("robot_actions").get(key)
    return str(found.label) if found else key


def action_params(key: str) -> tuple:
    """An action's parameters as (name, label, type); none for an unknown action."""
    found = registry.items("robot_actions").get(key)
    return tuple(found.params) if found else ()


def employees(user: User) -> QuerySet[User]:
    return people(user)


def date_fields(entity: str) -> list[tuple[str, str]]:
    """The date fields a delay may count from."""
    return [(name, str(field.label)) for name, field in schema.fields_of(entity).items() if field.type in DATE_TYPES]


def condition_fields(entity: str) -> list[tuple[str, str]]:
    """The fields a condition may test (single-valued ones)."""
    return [(name, str(field.label)) for name, field in schema.fields_of(entity).items() if not field.multiple]


def settable_fields(entity: str) -> list[tuple[str, str]]:
    return [(name, str(field.label)) for name, field in actions.settable(entity).items()]


def timing(robot: Robot, fields: dict) -> str:
    """The robot's delay in words: "After 2 hours", "1 day before Expected close date", "In working hours"."""
    delay = robot.delay or {}
    mode = delay.get("mode") or "now"
    amount = delay.get("amount") or 0
    unit = UNIT_WORDS.get(str(delay.get("unit") or "minutes"), UNIT_WORDS["minutes"])()
    field = fields.get(str(delay.get("field") or ""))
    label = str(field.label) if field else str(delay.get("field") or "")
    if mode == "after" and amount:
        text = _("After %(amount)s %(unit)s") % {"amount": amount, "unit": unit}
    elif mode == "before_field":
        text = _("%(amount)s %(unit)s before «%(field)s»") % {"amount": amount, "unit": unit, "field": label}
    elif mode == "after_field":
        text = _("%(amount)s %(unit)s after «%(field)s»") % {"amount": amount, "unit": unit, "field": label}
    elif mode == "at_field":
        text = _("At «%(field)s»") % {"field": label}
    else:
        text = _("Immediately")
    parts = [text]
    if delay.get("working_hours"):
        parts.append(_("in working hours"))
    if robot.after_previous:
        parts.append(_("after the previous robot"))
    return ", ".join(parts)


UNIT_WORDS = {"minutes": lambda: _("min."), "hours": lambda: _("h."), "days": lambda: _("d.")}

# The operators the condition rows offer: the filter language's prefix, the parser's name for it, and a word.
OPERATORS = (
    ("=", "eq", lambda: "="), ("!=", "ne", lambda: "≠"), (">", "gt", lambda: ">"), (">=", "gte", lambda: "≥"),
    ("<", "lt", lambda: "<"), ("<=", "lte", lambda: "≤"), ("%", "like", lambda: _("contains")),
    ("!%", "nlike", lambda: _("does not contain")), ("@", "in", lambda: _("one of")),
)  # fmt: skip
PREFIX_OF = {name: prefix for prefix, name, _word in OPERATORS}
WORD_OF = {prefix: word for prefix, _name, word in OPERATORS}


def operator_choices() -> list[tuple[str, str]]:
    return [(prefix, word()) for prefix, _name, word in OPERATORS]


def split_condition(condition: dict | None) -> tuple[list[tuple[str, str, str]], dict]:
    """A condition as rows (field, operator prefix, value) the form shows, and the rest (groups, other operators)."""
    rows, rest = [], {}
    for key, value in (condition or {}).items():
        operator, name = filters.split_key(key)
        if isinstance(value, dict | list) or operator not in PREFIX_OF:
            rest[key] = value
        else:
            rows.append((name, PREFIX_OF[operator], "" if value is None else str(value)))
    return rows, rest


def condition_text(condition: dict | None, fields: dict) -> str:
    """The condition in short words: "Amount > 1000; Source = WEB"."""
    rows, rest = split_condition(condition)
    parts = []
    for name, prefix, value in rows:
        field = fields.get(name)
        parts.append(f"{field.label if field else name} {WORD_OF[prefix]()} {value}")
    if rest:
        parts.append(_("more conditions"))
    return "; ".join(parts)


def trigger_text(trigger: Trigger, fields: dict) -> str:
    """A trigger's parameters in short words: its condition, its activity type, or its values."""
    params = trigger.params or {}
    if isinstance(params.get("condition"), dict):
        return condition_text(params["condition"], fields)
    if str(params.get("type_id") or "").isdigit() and int(params["type_id"]) in ActivityType.values:
        return str(ActivityType(int(params["type_id"])).label)
    if trigger.kind == Trigger.Kind.WEBHOOK and params.get("code"):
        return _("REST call crm.automation.trigger with code %(code)s") % {"code": params["code"]}
    return ", ".join(f"{key}: {value}" for key, value in params.items() if not isinstance(value, dict | list))


def runs(robot: Robot) -> list[dict]:
    """The robot's latest runs: the record (with its link), status, result or error, time."""
    entity_type = EntityType.DEAL if robot.entity == Entity.DEAL else EntityType.LEAD
    return [
        {"run": run, "url": record_url(entity_type, run.record_id), "text": run.result or run.last_error}
        for run in RobotRun.objects.filter(robot=robot).order_by("-created_at", "-id")[:RUNS_SHOWN]
    ]
