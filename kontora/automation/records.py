"""The CRM records robots work on: loading them, their stage code, their fields by external name, conditions."""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from kontora.core import filters
from kontora.crm import schema
from kontora.crm.choices import CODE_PREFIX
from kontora.crm.models import CrmRecord, Deal, Lead

MODELS: dict[str, type[CrmRecord]] = {"deal": Deal, "lead": Lead}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def load(entity: str, pk: int) -> CrmRecord | None:
    """The record, unless it is gone or in the recycle bin."""
    return MODELS[entity].objects.filter(pk=pk).first()


def entity_of(record: CrmRecord) -> str:
    return "deal" if isinstance(record, Deal) else "lead"


def stage_code(record: CrmRecord) -> str:
    status = record.stage if isinstance(record, Deal) else record.status
    return status.status_id


def category_id(record: CrmRecord) -> int | None:
    return record.category_id if isinstance(record, Deal) else None


def code(record: CrmRecord) -> str:
    """The Bitrix24 link code of the record: "D_12", "L_7"."""
    return f"{CODE_PREFIX[record.entity_type]}_{record.pk}"


def matches(record: CrmRecord, condition: dict | None) -> bool:
    """Whether the record satisfies a condition in the filter language (an empty condition always holds)."""
    if not condition:
        return True
    entity = entity_of(record)
    queryset = MODELS[entity].objects.filter(pk=record.pk)
    return filters.apply(queryset, condition, schema.fields_of(entity)).exists()


def raw_value(record: CrmRecord, field: schema.Field) -> Any:
    """The stored value of one external field (ids for links and users, codes for statuses)."""
    if field.custom:
        return (record.custom or {}).get(field.name)
    value: Any = record
    for part in field.path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
        if isinstance(value, models.Manager):
            return None  # to-many links (contacts) are not single values
    return value


def values(record: CrmRecord) -> dict[str, Any]:
    """Every single-valued field of the record under its external name, JSON-friendly."""
    result = {}
    for name, field in schema.fields_of(entity_of(record)).items():
        if field.multiple:
            continue
        result[name] = _plain(raw_value(record, field))
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def moment(record: CrmRecord, name: str) -> datetime | None:
    """A date or date-and-time field as an aware moment (a date is its midnight in the current time zone)."""
    field = schema.fields_of(entity_of(record)).get(name)
    if field is None:
        return None
    value = raw_value(record, field)
    if isinstance(value, str):
        value = filters.parse_moment(value)
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.get_current_timezone())
    return None


def substitute(record: CrmRecord, text: str) -> str:
    """Replace `{{NAME}}` placeholders with the record's field values as people read them; nothing else."""
    fields = schema.fields_of(entity_of(record))

    def replace(match: re.Match) -> str:
        field = fields.get(match.group(1).upper())
        if field is None:
            return match.group(0)
        value = schema.display_value(record, field)
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(replace, str(text or ""))
