"""Forms of the automation screen: a robot (action, its parameters, condition, timing) and a trigger.

An action's parameter fields are built from its declaration (`Action.params`: name, label, type), so actions added
to the registry later get their form without changes here; an unknown type gets a text box.
"""

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kontora.automation import board
from kontora.automation.models import Robot, Trigger
from kontora.crm.choices import ActivityType
from kontora.crm.models import Category

UNITS = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]
DELAY_MODES = [
    ("now", _("Immediately")),
    ("after", _("After a delay")),
    ("before_field", _("Before a date field")),
    ("after_field", _("After a date field")),
    ("at_field", _("At a date field")),
]
DISTRIBUTION = [
    ("fixed", _("The first chosen employee")),
    ("in_turn", _("In turn")),
    ("least_load", _("The least loaded")),
]
PARAM_PREFIX = "p_"


class RowsWidget(forms.Widget):
    """Rows of inputs posted as parallel lists (`<name>_<column>`); robots.js adds and removes rows."""

    columns: tuple[str, ...] = ()

    def value_from_datadict(self, data, files, name: str) -> list[list[str]]:
        lists = [data.getlist(f"{name}_{column}") for column in self.columns]
        return [list(row) for row in zip(*lists, strict=False)]

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return False


class ConditionWidget(RowsWidget):
    """Condition rows: field, operator, value; conditions the rows cannot show are kept in a hidden input."""

    template_name = "automation/robots/widget_condition.html"
    columns = ("field", "op", "value")

    def __init__(self, fields: list[tuple[str, str]], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.fields = fields

    def value_from_datadict(self, data, files, name: str) -> dict:
        return {"rows": super().value_from_datadict(data, files, name), "rest": data.get(f"{name}_rest", "")}

    def get_context(self, name: str, value, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        if isinstance(value, dict) and "rows" in value:
            rows, rest = [row for row in value["rows"] if len(row) == 3], value.get("rest") or ""
        else:
            rows, rest_map = board.split_condition(value if isinstance(value, dict) else {})
            rest = json.dumps(rest_map, ensure_ascii=False) if rest_map else ""
        context["widget"].update(
            rows=rows, rest=rest, fields=self.fields, operators=board.operator_choices()
        )  # fmt: skip
        return context


class ConditionField(forms.Field):
    """A condition in the filter language built from rows: {">OPPORTUNITY": "1000", "%TITLE": "сайт"}."""

    def __init__(self, *, fields: list[tuple[str, str]], **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(widget=ConditionWidget(fields), **kwargs)

    def to_python(self, value) -> dict:
        if isinstance(value, dict) and "rows" in value:
            result: dict = {}
            if value.get("rest"):
                try:
                    result.update(json.loads(value["rest"]))
                except ValueError:
                    raise forms.ValidationError(_("The condition could not be read.")) from None
            for name, operator, text in value["rows"]:
                if name and operator in board.WORD_OF:
                    result[f"{operator}{name}"] = text.strip()
            return result
        return value or {}


class PairsWidget(RowsWidget):
    """Rows of key and value; the key is chosen from `keys`, or typed when there are none."""

    template_name = "automation/robots/widget_pairs.html"
    columns = ("key", "value")

    def __init__(self, keys: list[tuple[str, str]] | None = None, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.keys = keys

    def get_context(self, name: str, value, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        if isinstance(value, dict):
            rows = [(str(key), "" if item is None else str(item)) for key, item in value.items()]
        else:
            rows = [tuple(row) for row in value or [] if len(row) == 2]
        context["widget"].update(rows=rows, keys=self.keys)
        return context


class PairsField(forms.Field):
    """A map from rows: {"COMMENTS": "Позвонить {{TITLE}}"}; rows without a key are dropped."""

    def __init__(self, *, keys: list[tuple[str, str]] | None = None, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(widget=PairsWidget(keys), **kwargs)

    def to_python(self, value) -> dict:
        if isinstance(value, list):
            return {key.strip(): text for key, text in value if key.strip()}
        return value or {}


class Context:
    """What parameter fields offer: the employees, the stages of the pipeline, the record's fields."""

    def __init__(self, *, user, entity: str, category: Category | None) -> None:
        self.entity = entity
        self.category = category
        self.people = [(str(person.pk), person.full_name or person.username) for person in board.employees(user)]
        self.stages = [(stage.status_id, stage.name) for stage in board.stages(entity, category)]


def _choice(choices: list, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, required=False, **kwargs)


PARAM_TYPES: dict[str, Callable[[Context], forms.Field]] = {
    "string": lambda ctx: forms.CharField(required=False),
    "text": lambda ctx: forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3})),
    "lines": lambda ctx: forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One item per line.")
    ),
    "integer": lambda ctx: forms.IntegerField(required=False),
    "number": lambda ctx: forms.DecimalField(required=False),
    "decimal": lambda ctx: forms.DecimalField(required=False),
    "boolean": lambda ctx: forms.BooleanField(required=False),
    "date": lambda ctx: forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"})),
    "url": lambda ctx: forms.CharField(required=False, widget=forms.URLInput),
    "email": lambda ctx: forms.CharField(required=False, widget=forms.EmailInput),
    "unit": lambda ctx: _choice(UNITS),
    "distribution": lambda ctx: _choice(DISTRIBUTION),
    "activity_type": lambda ctx: forms.TypedChoiceField(choices=ActivityType.choices, coerce=int, required=False),
    "user": lambda ctx: _choice([("", "—"), *ctx.people]),
    "user_or_record": lambda ctx: _choice([("responsible", _("The record's responsible")), *ctx.people]),
    "users": lambda ctx: forms.MultipleChoiceField(
        choices=ctx.people, required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    ),
    "stage": lambda ctx: _choice(ctx.stages),
    "deal_stage": lambda ctx: _choice(board.deal_stage_choices()),
    "category": lambda ctx: _choice([(str(item.pk), item.name) for item in board.pipelines()]),
    "field_values": lambda ctx: PairsField(keys=board.settable_fields(ctx.entity)),
    "field_names": lambda ctx: forms.MultipleChoiceField(
        choices=board.settable_fields(ctx.entity), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    ),
    "condition": lambda ctx: ConditionField(fields=board.condition_fields(ctx.entity)),
    "pairs": lambda ctx: PairsField(),
}

# Trigger kinds and their parameters, as actions declare theirs; a kind not named here gets free key/value rows.
TRIGGER_PARAMS: dict[str, tuple[tuple[str, Any, str], ...]] = {
    Trigger.Kind.ACTIVITY_COMPLETED: (("type_id", _("Activity type"), "activity_type"),),
    Trigger.Kind.TASK_COMPLETED: (),
    Trigger.Kind.FIELD_CHANGED: (("condition", _("When the fields become"), "condition"),),
    "incoming_email": (),
    "incoming_call": (),
    "missed_call": (),
    "webhook": (),  # its code is generated
    "client_returned": (),
}
FREE_PARAMS = (("", _("Parameters"), "pairs"),)  # "": the rows are the parameters themselves


def param_field(kind: str, label, ctx: Context) -> forms.Field:
    field = PARAM_TYPES.get(kind, PARAM_TYPES["string"])(ctx)
    field.label = label
    if kind == "activity_type" and isinstance(field, forms.TypedChoiceField):
        field.choices = [("", "—"), *ActivityType.choices]
        field.empty_value = None
    return field


def _plain(value: Any) -> Any:
    """A cleaned value as the JSON parameters keep it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list) and all(str(item).isdigit() for item in value):
        return [int(item) for item in value]
    return value


class ParamsMixin:
    """Parameter fields named `p_<name>` for a declaration of (name, label, type)."""

    declared: tuple[tuple[str, Any, str], ...] = ()

    def add_params(self, declared, ctx: Context, initial: dict) -> None:
        self.declared = tuple(declared)
        for name, label, kind in self.declared:
            key = PARAM_PREFIX + name
            self.fields[key] = param_field(kind, label, ctx)
            self.initial[key] = initial if name == "" else initial.get(name)

    def param_names(self) -> list[str]:
        return [PARAM_PREFIX + name for name, _label, _kind in self.declared]

    def param_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.param_names()]

    def params(self) -> dict:
        result: dict = {}
        for name, _label, _kind in self.declared:
            value = _plain(self.cleaned_data.get(PARAM_PREFIX + name))
            if name == "":
                result.update(value or {})
            elif value not in (None, ""):
                result[name] = value
        return result


class RobotForm(ParamsMixin, forms.Form):
    title = forms.CharField(label=_("Robot name"), max_length=255, required=False)  # the service says if missing
    action = forms.ChoiceField(label=_("Action"))
    condition = ConditionField(label=_("Condition"), fields=[])
    delay_mode = forms.ChoiceField(label=_("When to run"), choices=DELAY_MODES, required=False)
    delay_amount = forms.IntegerField(label=_("How much"), min_value=0, required=False)
    delay_unit = forms.ChoiceField(label=_("Unit"), choices=UNITS, required=False)
    delay_field = forms.ChoiceField(label=_("Date field"), required=False)
    working_hours = forms.BooleanField(label=_("Only in working hours"), required=False)
    after_previous = forms.BooleanField(label=_("After the previous robot"), required=False)
    reschedule = forms.BooleanField(label=_("Apply to runs already scheduled"), required=False)

    def __init__(self, data=None, *, ctx: Context, robot: Robot | None = None, action: str | None = None) -> None:
        super().__init__(data, initial=self._initial(robot))
        choices = board.action_choices()
        self.fields["action"].choices = choices
        self.fields["condition"] = ConditionField(label=_("Condition"), fields=board.condition_fields(ctx.entity))
        self.fields["delay_field"].choices = [("", "—"), *board.date_fields(ctx.entity)]
        if robot is None:
            del self.fields["reschedule"]
        keys = [key for key, _label in choices]
        chosen = (data.get("action") if data is not None else action) or (robot.action if robot else "")
        chosen = chosen if chosen in keys else (keys[0] if keys else "")
        self.initial["action"] = chosen
        declared = board.action_params(chosen)
        same = robot is not None and robot.action == chosen
        self.add_params(declared, ctx, dict(robot.params) if same else {})

    @staticmethod
    def _initial(robot: Robot | None) -> dict:
        if robot is None:
            return {"delay_mode": "now", "delay_unit": "minutes"}
        delay = robot.delay or {}
        return {
            "title": robot.title, "action": robot.action, "condition": robot.condition,
            "delay_mode": delay.get("mode") or "now", "delay_amount": delay.get("amount"),
            "delay_unit": delay.get("unit") or "minutes", "delay_field": delay.get("field") or "",
            "working_hours": bool(delay.get("working_hours")), "after_previous": robot.after_previous,
        }  # fmt: skip

    def robot_fields(self) -> dict:
        """What the services take: title, action, params, condition, delay, after_previous."""
        data = self.cleaned_data
        mode = data.get("delay_mode") or "now"
        delay: dict = {"mode": mode}
        if mode != "now":
            delay.update(amount=data.get("delay_amount") or 0, unit=data.get("delay_unit") or "minutes")
        if mode.endswith("_field"):
            delay["field"] = data.get("delay_field") or ""
        if data.get("working_hours"):
            delay["working_hours"] = True
        return {
            "title": data.get("title") or "", "action": data["action"], "params": self.params(),
            "condition": data.get("condition") or {}, "delay": delay,
            "after_previous": bool(data.get("after_previous")),
        }  # fmt: skip


class TriggerForm(ParamsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("When"), choices=Trigger.Kind.choices)

    def __init__(self, data=None, *, ctx: Context, kind: str | None = None) -> None:
        super().__init__(data)
        keys = [key for key, _label in self.fields["kind"].choices]
        chosen = (data.get("kind") if data is not None else kind) or ""
        chosen = chosen if chosen in keys else keys[0]
        self.initial["kind"] = chosen
        self.add_params(TRIGGER_PARAMS.get(chosen, FREE_PARAMS), ctx, {})
