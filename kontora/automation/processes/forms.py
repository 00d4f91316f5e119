"""Forms of the process designer: the template's settings, import and install, and the side form of each element.

An element form reads an element's settings as the designer's script sends them (`prop_assignee`, `param.<id>`,
`condition`…: the diagram's own terms), and once valid gives back `diagram()`: what the script writes into the
diagram (the `spiffworkflow` extension properties, a service task's operator and parameters, a flow's condition).
"""

import ast
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kontora.automation.processes import catalog, elements, expressions, operators
from kontora.automation.processes.models import Approval, DocumentType
from kontora.core.errors import Invalid
from kontora.core.registry import registry

MAX_BPMN_BYTES = 2 * 1024 * 1024
PARAMETER_TYPES = (
    ("text", _("Text")), ("number", _("Number")), ("date", _("Date")), ("bool", _("Yes/no")), ("user", _("Employee")),
)  # fmt: skip
DEADLINE_PRESETS = (
    ("PT4H", _("4 hours")), ("P1D", _("1 day")), ("P2D", _("2 days")), ("P3D", _("3 days")), ("P1W", _("1 week")),
)  # fmt: skip
# The parameters of the process's own operators (robot actions declare theirs in the registry).
OPERATOR_PARAMS: dict[str, tuple[tuple[str, Any], ...]] = {
    "add_absence": (
        ("user", _("Employee (login; empty: the requester)")), ("start", _("From")), ("end", _("To")),
        ("kind", _("Kind of absence")), ("note", _("Note")),
    ),
    "notify_users": (("users", _("Whom (logins, comma separated; starter: the requester)")), ("text", _("Text"))),
    "create_personal_task": (
        ("title", _("Title")), ("description", _("Description")),
        ("responsible", _("Responsible (login; empty: the requester)")), ("days", _("Deadline in days")),
    ),
}  # fmt: skip
USER_TASKS = ("bpmn:UserTask", "bpmn:ManualTask")
GATEWAYS = ("bpmn:ExclusiveGateway", "bpmn:InclusiveGateway")


def _document_choices() -> list[tuple[str, Any]]:
    return list(DocumentType.choices)


class TemplateSettingsForm(forms.Form):
    """The template beside its diagram; start parameters come as rows (`param_code`, `param_name`…)."""

    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    document_type = forms.ChoiceField(label=_("Runs on"), choices=_document_choices)
    list_code = forms.ChoiceField(label=_("Universal list"), required=False)
    start_manually = forms.BooleanField(label=_("Started by hand"), required=False)
    start_on_create = forms.BooleanField(label=_("Starts when a document is created"), required=False)
    start_on_change = forms.BooleanField(label=_("Starts when a document is changed"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False)
    bpmn = forms.CharField(widget=forms.HiddenInput, required=False)
    parameters = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list_code"].choices = [("", "—"), *catalog.universal_lists()]

    def clean_bpmn(self) -> str:
        text = self.cleaned_data["bpmn"]
        if not text.strip():
            raise ValidationError(gettext("The diagram is empty."))
        return text

    def clean(self) -> dict:
        data = super().clean()
        if data.get("document_type") != DocumentType.LIST:
            data["list_code"] = ""
        data["parameters"] = parameter_rows(self.data) if self.is_bound else []
        return data

    def template_fields(self) -> dict[str, Any]:
        """The keyword arguments for `services.create_template` / `update_template`."""
        return dict(self.cleaned_data)


def parameter_rows(data) -> list[dict[str, Any]]:
    """Start parameters as the form's rows send them; rows without a code are left out."""
    codes, names = data.getlist("param_code"), data.getlist("param_name")
    types, required = data.getlist("param_type"), data.getlist("param_required")
    rows = []
    for index, code in enumerate(codes):
        if not code.strip():
            continue
        rows.append({
            "code": code.strip(), "name": (names[index] if index < len(names) else "").strip() or code.strip(),
            "type": types[index] if index < len(types) else "text",
            "required": (required[index] if index < len(required) else "0") == "1",
        })  # fmt: skip
    return rows


class ImportForm(forms.Form):
    file = forms.FileField(label=_("BPMN 2.0 file (.bpmn)"))
    document_type = forms.ChoiceField(label=_("Runs on"), choices=_document_choices)
    list_code = forms.ChoiceField(label=_("Universal list"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list_code"].choices = [("", "—"), *catalog.universal_lists()]

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BPMN_BYTES:
            raise ValidationError(gettext("The file is too large for a diagram."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(gettext("The file is not a BPMN 2.0 diagram.")) from None


class InstallForm(forms.Form):
    accountant = forms.ChoiceField(label=_("Accountant"), help_text=_("Approves invoices, cash advances and trips."))
    hr = forms.ChoiceField(label=_("HR"), help_text=_("Acknowledges vacation requests."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = catalog.employees(user)
        for name in ("accountant", "hr"):
            self.fields[name].choices = people
            self.fields[name].initial = user.username


# The side form of one element


def element_kind(values) -> str:
    """Which side form an element gets: user_task, service_task, flow (out of a gateway), timer, or plain."""
    kind = values.get("element_type", "")
    if kind in USER_TASKS:
        return "user_task"
    if kind == "bpmn:ServiceTask":
        return "service_task"
    if kind == "bpmn:SequenceFlow" and values.get("source_type") in GATEWAYS:
        return "flow"
    if values.get("timer_type"):
        return "timer"
    return "plain"


class ElementForm(forms.Form):
    element_id = forms.CharField(widget=forms.HiddenInput)
    element_type = forms.CharField(widget=forms.HiddenInput)
    source_type = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), required=False, max_length=255)

    kind = "plain"

    @classmethod
    def initial_from(cls, values) -> dict[str, Any]:
        """The form's initial values from the element's settings in the diagram's terms."""
        return {key: values.get(key, "") for key in ("element_id", "element_type", "source_type", "name")}

    def diagram(self) -> dict[str, Any]:
        return {"element_id": self.cleaned_data["element_id"], "name": self.cleaned_data["name"].strip()}


class UserTaskForm(ElementForm):
    kind = "user_task"
    RULE_CHOICES = (
        ("starter", _("The one who started the process")), ("responsible", _("The document's responsible")),
        ("head", _("The starter's head")), ("head_of_head", _("The head's head")), ("users", _("Specific employees")),
    )  # fmt: skip

    task_kind = forms.ChoiceField(label=_("What the person does"), choices=Approval.Kind.choices)
    assignee_rule = forms.ChoiceField(label=_("Who does it"), choices=RULE_CHOICES)
    assignee_users = forms.MultipleChoiceField(label=_("Employees"), required=False)
    voting = forms.ChoiceField(
        label=_("When several people do it"), choices=Approval.Voting.choices,
        help_text=_("Which answers decide the step."),
    )  # fmt: skip
    deadline = forms.CharField(
        label=_("Deadline"), required=False, max_length=40, widget=forms.TextInput(attrs={"list": "deadline-presets"}),
        help_text=_("An ISO 8601 duration: P2D is two days, PT4H four hours."),
    )  # fmt: skip
    task_fields = forms.CharField(
        label=_("Fields to fill in"), required=False, max_length=1000,
        help_text=_("code:type, separated by commas; types: text, number, date, bool."),
    )  # fmt: skip
    description = forms.CharField(label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_users"].choices = catalog.employees(user)

    @classmethod
    def initial_from(cls, values) -> dict[str, Any]:
        initial = super().initial_from(values)
        manual = values.get("element_type") == "bpmn:ManualTask"
        assignee = values.get("prop_assignee") or "head"
        rule, _sep, logins = assignee.partition(":")
        initial.update(
            task_kind=values.get("prop_kind") or ("acknowledge" if manual else "approve"),
            assignee_rule="users" if rule in ("user", "users") else rule,
            assignee_users=[login for login in logins.split(",") if login] if rule in ("user", "users") else [],
            voting=values.get("prop_voting") or "any", deadline=values.get("prop_deadline", ""),
            task_fields=values.get("prop_fields", ""), description=values.get("description", ""),
        )  # fmt: skip
        return initial

    def clean_deadline(self) -> str:
        value = self.cleaned_data["deadline"].strip().upper()
        if value and not (value.startswith("P") and expressions.ISO_TIME.match(value)):
            raise ValidationError(gettext("The deadline must be an ISO 8601 duration such as P2D."))
        return value

    def clean_task_fields(self) -> str:
        parts = []
        for part in filter(None, (item.strip() for item in self.cleaned_data["task_fields"].split(","))):
            code, _sep, kind = (item.strip() for item in part.partition(":"))
            if not expressions.NAME.match(code) or (kind or "text") not in elements.FIELD_TYPES:
                raise ValidationError(gettext("A field must be “code:type” (text, number, date, bool)."))
            parts.append(f"{code}:{kind or 'text'}")
        return ",".join(parts)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("assignee_rule") == "users" and not data.get("assignee_users"):
            self.add_error("assignee_users", gettext("Choose at least one employee."))
        if data.get("task_kind") == "fill" and not data.get("task_fields") and "task_fields" not in self.errors:
            self.add_error("task_fields", gettext("Say which fields the person fills in."))
        return data

    def diagram(self) -> dict[str, Any]:
        data = self.cleaned_data
        rule = data["assignee_rule"]
        assignee = "users:" + ",".join(data["assignee_users"]) if rule == "users" else rule
        properties = {"kind": data["task_kind"], "assignee": assignee, "voting": data["voting"]}
        if data["deadline"]:
            properties["deadline"] = data["deadline"]
        if data["task_fields"]:
            properties["fields"] = data["task_fields"]
        return {**super().diagram(), "properties": properties, "documentation": data["description"].strip()}


def _is_text(value: str) -> bool:
    """Whether a parameter's expression is a plain quoted text (shown as text, not as an expression)."""
    try:
        return isinstance(ast.literal_eval(value), str)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False


class ServiceTaskForm(ElementForm):
    """An action the process runs; each parameter is a text (quoted on save) or an expression."""

    kind = "service_task"
    operator = forms.ChoiceField(label=_("Action"))

    def __init__(self, *args, extra: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = operators.choices()
        operator = (self.data.get("operator") if self.is_bound else None) or self.initial.get("operator") or ""
        self.params: list[tuple[str, Any]] = list(parameter_names(operator))
        known = {name for name, _label in self.params}
        self.extra_names = [name for name in extra if name not in known]
        self.params += [(name, name) for name in self.extra_names]
        for name, label in self.params:
            self.fields[f"param_{name}"] = forms.CharField(label=label, required=False, max_length=2000)
            self.fields[f"expr_{name}"] = forms.BooleanField(label=_("Expression"), required=False)

    @classmethod
    def initial_from(cls, values) -> dict[str, Any]:
        initial = super().initial_from(values)
        initial["operator"] = values.get("operator", "")
        for key in values:
            if key.startswith("param."):
                value = values.get(key, "")
                name = key.removeprefix("param.")
                text = _is_text(value)
                initial[f"param_{name}"] = ast.literal_eval(value) if text else value
                initial[f"expr_{name}"] = bool(value) and not text
        return initial

    @staticmethod
    def extra_from(values) -> tuple[str, ...]:
        return tuple(key.removeprefix("param.") for key in values if key.startswith("param."))

    def param_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"param_{name}"], self[f"expr_{name}"]) for name, _label in self.params]

    def clean(self) -> dict:
        data = super().clean()
        for name, _label in self.params:
            value = (data.get(f"param_{name}") or "").strip()
            if value and data.get(f"expr_{name}"):
                try:
                    expressions.check(value)
                except Invalid as error:
                    self.add_error(f"param_{name}", error.message)
        return data

    def diagram(self) -> dict[str, Any]:
        data = self.cleaned_data
        parameters = []
        for name, _label in self.params:
            value = data.get(f"param_{name}") or ""
            if not value.strip():
                continue
            expression = value.strip() if data.get(f"expr_{name}") else json.dumps(value, ensure_ascii=False)
            parameters.append({"id": name, "value": expression})
        return {**super().diagram(), "operator": data["operator"], "parameters": parameters}


def parameter_names(operator: str) -> tuple[tuple[str, Any], ...]:
    """(name, label) of an operator's parameters: the process operators', or the robot action's."""
    if operator in OPERATOR_PARAMS:
        return OPERATOR_PARAMS[operator]
    action = registry.items("robot_actions").get(operator)
    return tuple((name, label) for name, label, _type in action.params) if action else ()


class FlowForm(ElementForm):
    """A sequence flow out of a gateway: taken when its condition holds, or when no other flow is taken."""

    kind = "flow"
    condition = forms.CharField(
        label=_("Condition"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: document.OPPORTUNITY > 500000 or approved"),
    )  # fmt: skip
    is_default = forms.BooleanField(label=_("Default flow (taken when no condition holds)"), required=False)

    @classmethod
    def initial_from(cls, values) -> dict[str, Any]:
        initial = super().initial_from(values)
        initial.update(condition=values.get("condition", ""), is_default=values.get("is_default") == "1")
        return initial

    def clean(self) -> dict:
        data = super().clean()
        condition = (data.get("condition") or "").strip()
        if data.get("is_default"):
            data["condition"] = ""
        elif condition:
            try:
                expressions.check(condition)
            except Invalid as error:
                self.add_error("condition", error.message)
            data["condition"] = condition
        return data

    def diagram(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {**super().diagram(), "condition": data["condition"], "default": data["is_default"]}


class TimerForm(ElementForm):
    kind = "timer"
    TIMER_CHOICES = (("duration", _("After a time")), ("date", _("At a date")), ("cycle", _("Repeatedly")))
    timer_type = forms.ChoiceField(label=_("When"), choices=TIMER_CHOICES)
    timer_value = forms.CharField(
        label=_("Time"), max_length=200,
        help_text=_("ISO 8601: PT1H (an hour), P2D (two days), 2026-12-01T09:00 (a date), R3/PT1H (three times)."),
    )  # fmt: skip

    @classmethod
    def initial_from(cls, values) -> dict[str, Any]:
        initial = super().initial_from(values)
        initial.update(timer_type=values.get("timer_type") or "duration", timer_value=values.get("timer_value", ""))
        return initial

    def clean_timer_value(self) -> str:
        value = self.cleaned_data["timer_value"].strip()
        if not expressions.ISO_TIME.match(value):
            raise ValidationError(gettext("Write the time in ISO 8601, for example PT1H or 2026-12-01T09:00."))
        return value

    def diagram(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {**super().diagram(), "timer": {"type": data["timer_type"], "value": data["timer_value"]}}


ELEMENT_FORMS: dict[str, type[ElementForm]] = {
    "user_task": UserTaskForm, "service_task": ServiceTaskForm, "flow": FlowForm, "timer": TimerForm,
    "plain": ElementForm,
}  # fmt: skip


def element_form(values, *, user, mode: str = "diagram") -> ElementForm:
    """The side form for an element, from its diagram settings (`diagram`), a submitted form (`submit`), or a
    submitted form shown again for another choice, such as a service task's action (`refresh`)."""
    form_class = ELEMENT_FORMS[element_kind(values)]
    kwargs: dict[str, Any] = {"user": user} if form_class is UserTaskForm else {}
    if form_class is ServiceTaskForm:
        extras = {"diagram": ServiceTaskForm.extra_from(values), "submit": tuple(values.getlist("extra_param"))}
        kwargs["extra"] = extras.get(mode, ())
    if mode == "submit":
        return form_class(values, **kwargs)
    if mode == "refresh":
        probe = form_class(values, **kwargs)
        return form_class(initial={name: probe[name].data for name in probe.fields}, **kwargs)
    return form_class(initial=form_class.initial_from(values), **kwargs)
