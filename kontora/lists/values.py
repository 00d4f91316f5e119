"""Element values by field type: turning input (form, REST, process) into stored JSON, and stored JSON into text.

Stored shapes: string/text/select → str, number → int or float, date → "YYYY-MM-DD", datetime → ISO 8601 in UTC,
bool → true/false, user → user id, file → {"name", "path", "size"}; a multiple field stores a list of them.
"""

import base64
import binascii
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from kontora.accounts.models import User
from kontora.core.errors import Invalid
from kontora.lists.models import FieldType, ListField

MAX_TEXT = 20000
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_NUMBER = Decimal("1e15")


def _bad(field: ListField, message: str) -> Invalid:
    return Invalid("INVALID_VALUE", field.code, _("%(field)s: %(problem)s") % {"field": field.name, "problem": message})


def _string(field: ListField, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise _bad(field, _("enter text."))
    text = str(value).strip()
    limit = MAX_TEXT if field.type == FieldType.TEXT else 500
    if len(text) > limit:
        raise _bad(field, _("no more than %(count)s characters.") % {"count": limit})
    return text


def _number(field: ListField, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _bad(field, _("enter a number."))
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise _bad(field, _("enter a number.")) from None
    if not number.is_finite():
        raise _bad(field, _("enter a number."))
    if abs(number) >= MAX_NUMBER:
        raise _bad(field, _("the number is too large."))
    return int(number) if number == number.to_integral_value() else float(number)


def _date(field: ListField, value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    parsed = None
    try:
        parsed = parse_date(text[:10]) if len(text) >= 10 and text[4] == "-" else None
        if parsed is None and len(text) >= 10 and text[2] == ".":  # Bitrix24's 23.11.2026
            parsed = date(int(text[6:10]), int(text[3:5]), int(text[0:2]))
    except ValueError:
        parsed = None
    if parsed is None:
        raise _bad(field, _("enter a date."))
    return parsed.isoformat()


def _datetime(field: ListField, value: Any) -> str:
    parsed = value if isinstance(value, datetime) else None
    if parsed is None:
        text = str(value).strip()
        try:
            parsed = parse_datetime(text.replace(" ", "T", 1))
            if parsed is None and len(text) >= 16 and text[2] == ".":  # 23.11.2026 10:30[:00]
                parsed = timezone.make_aware(datetime(  # noqa: DTZ001  made aware in the current zone
                    int(text[6:10]), int(text[3:5]), int(text[0:2]), int(text[11:13]), int(text[14:16])
                ))  # fmt: skip
        except ValueError:
            parsed = None
    if parsed is None:
        raise _bad(field, _("enter a date and time."))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.astimezone(timezone.UTC).isoformat()


def _bool(field: ListField, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("y", "yes", "1", "true", "on", "да"):
        return True
    if text in ("n", "no", "0", "false", "off", "нет"):
        return False
    raise _bad(field, _("choose yes or no."))


def _user(field: ListField, value: Any) -> int:
    pk = value.pk if isinstance(value, User) else value
    if isinstance(pk, str) and pk.strip().lower().startswith("user_"):
        pk = pk.strip()[5:]
    try:
        pk = int(str(pk).strip())
    except ValueError:
        raise _bad(field, _("choose an employee.")) from None
    if not User.objects.filter(pk=pk, is_active=True).exists():
        raise _bad(field, _("choose an employee."))
    return pk


def _select(field: ListField, value: Any) -> str:
    text = str(value).strip()
    if text not in field.options:
        raise _bad(field, _("choose one of the options."))
    return text


def _file(field: ListField, value: Any) -> dict:
    if isinstance(value, dict) and value.get("path"):  # a value kept from before
        return {"name": str(value.get("name", "")), "path": str(value["path"]), "size": int(value.get("size") or 0)}
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(part, str) for part in value):
        try:  # REST: [file name, base64 content]
            content = ContentFile(base64.b64decode(value[1], validate=True), name=value[0])
        except (binascii.Error, ValueError):
            raise _bad(field, _("the file cannot be read.")) from None
        value = content
    if not isinstance(value, File):
        raise _bad(field, _("attach a file."))
    if value.size > MAX_FILE_BYTES:
        raise _bad(field, _("the file is larger than 25 MB."))
    name = get_valid_filename(value.name.rsplit("/", 1)[-1]) or "file"
    path = default_storage.save(f"lists/{field.list.code}/{uuid.uuid4().hex}/{name}", value)
    return {"name": name, "path": path, "size": value.size}


PARSERS = {
    FieldType.STRING: _string, FieldType.TEXT: _string, FieldType.NUMBER: _number, FieldType.DATE: _date,
    FieldType.DATETIME: _datetime, FieldType.BOOL: _bool, FieldType.USER: _user, FieldType.SELECT: _select,
    FieldType.FILE: _file,
}  # fmt: skip


def clean(field: ListField, value: Any) -> Any:
    """One field's input as stored, or None when empty; raises Invalid naming the field."""
    if isinstance(value, dict) and not (field.type == FieldType.FILE and value.get("path")):
        value = list(value.values())  # Bitrix24's {"n0": value, "n1": …}
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list) and not (field.type == FieldType.FILE and _is_rest_file(value)):
        items = [item for item in value if not _blank(item)]
    else:
        items = [] if _blank(value) else [value]
    if len(items) > 1 and not field.multiple:
        raise _bad(field, _("only one value is allowed."))
    cleaned = [item for item in (PARSERS[field.type](field, item) for item in items) if item != ""]
    if not cleaned:
        return None
    return cleaned if field.multiple else cleaned[0]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _is_rest_file(value) -> bool:
    return len(value) == 2 and all(isinstance(part, str) for part in value) and not str(value[1]).startswith("/")


def display(field: ListField, value: Any, people: dict[int, User] | None = None) -> str:
    """A stored value as text in the reader's language and time zone."""
    if value is None or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(display(field, item, people) for item in value)
    if field.type == FieldType.DATE:
        return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if field.type == FieldType.DATETIME:
        return date_format(timezone.localtime(datetime.fromisoformat(value)), "SHORT_DATETIME_FORMAT")
    if field.type == FieldType.BOOL:
        return _("Yes") if value else _("No")
    if field.type == FieldType.NUMBER:
        return number_format(value)
    if field.type == FieldType.USER:
        person = (people or {}).get(value) or User.objects.filter(pk=value).first()
        return person.full_name if person else f"#{value}"
    if field.type == FieldType.FILE:
        return value.get("name", "")
    return str(value)
