"""Forms of the report builder, plans, sharing and channel spend."""

import json

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.analytics.builder import engine
from kontora.analytics.builder.sources import SOURCES, source
from kontora.analytics.models import ChannelKind, Metric, PeriodKind

OPERATORS = (
    ("=", "="),
    ("!", "≠"),
    (">", ">"),
    (">=", "≥"),
    ("<", "<"),
    ("<=", "≤"),
    ("%", gettext_lazy("contains")),
    ("@", gettext_lazy("one of (a,b,c)")),
    ("><", gettext_lazy("between (a,b)")),
)
FILTER_ROWS = 3
MEASURE_ROWS = 3
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# What a new report groups by first: the stage, status or type where there is one, else the responsible.
FIRST_DIMENSIONS = ("STAGE_ID", "STATUS_ID", "TYPE_ID", "REAL_STATUS", "ASSIGNED_BY_ID", "RESPONSIBLE_ID")


class BuilderForm(forms.Form):
    """Entity, filter, one or two groupings, measures and chart; choices follow the chosen entity."""

    name = forms.CharField(label=gettext_lazy("Report name"), max_length=200, required=False)
    entity = forms.ChoiceField(label=gettext_lazy("What to count"))
    d1_field = forms.ChoiceField(label=gettext_lazy("Group by"))
    d1_bucket = forms.ChoiceField(label=gettext_lazy("Dates by"), required=False)
    d2_field = forms.ChoiceField(label=gettext_lazy("Then by"), required=False)
    d2_bucket = forms.ChoiceField(label=gettext_lazy("Dates by"), required=False)
    chart = forms.ChoiceField(label=gettext_lazy("Chart"), choices=engine.CHARTS, initial="bar")
    filter_json = forms.CharField(
        label=gettext_lazy("Filter (Bitrix24 filter language)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": '{">=DATE_CREATE": "2026-01-01"}'}),
    )  # fmt: skip

    def __init__(self, *args, entity: str = "deal", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        entity = entity if entity in SOURCES else "deal"
        self.source = source(entity)
        self.fields["entity"].choices = [(key, item.label) for key, item in SOURCES.items()]
        self.fields["entity"].initial = entity
        fields = sorted(engine.groupable(self.source).items(), key=lambda item: str(item[1].label))
        choices = [(name, f"{item.label}") for name, item in fields]
        self.fields["d1_field"].choices = choices
        self.fields["d1_field"].initial = next(
            (name for name in FIRST_DIMENSIONS if name in dict(choices)), choices[0][0] if choices else ""
        )
        self.fields["d2_field"].choices = [("", "—"), *choices]
        buckets = [("", "—"), *engine.BUCKETS]
        self.fields["d1_bucket"].choices = self.fields["d2_bucket"].choices = buckets
        numeric = [(name, str(item.label)) for name, item in self.source.numeric().items()]
        ordered = sorted(self.source.fields().items(), key=lambda item: str(item[1].label))
        filterable = [("", "—")] + [(name, f"{item.label} ({name})") for name, item in ordered]
        for row in range(1, MEASURE_ROWS + 1):
            self.fields[f"m{row}_function"] = forms.ChoiceField(
                label=gettext_lazy("Measure"), required=row == 1, choices=[("", "—"), *engine.FUNCTIONS],
                initial="count" if row == 1 else "",
            )  # fmt: skip
            self.fields[f"m{row}_field"] = forms.ChoiceField(label=gettext_lazy("of"), required=False,
                                                             choices=[("", "—"), *numeric])  # fmt: skip
        for row in range(1, FILTER_ROWS + 1):
            self.fields[f"f{row}_field"] = forms.ChoiceField(label=gettext_lazy("Field"), required=False,
                                                             choices=filterable)  # fmt: skip
            self.fields[f"f{row}_op"] = forms.ChoiceField(label=gettext_lazy("Condition"), required=False,
                                                          choices=OPERATORS)  # fmt: skip
            self.fields[f"f{row}_value"] = forms.CharField(label=gettext_lazy("Value"), required=False)

    @classmethod
    def initial_for(cls, name: str, entity: str, definition: dict) -> dict:
        dimensions = definition.get("dimensions") or []
        measures = definition.get("measures") or []
        initial = {"name": name, "entity": entity, "chart": definition.get("chart", "bar"),
                   "filter_json": json.dumps(definition.get("filter") or {}, ensure_ascii=False)}  # fmt: skip
        for position, item in enumerate(dimensions[:2], start=1):
            initial[f"d{position}_field"], initial[f"d{position}_bucket"] = item.get("field"), item.get("bucket")
        for position, item in enumerate(measures[:MEASURE_ROWS], start=1):
            initial[f"m{position}_function"], initial[f"m{position}_field"] = item.get("function"), item.get("field")
        return initial

    def clean_filter_json(self) -> dict:
        text = (self.cleaned_data.get("filter_json") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The filter is not valid JSON.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The filter must be a set of field conditions."))
        return value

    def definition(self) -> engine.Definition:
        data = self.cleaned_data
        filter_ = dict(data.get("filter_json") or {})
        for row in range(1, FILTER_ROWS + 1):
            name, op, value = data.get(f"f{row}_field"), data.get(f"f{row}_op") or "=", data.get(f"f{row}_value")
            if not name:
                continue
            if op in ("@", "><"):
                value = [part.strip() for part in (value or "").split(",")]
            filter_[f"{'' if op == '=' else op}{name}"] = value
        dimensions = [engine.Dimension(data[f"d{row}_field"], data.get(f"d{row}_bucket") or "")
                      for row in (1, 2) if data.get(f"d{row}_field")]  # fmt: skip
        measures = [engine.Measure(data[f"m{row}_function"], data.get(f"m{row}_field") or "")
                    for row in range(1, MEASURE_ROWS + 1) if data.get(f"m{row}_function")]  # fmt: skip
        return engine.Definition(self.source.key, filter_, dimensions, measures or [engine.Measure()],
                                 data.get("chart") or "bar")  # fmt: skip


class ShareForm(forms.Form):
    users = forms.ModelMultipleChoiceField(label=gettext_lazy("People"), queryset=None, required=False)
    departments = forms.ModelMultipleChoiceField(label=gettext_lazy("Departments (with sub-departments)"),
                                                 queryset=None, required=False)  # fmt: skip

    def __init__(self, *args, people, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = people
        self.fields["departments"].queryset = departments


class NameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)


class PlanForm(forms.Form):
    metric = forms.ChoiceField(label=gettext_lazy("Metric"), choices=Metric.choices)
    period_kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodKind.choices)
    day = forms.DateField(label=gettext_lazy("Any day of the period"), widget=_DATE)
    user = forms.ModelChoiceField(label=gettext_lazy("Employee"), queryset=None, required=False)
    department = forms.ModelChoiceField(label=gettext_lazy("or department"), queryset=None, required=False)
    target = forms.DecimalField(label=gettext_lazy("Target"), min_value=0, max_digits=18, decimal_places=2)

    def __init__(self, *args, people, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["department"].queryset = departments


class SpendForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Channel type"), choices=ChannelKind.choices)
    channel = forms.CharField(label=gettext_lazy("Channel (source code or UTM value)"), max_length=255)
    first_day = forms.DateField(label=gettext_lazy("From"), widget=_DATE)
    last_day = forms.DateField(label=gettext_lazy("To"), widget=_DATE)
    amount = forms.DecimalField(label=gettext_lazy("Spend"), min_value=0, max_digits=18, decimal_places=2)
    comment = forms.CharField(label=gettext_lazy("Comment"), max_length=255, required=False)


class SpendImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Channel type"), choices=ChannelKind.choices)
    file = forms.FileField(label=gettext_lazy("CSV file"))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=gettext_lazy("Your rating"), coerce=int,
                                    choices=[(value, str(value)) for value in range(5, 0, -1)],
                                    widget=forms.RadioSelect)  # fmt: skip
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
