"""The report builder's engine: one grouped query over the records the viewer may see.

A definition names an entity, a filter in the one filter language (`kontora.core.filters`), one or two grouping
dimensions (any field of the entity's field map, custom fields included; dates bucketed by day, week, month, quarter
or year in the viewer's time zone, see `grouping`) and measures (count, or sum/avg/min/max of a numeric field).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Avg, Count, DateField, DecimalField, F, Func, Max, Min, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Trunc
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.analytics.builder.grouping import DateBucket, grouped_rows
from kontora.analytics.builder.sources import Source, source
from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.core.filters import FieldType
from kontora.crm import schema

BUCKETS = (
    ("day", gettext_lazy("Day")),
    ("week", gettext_lazy("Week")),
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
    ("year", gettext_lazy("Year")),
)
FUNCTIONS = (
    ("count", gettext_lazy("Count")),
    ("sum", gettext_lazy("Sum")),
    ("avg", gettext_lazy("Average")),
    ("min", gettext_lazy("Minimum")),
    ("max", gettext_lazy("Maximum")),
)
CHARTS = (
    ("bar", gettext_lazy("Bars")),
    ("line", gettext_lazy("Line")),
    ("pie", gettext_lazy("Pie")),
    ("funnel", gettext_lazy("Funnel")),
    ("table", gettext_lazy("Table only")),
)
_AGGREGATES = {"sum": Sum, "avg": Avg, "min": Min, "max": Max}
_DATES = (FieldType.DATE, FieldType.DATETIME)


class JsonDate(Func):
    """The first ten characters of a JSON text value ("YYYY-MM-DD…") as a date, on SQLite and PostgreSQL."""

    template = "CAST(SUBSTR(%(expressions)s, 1, 10) AS date)"

    def __init__(self, expression) -> None:
        super().__init__(expression, output_field=DateField())

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="SUBSTR(%(expressions)s, 1, 10)", **extra)


@dataclass(frozen=True)
class Dimension:
    field: str
    bucket: str = ""


@dataclass(frozen=True)
class Measure:
    function: str = "count"
    field: str = ""

    @property
    def key(self) -> str:
        return self.function if self.function == "count" else f"{self.function}:{self.field}"


@dataclass
class Definition:
    entity: str
    filter: dict = field(default_factory=dict)
    dimensions: list[Dimension] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=lambda: [Measure()])
    chart: str = "bar"

    @classmethod
    def from_dict(cls, entity: str, data: Mapping) -> "Definition":
        dimensions = [Dimension(str(item.get("field", "")), str(item.get("bucket", "") or "")) for item in
                      data.get("dimensions") or [] if isinstance(item, Mapping)]  # fmt: skip
        measures = [Measure(str(item.get("function", "count")), str(item.get("field", "") or "")) for item in
                    data.get("measures") or [] if isinstance(item, Mapping)]  # fmt: skip
        return cls(entity, dict(data.get("filter") or {}), dimensions, measures or [Measure()],
                   str(data.get("chart") or "bar"))  # fmt: skip

    def to_dict(self) -> dict:
        return {
            "filter": self.filter,
            "dimensions": [{"field": item.field, "bucket": item.bucket} for item in self.dimensions],
            "measures": [{"function": item.function, "field": item.field} for item in self.measures],
            "chart": self.chart,
        }


@dataclass
class Row:
    keys: tuple
    labels: tuple[str, ...]
    values: list[Any]


@dataclass
class Result:
    definition: Definition
    dimension_labels: list[str]
    measure_labels: list[str]
    rows: list[Row]

    @property
    def headers(self) -> list[str]:
        return [*self.dimension_labels, *self.measure_labels]

    def value(self, *labels: str, measure: int = 0) -> Any:
        """The figure of the row whose dimension labels are these (tests and templates)."""
        for row in self.rows:
            if row.labels == labels:
                return row.values[measure]
        return None

    def chart(self) -> dict:
        """Categories (first dimension) and series: per second-dimension value (`by` "dimension", stacked in a bar
        chart), or per measure (`by` "measure", the second measure on an axis of its own); for ECharts."""
        categories = list(dict.fromkeys(row.labels[0] for row in self.rows)) if self.dimension_labels else [""]
        index = {label: position for position, label in enumerate(categories)}
        series: dict[str, list] = {}
        for row in self.rows:
            position = index[row.labels[0]] if self.dimension_labels else 0
            if len(self.dimension_labels) == 2:
                series.setdefault(row.labels[1], [0] * len(categories))[position] = _number(row.values[0])
            else:
                for label, value in zip(self.measure_labels, row.values, strict=True):
                    series.setdefault(label, [0] * len(categories))[position] = _number(value)
        return {"type": self.definition.chart, "categories": categories,
                "by": "dimension" if len(self.dimension_labels) == 2 else "measure",
                "series": [{"name": name, "data": data} for name, data in series.items()]}  # fmt: skip


def _number(value: Any) -> float | int:
    if value is None:
        return 0
    return float(value) if isinstance(value, Decimal) else value


def groupable(source_: Source) -> dict[str, schema.Field]:
    """Fields a report may group by: one value per record (no to-many links, no long texts)."""
    return {
        name: item
        for name, item in source_.fields().items()
        if item.export
        and item.column
        and not (item.multiple and not item.json)
        and "__id" not in item.path
        and name != "ID"  # one group per record is a list, not a report
    }


def validate(definition: Definition) -> Source:
    """The definition's source, or Invalid naming the part at fault."""
    try:
        source_ = source(definition.entity)
    except KeyError:
        raise Invalid("UNKNOWN_ENTITY", "entity", _("Choose what to count.")) from None
    fields = groupable(source_)
    if not 1 <= len(definition.dimensions) <= 2:
        raise Invalid("DIMENSIONS", "dimensions", _("Group by one or two fields."))
    for item in definition.dimensions:
        if item.field not in fields:
            raise Invalid("UNKNOWN_FIELD", "dimensions", _("There is no field %(name)s to group by.") % {
                "name": item.field})  # fmt: skip
        if item.bucket and item.bucket not in dict(BUCKETS):
            raise Invalid("BUCKET", "dimensions", _("Dates are grouped by day, week, month, quarter or year."))
    numeric = source_.numeric()
    for item in definition.measures:
        if item.function not in dict(FUNCTIONS):
            raise Invalid("MEASURE", "measures", _("Unknown measure."))
        if item.function != "count" and item.field not in numeric:
            raise Invalid("MEASURE", "measures", _("Sums and averages need a numeric field."))
    if definition.chart not in dict(CHARTS):
        raise Invalid("CHART", "chart", _("Unknown chart type."))
    filters.parse(definition.filter, source_.fields())
    return source_


def _expression(item: schema.Field, bucket: str):
    if item.json:
        value = KT(item.path)
        if item.type in _DATES:
            return Trunc(JsonDate(value), bucket or "month", output_field=DateField())
        return value
    path = f"{item.related}_id" if item.rest_type == "crm_status" else item.path
    if item.type == FieldType.DATETIME:
        return DateBucket(path, bucket or "month", output_field=DateField(), tzinfo=timezone.get_current_timezone())
    if item.type == FieldType.DATE:
        return Trunc(path, bucket or "month", output_field=DateField())
    return F(path)


def _aggregate(measure: Measure, fields: dict[str, schema.Field]):
    if measure.function == "count":
        return Count("pk")
    item = fields[measure.field]
    target = Cast(KT(item.path), DecimalField(max_digits=24, decimal_places=4)) if item.json else F(item.path)
    return _AGGREGATES[measure.function](target)


def run(viewer, definition: Definition, action: str = "read") -> Result:
    """The report's figures over the records `viewer` may see (`action` "export" for downloads)."""
    source_ = validate(definition)
    fields = source_.fields()
    queryset = filters.apply(source_.records(viewer, action), definition.filter, fields)
    names = [f"d{position}" for position in range(len(definition.dimensions))]
    annotations = {name: _expression(fields[item.field], item.bucket) for name, item in
                   zip(names, definition.dimensions, strict=True)}  # fmt: skip
    measures = {f"m{position}": _aggregate(item, fields) for position, item in enumerate(definition.measures)}
    raw = grouped_rows(queryset, annotations, measures)
    labelled = []  # per dimension: value → (sort key, label), each distinct value labelled once
    for name, item in zip(names, definition.dimensions, strict=True):
        values = {row[name] for row in raw}
        labeller = _labeller(source_, fields[item.field], item.bucket, values)
        labelled.append({value: labeller(value) for value in values})
    rows = [
        Row(
            keys=tuple(row[name] for name in names),
            labels=tuple(labels[row[name]][1] for name, labels in zip(names, labelled, strict=True)),
            values=[row[key] for key in measures],
        )
        for row in raw
    ]
    rows.sort(key=lambda row: tuple(labels[key][0] for key, labels in zip(row.keys, labelled, strict=True)))
    return Result(
        definition=definition,
        dimension_labels=[_dimension_label(fields[item.field], item.bucket) for item in definition.dimensions],
        measure_labels=[measure_label(item, fields) for item in definition.measures],
        rows=rows,
    )


def _dimension_label(item: schema.Field, bucket: str) -> str:
    if item.type in _DATES:
        return f"{item.label} ({dict(BUCKETS)[bucket or 'month']})".lower().capitalize()
    return str(item.label)


def measure_label(measure: Measure, fields: dict[str, schema.Field]) -> str:
    if measure.function == "count":
        return _("Count")
    return f"{dict(FUNCTIONS)[measure.function]}: {fields[measure.field].label}"


def _labeller(source_: Source, item: schema.Field, bucket: str, values: set):
    """value → (sort key, label) for one dimension, with one query for the names of linked rows."""
    empty = ((1,), _("Not set"))
    if item.type in _DATES:
        kind = bucket or "month"
        return lambda value: empty if value is None else ((0, _as_date(value)), _date_label(_as_date(value), kind))
    if item.type == FieldType.BOOLEAN:
        return lambda value: empty if value is None else ((0, not value), _("Yes") if value else _("No"))
    names = _names(source_, item, {value for value in values if value is not None})
    if names is not None:
        return lambda value: empty if value is None else names.get(value, ((0, 0, str(value)), str(value)))
    return lambda value: empty if value in (None, "") else ((0, _sortable(value)), str(value))


def _sortable(value: Any) -> Any:
    return value if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else str(value)


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else date.fromisoformat(
        str(value)[:10])  # fmt: skip


def _date_label(value: date, kind: str) -> str:
    if kind == "year":
        return str(value.year)
    if kind == "quarter":
        return _("Q%(quarter)s %(year)s") % {"quarter": (value.month - 1) // 3 + 1, "year": value.year}
    if kind == "month":
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if kind == "week":
        return _("week of %(date)s") % {"date": formats.date_format(value, "SHORT_DATE_FORMAT")}
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _names(source_: Source, item: schema.Field, values: set) -> dict | None:
    """Names of linked rows (people, stages, pipelines, companies…) or of choices; None for plain values."""
    if item.options:
        options = dict(item.options)
        return {value: ((0, position, str(value)), options.get(str(value), str(value))) for position, value in
                enumerate(sorted(values, key=str))}  # fmt: skip
    model_field = _model_field(source_, item)
    if model_field is None:
        return None
    if model_field.choices:
        choices = dict(model_field.flatchoices)
        order = list(choices)
        return {value: ((0, order.index(value) if value in order else 99, str(value)), str(choices.get(value, value)))
                for value in values}  # fmt: skip
    if model_field.is_relation and model_field.related_model is not None:
        rows = model_field.related_model._base_manager.in_bulk(list(values))
        return {
            value: ((0, getattr(rows[value], "sort", 0), str(rows[value]), value), _row_name(rows[value]))
            for value in values
            if value in rows
        }
    return None


def _row_name(obj) -> str:
    return str(getattr(obj, "full_name", "") or obj)


def _model_field(source_: Source, item: schema.Field):
    if item.json:
        return None
    path = f"{item.related}_id" if item.rest_type == "crm_status" else item.path
    model = source_.model
    parts = path.split("__")
    for position, part in enumerate(parts):
        name = part.removesuffix("_id") if part.endswith("_id") else part
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            try:
                model_field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
        if position == len(parts) - 1:
            return model_field
        if not model_field.is_relation:
            return None
        model = model_field.related_model
    return None
