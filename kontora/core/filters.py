"""Bitrix24's filter language ({">=DATE_CREATE": …, "%TITLE": …, "@ID": […]}) parsed in one place into Q objects.

REST list methods, the list pages' filter bar, saved filters, segments, reports and robot conditions all call
`parse(filter, fields)`. A field map names each external field (TITLE, STAGE_ID, UF_CRM_…) with its ORM lookup path
and type; `kontora.crm.schema` declares the CRM's maps.

Operators (the key's prefix), as Bitrix24 has them:

    "" or "="       equal; a list means IN          "!" or "!="     not equal; a list means NOT IN
    ">" ">=" "<" "<="  compare numbers, dates, text  "@" / "!@"      IN / NOT IN (a list, or "1,2,3")
    "%"             contains, any case, any alphabet "!%"            does not contain
    "=%" or "%="    LIKE where "%" in the value is a wildcard ("Ив%"); "!=%" and "!%=" negate it
    "><" / "!><"    between two values, both included / outside them

Values:
- An empty value ("" , None, or False for a non-boolean field) with "=" means "not filled in": NULL, "" for text,
  also 0 for link fields that Bitrix24 sends as 0 (COMPANY_ID); with "!" it means "filled in". With a comparing,
  LIKE or between operator an empty value is ignored, as a blank search box is.
- An empty list (also b24pysdk's [""]) with "="/"@" matches nothing, with "!"/"!@" everything.
- Booleans take Y/N (also 1/0, true/false); dates take ISO-8601, YYYY-MM-DD and DD.MM.YYYY[ HH:MI[:SS]].
- A date without a time on a date-and-time field means that whole day in the current time zone: "=" is within the
  day, ">=" from its start, "<=" to its end, ">" after it, "<" before it, "><" from the first day's start to the
  last day's end.
- "%" compares lower-cased text (kontora.core.textsearch makes lower() Unicode-aware on SQLite too), so "иван"
  finds "Иван". In "=%" only "%" is a wildcard; "_" is an ordinary character.

Conditions are ANDed. A key of digits holding a map is a nested group, and "LOGIC": "OR" inside a map ORs its
conditions, as crm.item.list does: {"0": {"LOGIC": "OR", "%TITLE": "ООО", "%NAME": "ООО"}}.
Custom fields live in a JSON column: their path is "custom__UF_CRM_X" with `json=True`.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.fields.json import KT
from django.db.models.functions import Lower
from django.db.models.lookups import (
    Contains,
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
    Regex,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora.core.errors import Invalid


class FieldType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    ENUM = "enum"  # a code ("C1:NEW", "S"); `choices` may map external codes to stored values


@dataclass(frozen=True, kw_only=True)
class Field:
    """How one external field is filtered: its ORM lookup path and its type."""

    path: str
    type: FieldType = FieldType.STRING
    json: bool = False  # path is "<json column>__<key>"
    choices: Mapping[str, Any] | None = None  # enum: external code → stored value; None: stored as sent
    zero_is_empty: bool = False  # link ids: 0 means "none", as Bitrix24 sends it
    like: bool | None = None  # whether "%" operators apply; None: text fields only
    where: Callable[[str, Any], Q] | None = None  # builds its own condition from (operator, value): a subquery

    @property
    def takes_like(self) -> bool:
        return self.type == FieldType.STRING if self.like is None else self.like


FieldMap = Mapping[str, Field]

# Longest prefixes first, so that "!=%" is not read as "!=" + "%NAME".
_PREFIXES = (
    ("!><", "nbetween"),
    ("!=%", "nlike_pattern"),
    ("!%=", "nlike_pattern"),
    ("><", "between"),
    ("=%", "like_pattern"),
    ("%=", "like_pattern"),
    ("!=", "ne"),
    ("!%", "nlike"),
    ("!@", "nin"),
    (">=", "gte"),
    ("<=", "lte"),
    ("!", "ne"),
    ("=", "eq"),
    ("%", "like"),
    ("@", "in"),
    (">", "gt"),
    ("<", "lt"),
)
_COMPARISONS = {"gt", "gte", "lt", "lte"}
_LOOKUP_CLASSES = {
    "exact": Exact,
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "lt": LessThan,
    "lte": LessThanOrEqual,
    "in": In,
}
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_TRUE = {"y", "1", "true", "yes"}
_FALSE = {"n", "0", "false", "no"}


@dataclass(frozen=True)
class _Day:
    """A date given for a date-and-time field: the whole day, [start, end)."""

    start: datetime
    end: datetime


def split_key(key: str) -> tuple[str, str]:
    """'>=DATE_CREATE' → ('gte', 'DATE_CREATE')."""
    for prefix, op in _PREFIXES:
        if key.startswith(prefix):
            return op, key[len(prefix) :].strip()
    return "eq", key.strip()


def resolve(name: str, fields: FieldMap) -> tuple[str, Field]:
    """The field's canonical name and spec; names match as sent, upper-cased, or from camelCase (stageId)."""
    for candidate in (name, name.upper(), _CAMEL.sub("_", name).upper()):
        if candidate in fields:
            return candidate, fields[candidate]
    raise Invalid("UNKNOWN_FIELD", name, _("There is no field %(name)s to filter by.") % {"name": name})


def parse(filter: Mapping | None, fields: FieldMap) -> Q:
    """A Bitrix24 filter as a Q over the field map's paths; raises Invalid naming the field at fault."""
    if filter is None or filter == [] or filter == "":
        return Q()
    if not isinstance(filter, Mapping):
        raise Invalid("INVALID_FILTER", None, _("The filter must be a set of field conditions."))
    logic = "AND"
    parts: list[Q] = []
    for raw_key, value in filter.items():
        key = str(raw_key).strip()
        if key.upper() == "LOGIC":
            logic = str(value).strip().upper()
            if logic not in ("AND", "OR"):
                raise Invalid("INVALID_FILTER", "LOGIC", _("LOGIC is either AND or OR."))
            continue
        if _is_group(key, value):
            parts.append(parse(value, fields))
            continue
        op, name = split_key(key)
        name, field = resolve(name, fields)
        parts.append(condition(field, name, op, value))
    if not parts:
        return Q()
    result = parts[0]
    for part in parts[1:]:
        result = (result | part) if logic == "OR" else (result & part)
    return result


def apply(queryset: QuerySet, filter: Mapping | None, fields: FieldMap) -> QuerySet:
    """queryset filtered by `parse()`; conditions on to-many relations go through a subquery, so rows never repeat."""
    condition = parse(filter, fields)
    if not condition:
        return queryset
    model = queryset.model
    if any(_crosses_many(model, fields[name].path) for name in field_names(filter, fields) if not fields[name].json):
        return queryset.filter(pk__in=model._base_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def field_names(filter: Mapping | None, fields: FieldMap) -> set[str]:
    """The canonical names of the fields a filter uses (nested groups included)."""
    names: set[str] = set()
    if not isinstance(filter, Mapping):
        return names
    for raw_key, value in filter.items():
        key = str(raw_key).strip()
        if key.upper() == "LOGIC":
            continue
        if _is_group(key, value):
            names |= field_names(value, fields)
        else:
            names.add(resolve(split_key(key)[1], fields)[0])
    return names


def _is_group(key: str, value: Any) -> bool:
    return isinstance(value, Mapping) and (key.isdigit() or any(str(k).upper() == "LOGIC" for k in value))


def _crosses_many(model, path: str) -> bool:
    for part in path.split("__"):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if model_field.many_to_many or model_field.one_to_many:
            return True
        if not model_field.is_relation or model_field.related_model is None:
            return False
        model = model_field.related_model
    return False


def ordering(order: Mapping | None, fields: FieldMap, default: str = "ID") -> list[OrderBy]:
    """Bitrix24's order {FIELD: "ASC"|"DESC"} as order_by() arguments; unknown fields and directions are Invalid."""
    result = []
    for raw_name, raw_direction in (order or {default: "ASC"}).items():
        name, field = resolve(str(raw_name), fields)
        direction = str(raw_direction or "ASC").strip().upper()
        if direction not in ("ASC", "DESC"):
            raise Invalid("INVALID_ORDER", name, _("Sort ascending (ASC) or descending (DESC)."))
        expression = KT(field.path) if field.json else F(field.path)
        if field.path in ("id", "pk"):  # never null: a plain order lets the database walk the primary key
            result.append(expression.desc() if direction == "DESC" else expression.asc())
        else:
            result.append(expression.desc(nulls_last=True) if direction == "DESC" else expression.asc(nulls_first=True))
    return result


def condition(field: Field, name: str, op: str, raw: Any) -> Q:
    """One "<prefix>NAME": value condition."""
    if field.where is not None:
        return field.where(op, raw)
    items = _as_list(raw)
    if op in ("between", "nbetween"):
        return _between(field, name, op, raw, items)
    if op in ("in", "nin") and items is None:
        items = [part.strip() for part in raw.split(",")] if isinstance(raw, str) else [raw]
    if items is not None:
        return _many(field, name, op, items)
    if _is_empty(field, raw):
        if op == "eq":
            return _empty(field)
        if op == "ne":
            return ~_empty(field)
        return Q()  # a blank comparison, LIKE or range is no condition at all
    if op in ("eq", "ne", "in", "nin"):
        positive = _equal(field, name, raw)
        return _negate(field, positive) if op in ("ne", "nin") else positive
    if op in _COMPARISONS:
        return _compare(field, name, op, raw)
    return _like_condition(field, name, op, raw)


def _as_list(value: Any) -> list | None:
    """Lists, tuples and PHP-style {"0": a, "1": b} maps as a list; scalars as None."""
    if isinstance(value, Mapping):
        if all(str(key).isdigit() for key in value):
            return [value[key] for key in sorted(value, key=lambda key: int(key))]
        return [value]  # a map where a value belongs: rejected as a bad value later
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return None


def _is_empty(field: Field, value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    if value is False and field.type != FieldType.BOOLEAN:
        return True
    return field.zero_is_empty and not isinstance(value, bool) and str(value).strip() in ("0", "0.0")


def _many(field: Field, name: str, op: str, items: list) -> Q:
    """A list: IN for = and @, NOT IN for ! and !@, any of the patterns for LIKE operators."""
    values = [item for item in items if not (isinstance(item, str) and not item.strip()) and item is not None]
    if op in _COMPARISONS:
        raise Invalid("BAD_VALUE", name, _("Compare %(name)s with one value, not a list.") % {"name": name})
    if op in ("like", "nlike", "like_pattern", "nlike_pattern"):
        positive = Q(pk__in=[])
        for value in values:
            positive |= _like(field, name, op.removeprefix("n"), value)
        if not values:
            return Q()
        return _negate(field, positive) if op.startswith("n") else positive
    empty = [value for value in values if _is_empty(field, value)]
    filled = [value for value in values if not _is_empty(field, value)]
    positive = _empty(field) if empty else Q(pk__in=[])
    plain = []
    for value in filled:
        parsed = _value(field, name, value)
        if isinstance(parsed, _Day):
            positive |= _day(field, parsed)
        else:
            plain.append(parsed)
    if plain:
        positive |= _lookup(field, "in", plain)
    return _negate(field, positive) if op in ("ne", "nin") else positive


def _equal(field: Field, name: str, raw: Any) -> Q:
    value = _value(field, name, raw)
    if isinstance(value, _Day):
        return _day(field, value)
    if field.type == FieldType.BOOLEAN and field.json:
        return _lookup(field, "in", [value, int(value), "Y" if value else "N"])
    return _lookup(field, "exact", value)


def _compare(field: Field, name: str, op: str, raw: Any) -> Q:
    if field.type in (FieldType.BOOLEAN, FieldType.ENUM):
        raise Invalid("BAD_OPERATOR", name, _("%(name)s cannot be compared, only matched.") % {"name": name})
    value = _value(field, name, raw)
    if isinstance(value, _Day):
        bound = {"gt": ("gte", value.end), "gte": ("gte", value.start), "lt": ("lt", value.start)}
        op, value = bound.get(op, ("lt", value.end))  # "<=": before the next day starts
    return _lookup(field, op, value)


def _between(field: Field, name: str, op: str, raw: Any, items: list | None) -> Q:
    if items is None and isinstance(raw, str) and "," in raw:
        items = [part.strip() for part in raw.split(",")]
    if items is None or len(items) != 2:
        raise Invalid("BAD_VALUE", name, _("Give %(name)s two values: from and to.") % {"name": name})
    if field.type in (FieldType.BOOLEAN, FieldType.ENUM):
        raise Invalid("BAD_OPERATOR", name, _("%(name)s cannot be compared, only matched.") % {"name": name})
    low, high = items
    positive = Q()
    if not _is_empty(field, low):
        value = _value(field, name, low)
        positive &= _lookup(field, "gte", value.start if isinstance(value, _Day) else value)
    if not _is_empty(field, high):
        value = _value(field, name, high)
        positive &= _lookup(field, "lt", value.end) if isinstance(value, _Day) else _lookup(field, "lte", value)
    if not positive:
        return Q()
    return _negate(field, positive) if op == "nbetween" else positive


def _like_condition(field: Field, name: str, op: str, raw: Any) -> Q:
    positive = _like(field, name, op.removeprefix("n"), raw)
    return _negate(field, positive) if op.startswith("n") else positive


def _like(field: Field, name: str, op: str, raw: Any) -> Q:
    if not field.takes_like:
        raise Invalid("BAD_OPERATOR", name, _("%(name)s cannot be searched by part of its value.") % {"name": name})
    if isinstance(raw, (Mapping, list, tuple, bool)):
        raise Invalid("BAD_VALUE", name, _("Search %(name)s for text.") % {"name": name})
    text = str(raw).lower()
    if op == "like":
        if field.json:
            return Q(Contains(Lower(KT(field.path)), text))
        return Q(**{f"{field.path}__lower__contains": text})
    pattern = r"\A" + r"[\s\S]*".join(re.escape(part) for part in text.split("%")) + r"\Z"
    if field.json:
        return Q(Regex(Lower(KT(field.path)), pattern))
    return Q(**{f"{field.path}__lower__regex": pattern})


def _day(field: Field, day: _Day) -> Q:
    return _lookup(field, "gte", day.start) & _lookup(field, "lt", day.end)


def _lookup(field: Field, lookup: str, value: Any) -> Q:
    """path__lookup=value; for JSON keys, numbers compare as JSON and everything else as the key's text."""
    if not field.json:
        return Q(**{f"{field.path}__{lookup}": value})
    if field.type in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.BOOLEAN):
        value = [_jsonable(item) for item in value] if lookup == "in" else _jsonable(value)
        return Q(**{f"{field.path}__{lookup}": value})
    value = [_text(item) for item in value] if lookup == "in" else _text(value)
    return Q(_LOOKUP_CLASSES[lookup](KT(field.path), value))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _empty(field: Field) -> Q:
    """Not filled in: NULL (or a missing JSON key), "" for text, 0 for link ids."""
    if field.json:
        empty = Q(**{f"{field.path}__isnull": True}) | Q(**{field.path: None})
        if field.type in (FieldType.STRING, FieldType.ENUM, FieldType.DATE, FieldType.DATETIME):
            empty |= Q(**{field.path: ""})
    else:
        empty = Q(**{f"{field.path}__isnull": True})
        if field.type in (FieldType.STRING, FieldType.ENUM):
            empty |= Q(**{field.path: ""})
    if field.zero_is_empty:
        empty |= Q(**{field.path: 0})
    return empty


def _negate(field: Field, positive: Q) -> Q:
    """NOT; rows where a JSON key is missing count as "not equal" too (SQL would drop them as NULL)."""
    if field.json:
        return ~positive | Q(**{f"{field.path}__isnull": True}) | Q(**{field.path: None})
    return ~positive


def _value(field: Field, name: str, raw: Any) -> Any:
    """The value in the field's type, or Invalid naming the field."""
    if isinstance(raw, (Mapping, list, tuple, set)):
        raise Invalid("BAD_VALUE", name, _("%(name)s takes a single value here.") % {"name": name})
    parser = _PARSERS[field.type]
    return parser(field, name, raw)


def _bad(name: str, message: str) -> Invalid:
    return Invalid("BAD_VALUE", name, message % {"name": name})


def _string(field: Field, name: str, raw: Any) -> str:
    if isinstance(raw, bool):
        return "Y" if raw else "N"
    return str(raw).strip() if isinstance(raw, str) else str(raw)


def _integer(field: Field, name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise _bad(name, _("%(name)s takes a whole number."))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, (float, Decimal)) and raw == int(raw):
        return int(raw)
    text = str(raw).strip()
    if _INTEGER.match(text):
        return int(text)
    raise _bad(name, _("%(name)s takes a whole number."))


def _decimal(field: Field, name: str, raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _bad(name, _("%(name)s takes a number."))
    try:
        value = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise _bad(name, _("%(name)s takes a number.")) from None
    if not value.is_finite():
        raise _bad(name, _("%(name)s takes a number."))
    return value


def _boolean(field: Field, name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad(name, _("%(name)s takes Y or N."))


def _enum(field: Field, name: str, raw: Any) -> Any:
    code = _string(field, name, raw)
    if field.choices is None:
        return code
    if code in field.choices:
        return field.choices[code]
    raise Invalid("BAD_VALUE", name, _("%(value)s is not a value of %(name)s.") % {"value": code, "name": name})


def parse_moment(raw: Any) -> date | datetime | None:
    """A date or a date and time from ISO-8601, YYYY-MM-DD or DD.MM.YYYY[ HH:MI[:SS]]; None when unreadable."""
    if isinstance(raw, datetime | date):
        return raw
    text = str(raw).strip()
    match = _RU_DATE.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            if hour is None:
                return date(int(year), int(month), int(day))
            return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))  # noqa: DTZ001
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None


def _date(field: Field, name: str, raw: Any) -> date:
    moment = parse_moment(raw)
    if moment is None:
        raise _bad(name, _("%(name)s takes a date such as 2025-01-31 or 31.01.2025."))
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def _datetime(field: Field, name: str, raw: Any) -> datetime | _Day:
    moment = parse_moment(raw)
    if moment is None:
        raise _bad(name, _("%(name)s takes a date such as 2025-01-31 or 31.01.2025."))
    if not isinstance(moment, datetime):
        start = timezone.make_aware(datetime.combine(moment, time.min))
        return _Day(start, timezone.make_aware(datetime.combine(moment + timedelta(days=1), time.min)))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


_PARSERS = {
    FieldType.STRING: _string,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.BOOLEAN: _boolean,
    FieldType.ENUM: _enum,
}
