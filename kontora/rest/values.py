"""Values on the wire, as Bitrix24 writes and reads them; every method module formats through these.

Out (legacy `crm.*`, `tasks.task` strings): every scalar a string, empty links null, datetimes with the offset
(`2024-08-30T14:29:00+03:00`), dates as midnight datetimes, flags "Y"/"N". In: ISO-8601 with or without offset,
YYYY-MM-DD, DD.MM.YYYY[ HH:MI[:SS]]; booleans Y/N, 1/0, true/false.
"""

import datetime
import decimal
import re
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from kontora.core.filters import parse_moment
from kontora.rest.errors import RestError
from kontora.rest.params import to_bool

_CAMEL = re.compile(r"_([a-z0-9])")


def moment(value: datetime.datetime | datetime.date | None) -> str | None:
    """A date or datetime as Bitrix24 writes it, in the current time zone, with its offset."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(), tzinfo=timezone.get_current_timezone())
    elif timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value).isoformat(timespec="seconds")


def text(value: Any) -> str | None:
    """A scalar as legacy methods write it: a string; None stays null; booleans become Y/N."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime.datetime | datetime.date):
        return moment(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return str(value)


def flag(value: Any) -> str:
    return "Y" if bool(value) else "N"


def link(pk: int | None) -> str | None:
    """An id of a linked record: a string, or null when there is none."""
    return str(pk) if pk else None


def read_moment(value: Any, field: str) -> datetime.datetime | None:
    """A date/time from the caller; a date alone is midnight in the current time zone. Empty means None."""
    if value in (None, "", "0", 0):
        return None
    found = parse_moment(value)
    if found is None:
        raise RestError("", f"{field}: the value {value!r} is not a date or date and time.")
    if not isinstance(found, datetime.datetime):
        found = datetime.datetime.combine(found, datetime.time())
    return timezone.make_aware(found) if timezone.is_naive(found) else found


def read_flag(value: Any) -> bool:
    return to_bool(value)


def camel(name: str) -> str:
    """RESPONSIBLE_ID → responsibleId, as tasks.task and crm.item write field names."""
    return _CAMEL.sub(lambda match: match[1].upper(), name.lower())


def upper_keys(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Field names are case-insensitive on input: take them uppercase."""
    return {str(key).upper(): value for key, value in (fields or {}).items()}
