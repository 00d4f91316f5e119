"""Leads, deals, contacts and companies on the wire of the legacy `crm.{entity}.*` methods.

Out: the entity's schema fields (`kontora.crm.schema`) under Bitrix24's names, every scalar a string, empty links
null, moments with the offset, flags Y/N; custom fields UF_CRM_* from the record's `custom` JSON (yes/no as "1"/"0",
as Bitrix24 stores user fields); multi-fields PHONE/EMAIL/WEB/IM as `[{ID, TYPE_ID, VALUE, VALUE_TYPE}]`, only when
the record has some. In: Bitrix24's names read into the services' keyword arguments; unknown names are ignored.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.core.filters import FieldType
from kontora.crm import cards, schema, selectors
from kontora.crm.choices import Dictionary, MultiFieldType
from kontora.crm.communications import normalize
from kontora.crm.models import Category, Company, Contact, FieldDefinition, LossReason, MultiField, Status
from kontora.rest import values
from kontora.rest.errors import RestError

MULTI_FIELDS = tuple(MultiFieldType.values)  # PHONE, EMAIL, WEB, IM
HAS_FIELDS = {"HAS_PHONE": MultiFieldType.PHONE, "HAS_EMAIL": MultiFieldType.EMAIL, "HAS_IMOL": MultiFieldType.IM}
WITH_MULTI_FIELDS = frozenset({"lead", "contact", "company"})
_TO_MANY = {"contacts", "companies"}


def fields_answer(key: str) -> dict[str, dict]:
    """crm.{entity}.fields: the schema's description plus the multi-fields and the derived HAS_* flags."""
    result = schema.describe(key)
    if key not in WITH_MULTI_FIELDS:
        return result
    for type_id in MULTI_FIELDS:
        result[type_id] = _describe("crm_multifield", str(MultiFieldType(type_id).label), multiple=True)
    for name, type_id in HAS_FIELDS.items():
        result[name] = _describe("char", str(_("Has %(kind)s") % {"kind": MultiFieldType(type_id).label}), True)
    return result


def _describe(kind: str, title: str, read_only: bool = False, multiple: bool = False) -> dict:
    return {"type": kind, "isRequired": False, "isReadOnly": read_only, "isImmutable": False,
            "isMultiple": multiple, "isDynamic": False, "title": title}  # fmt: skip


# Out ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which fields a list or get writes: standard, custom, multi-fields, and the derived HAS_* flags."""

    standard: tuple[schema.Field, ...]
    custom: tuple[schema.Field, ...]
    multi: tuple[str, ...]
    has: tuple[str, ...]


def selection(key: str, select: Iterable[Any] | None, *, everything: bool = False) -> Selection:
    """`*` = standard fields, `UF_*` = custom fields, default both; multi-fields only when named (or `everything`)."""
    fields = schema.fields_of(key)
    standard = [field for field in fields.values() if not field.custom]
    custom = [field for field in fields.values() if field.custom]
    has = list(HAS_FIELDS) if key in WITH_MULTI_FIELDS else []
    multi = list(MULTI_FIELDS) if key in WITH_MULTI_FIELDS else []
    names = [str(name).strip().upper() for name in (select or []) if str(name).strip()]
    if everything or not names:
        return Selection(tuple(standard), tuple(custom), tuple(multi) if everything else (), tuple(has))
    chosen_standard = [field for field in standard if "*" in names or field.name in names or field.name == "ID"]
    chosen_custom = [field for field in custom if "UF_*" in names or field.name in names]
    return Selection(
        tuple(chosen_standard), tuple(chosen_custom), tuple(name for name in multi if name in names),
        tuple(name for name in has if "*" in names or name in names),
    )  # fmt: skip


def prepare(queryset: QuerySet, chosen: Selection) -> QuerySet:
    """The joins and prefetches the chosen fields need, so that a page costs a fixed number of queries."""
    related = {field.path.split("__")[0] for field in chosen.standard if "__" in field.path and not field.json}
    to_many = sorted(related & _TO_MANY)
    joined = sorted(related - _TO_MANY)
    if joined:
        queryset = queryset.select_related(*joined)
    if to_many:
        queryset = queryset.prefetch_related(*to_many)
    return queryset


def write_rows(records: list, chosen: Selection) -> list[dict[str, Any]]:
    """The records as Bitrix24 writes them, with the multi-fields of the whole page read in one query."""
    communications: dict[int, dict[str, list[MultiField]]] = {}
    if records and (chosen.multi or chosen.has):
        rows = MultiField.objects.filter(entity_type=records[0].entity_type, entity_id__in=[r.pk for r in records])
        for item in rows.order_by("id"):
            communications.setdefault(item.entity_id, {}).setdefault(item.type_id, []).append(item)
    return [_write(record, chosen, communications.get(record.pk, {})) for record in records]


def _write(record, chosen: Selection, communications: dict[str, list[MultiField]]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in chosen.standard:
        row[field.name] = _standard(record, field)
    for name in chosen.has:
        row[name] = values.flag(communications.get(HAS_FIELDS[name]))
    custom = record.custom or {}
    for field in chosen.custom:
        row[field.name] = _custom(custom.get(field.name), field)
    for type_id in chosen.multi:
        if communications.get(type_id):
            row[type_id] = [
                {"ID": str(item.pk), "TYPE_ID": item.type_id, "VALUE": item.value, "VALUE_TYPE": item.value_type}
                for item in communications[type_id]
            ]
    return row


def _standard(record, field: schema.Field) -> Any:
    head, _sep, rest = field.path.partition("__")
    if head in _TO_MANY:
        ids = sorted(item.pk for item in getattr(record, head).all())
        if field.multiple:
            return [str(pk) for pk in ids]
        return values.link(ids[0] if ids else None)
    value: Any = record
    for part in field.path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            break
    if field.type == FieldType.INTEGER and (field.rest_type == "user" or field.zero_is_empty):
        return values.link(value)
    if field.type == FieldType.BOOLEAN:
        return values.flag(value)
    return values.text(value)


def _custom(value: Any, field: schema.Field) -> Any:
    if isinstance(value, list):
        return [_custom(item, field) for item in value]
    if isinstance(value, bool):
        return "1" if value else "0"
    if field.rest_type == FieldDefinition.Kind.BOOLEAN and value is None:
        return "0"
    return values.text(value)


def split_filter(key: str, filter_: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """The filter without its multi-field conditions, and those as a Q (PHONE by any format, EMAIL any case).

    `PHONE`/`=PHONE` (a value or a list) match a normalised value, `%PHONE` a part of it.
    """
    rest: dict[str, Any] = {}
    condition = Q()
    for raw_key, value in (filter_ or {}).items():
        op, name = filters.split_key(str(raw_key).strip())
        if key not in WITH_MULTI_FIELDS or name.upper() not in MULTI_FIELDS:
            rest[raw_key] = value
            continue
        type_id = name.upper()
        if op not in ("eq", "in", "like"):
            raise rejected(type_id, "Match communications by value (PHONE, =PHONE, @PHONE) or by part (%PHONE).")
        items = [str(item) for item in (value if isinstance(value, list) else [value]) if str(item).strip()]
        rows = MultiField.objects.filter(entity_type=schema.entity(key).entity_type, type_id=type_id)
        if op == "like":
            found = Q(pk__in=[])
            for item in items:
                found |= Q(normalized__contains=normalize(type_id, item)) | Q(value__icontains=item.strip())
            rows = rows.filter(found)
        else:
            rows = rows.filter(normalized__in=[normalize(type_id, item) for item in items])
        condition &= Q(pk__in=rows.values("entity_id"))
    return rest, condition


# In ----------------------------------------------------------------------------------------------------------

# Bitrix24 name → (the services' keyword, how the value is read). Names not listed are ignored, as Bitrix24 does.
COMMON_INPUT = {"ASSIGNED_BY_ID": ("responsible", "user"), "OPENED": ("opened", "flag"),
                "COMMENTS": ("comments", "text")}  # fmt: skip
PERSON_INPUT = {
    "HONORIFIC": ("honorific", "text"), "NAME": ("first_name", "text"), "SECOND_NAME": ("middle_name", "text"),
    "LAST_NAME": ("last_name", "text"), "POST": ("position", "text"), "ADDRESS": ("address", "text"),
    "SOURCE_ID": ("source", Dictionary.SOURCE),
}  # fmt: skip
INPUT: dict[str, dict[str, tuple[str, str]]] = {
    "deal": {
        **COMMON_INPUT, "TITLE": ("title", "text"), "TYPE_ID": ("deal_type", Dictionary.DEAL_TYPE),
        "OPPORTUNITY": ("amount", "decimal"), "CURRENCY_ID": ("currency", "currency"),
        "PROBABILITY": ("probability", "integer"), "BEGINDATE": ("begin_date", "date"),
        "CLOSEDATE": ("close_date", "date"), "COMPANY_ID": ("company", "company"),
        "CONTACT_ID": ("contacts", "contact_list"), "CONTACT_IDS": ("contacts", "contact_list"),
        "SOURCE_ID": ("source", Dictionary.SOURCE), "IS_MANUAL_OPPORTUNITY": ("is_manual_amount", "flag"),
    },
    "lead": {
        **COMMON_INPUT, **PERSON_INPUT, "TITLE": ("title", "text"), "COMPANY_TITLE": ("company_title", "text"),
        "SOURCE_DESCRIPTION": ("source_description", "text"), "STATUS_ID": ("status", Dictionary.LEAD_STATUS),
        "OPPORTUNITY": ("amount", "decimal"), "CURRENCY_ID": ("currency", "currency"),
        "UTM_SOURCE": ("utm_source", "text"), "UTM_MEDIUM": ("utm_medium", "text"),
        "UTM_CAMPAIGN": ("utm_campaign", "text"), "UTM_CONTENT": ("utm_content", "text"),
        "UTM_TERM": ("utm_term", "text"), "COMPANY_ID": ("company", "company"), "CONTACT_ID": ("contact", "contact"),
    },
    "contact": {
        **COMMON_INPUT, **PERSON_INPUT, "BIRTHDATE": ("birthdate", "date"),
        "TYPE_ID": ("contact_type", Dictionary.CONTACT_TYPE), "COMPANY_ID": ("companies", "company_list"),
        "COMPANY_IDS": ("companies", "company_list"),
    },
    "company": {
        **COMMON_INPUT, "TITLE": ("title", "text"), "COMPANY_TYPE": ("company_type", Dictionary.COMPANY_TYPE),
        "INDUSTRY": ("industry", Dictionary.INDUSTRY), "EMPLOYEES": ("employees", "integer"),
        "REVENUE": ("revenue", "decimal"), "CURRENCY_ID": ("currency", "currency"), "ADDRESS": ("address", "text"),
    },
}  # fmt: skip
# The services' names of rejected fields → Bitrix24's, so that an error names the field the caller sent.
SERVICE_NAMES = {"stage": "STAGE_ID", "category": "CATEGORY_ID", "phones": "PHONE", "emails": "EMAIL",
                 "loss_reason": "LOSS_REASON_ID", "status": "STATUS_ID"}  # fmt: skip


def bitrix_name(key: str, field: str | None) -> str | None:
    """The Bitrix24 name of a service's field ("amount" → "OPPORTUNITY")."""
    if not field:
        return field
    for name, (keyword, _kind) in INPUT[key].items():
        if keyword == field:
            return name
    return SERVICE_NAMES.get(field, field)


def rejected(name: str, message: str) -> Invalid:
    return Invalid("BAD_VALUE", name, message)


def read_fields(key: str, fields: Mapping[str, Any], user) -> dict[str, Any]:
    """The caller's fields as the services' keyword arguments (custom fields under "custom")."""
    result: dict[str, Any] = {}
    spec = INPUT[key]
    if "CONTACT_IDS" in fields and "CONTACT_ID" in fields and key == "deal":
        fields = {name: value for name, value in fields.items() if name != "CONTACT_ID"}
    if "COMPANY_IDS" in fields and "COMPANY_ID" in fields and key == "contact":
        fields = {name: value for name, value in fields.items() if name != "COMPANY_ID"}
    for name, raw in fields.items():
        if name in spec:
            keyword, kind = spec[name]
            result[keyword] = read_value(name, kind, raw, user)
    custom = {code: raw for code, raw in fields.items() if code in _custom_codes(key)}
    if custom:
        result["custom"] = custom
    return result


def _custom_codes(key: str) -> set[str]:
    return {name for name, field in schema.fields_of(key).items() if field.custom}


def read_value(name: str, kind: str, raw: Any, user) -> Any:
    """One value in the shape the service takes; a bad one is refused naming the field."""
    empty = raw is None or (isinstance(raw, str) and not raw.strip()) or raw in ([], [""])
    if kind == "text":
        if isinstance(raw, list | dict):
            raise rejected(name, "Expected text.")
        return "" if raw is None else str(raw).strip()
    if kind == "flag":
        return values.read_flag(raw)
    if kind == "currency":
        return str(raw or "RUB").strip().upper()[:3]
    if kind.endswith("_list"):
        if empty:
            return []
        items = list(raw.values()) if isinstance(raw, dict) else raw if isinstance(raw, list) else [raw]
        return [read_value(name, kind.removesuffix("_list"), item, user) for item in items if item not in ("", None)]
    if empty or (kind in ("company", "contact", "user") and str(raw).strip() == "0"):
        return None
    if kind == "decimal":
        try:
            return Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            raise rejected(name, "Enter a number.") from None
    if kind in ("integer", "user", "company", "contact"):
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise rejected(name, "Enter a whole number.") from None
        return _target(name, kind, number, user) if kind != "integer" else number
    if kind == "date":
        try:
            moment = values.read_moment(raw, name)
        except RestError:
            raise rejected(name, "Enter a date: YYYY-MM-DD, ISO-8601 or DD.MM.YYYY.") from None
        return timezone.localtime(moment).date()
    return status(name, kind, raw)


def _target(name: str, kind: str, pk: int, user) -> Any:
    if kind == "user":
        found = cards.active_users().filter(pk=pk).first()
    else:
        found = selectors.visible_records(user, Company if kind == "company" else Contact).filter(pk=pk).first()
    if found is None:
        raise rejected(name, f"There is no {'active employee' if kind == 'user' else kind} with ID {pk}.")
    return found


def status(name: str, entity_id: str, code: Any) -> Status:
    """A dictionary value by its code (SOURCE "WEB", STATUS "NEW", DEAL_STAGE_1 "C1:WON")."""
    found = Status.objects.filter(entity_id=entity_id, status_id=str(code).strip()).first()
    if found is None:
        raise rejected(name, f"{code!r} is not a value of {entity_id}.")
    return found


def category(pk: Any) -> Category:
    try:
        found = Category.objects.filter(pk=int(str(pk).strip() or 0)).first()
    except ValueError:
        found = None
    if found is None:
        raise rejected("CATEGORY_ID", f"There is no pipeline with ID {pk}.")
    return found


def loss_reason(pk: Any) -> LossReason | None:
    if pk in (None, "", "0", 0):
        return None
    found = LossReason.objects.filter(pk=int(str(pk))).first() if str(pk).strip().isdigit() else None
    if found is None:
        raise rejected("LOSS_REASON_ID", f"There is no loss reason with ID {pk}.")
    return found


def read_multifields(raw: Any, type_id: str) -> list[dict[str, Any]]:
    """`[{ID?, VALUE, VALUE_TYPE, DELETE?}]` (a map keyed 0..n also), each item's keys upper-cased."""
    if raw in (None, "", [""]):
        return []
    items = list(raw.values()) if isinstance(raw, dict) else raw if isinstance(raw, list) else None
    if items is None or not all(isinstance(item, dict) for item in items):
        raise rejected(type_id, "Expected a list of {VALUE, VALUE_TYPE}.")
    return [values.upper_keys(item) for item in items]


def merge_multifields(existing: list[MultiField], changes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Bitrix24's merge: no ID adds, an ID changes, an ID with DELETE=Y or an empty VALUE removes, others stay."""
    current = {item.pk: (item.value, item.value_type) for item in existing}
    added: list[tuple[str, str]] = []
    for change in changes:
        value = str(change.get("VALUE") or "").strip()
        value_type = str(change.get("VALUE_TYPE") or "").strip().upper()
        pk = str(change.get("ID") or "").strip()
        if pk.isdigit() and int(pk) in current:
            old_value, old_type = current[int(pk)]
            if values.read_flag(change.get("DELETE")) or ("VALUE" in change and not value):
                del current[int(pk)]
            else:
                current[int(pk)] = (value or old_value, value_type or old_type)
        elif value and not pk:
            added.append((value, value_type or "WORK"))
    return [*current.values(), *added]


def new_multifields(changes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return merge_multifields([], changes)
