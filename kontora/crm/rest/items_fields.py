"""crm.item's view of the CRM schema: the legacy field maps (`kontora.crm.schema`) under camelCase names, values as
native JSON (ints, floats, "Y"/"N", ISO moments), and fields sent by callers turned into service arguments."""

import datetime
import decimal
from collections.abc import Callable
from typing import Any

from django.db.models import Model

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core.errors import Invalid, NotFound
from kontora.core.filters import FieldType, parse_moment
from kontora.crm import schema, selectors
from kontora.crm.choices import EntityType
from kontora.crm.models import Category, MultiField, Status
from kontora.rest import values

KEYS = {EntityType.LEAD: "lead", EntityType.DEAL: "deal", EntityType.CONTACT: "contact", EntityType.COMPANY: "company"}
# crm.item's own names where they are not the legacy name in camelCase.
RENAMES = {
    "CREATED_BY_ID": "createdBy",
    "MODIFY_BY_ID": "updatedBy",
    "DATE_CREATE": "createdTime",
    "DATE_MODIFY": "updatedTime",
    "MOVED_BY_ID": "movedBy",
}
# Link fields the services take as records: ORM path → (service argument, entity type, many).
LINKS = {
    "company_id": ("company", EntityType.COMPANY, False),
    "contact_id": ("contact", EntityType.CONTACT, False),
    "contacts__id": ("contacts", EntityType.CONTACT, True),
    "companies__id": ("companies", EntityType.COMPANY, True),
}
MANY = {"contacts__id": "contacts", "companies__id": "companies"}


def entity_key(entity_type_id: Any) -> str:
    """The schema key of an entityTypeId (1 lead, 2 deal, 3 contact, 4 company); others are not found."""
    try:
        return KEYS[EntityType(int(str(entity_type_id).strip()))]
    except (ValueError, TypeError):
        raise NotFound() from None


def uf_name(code: str) -> str:
    """UF_CRM_10_5186744711 → ufCrm10_5186744711: underscores stay only between two numbers, as Bitrix24 has it."""
    parts = code.lower().split("_")
    result = parts[0]
    for previous, part in zip(parts, parts[1:], strict=False):
        joint = "_" if previous[-1:].isdigit() and part[:1].isdigit() else ""
        result += joint + part.capitalize()
    return result


def item_name(field: schema.Field, original_uf: bool = False) -> str:
    if field.custom:
        return field.name if original_uf else uf_name(field.name)
    return RENAMES.get(field.name, values.camel(field.name))


def field_map(key: str, original_uf: bool = False) -> dict[str, schema.Field]:
    """Every field under its crm.item name, its legacy name and (custom ones) both UF spellings."""
    result: dict[str, schema.Field] = {}
    for name, field in schema.fields_of(key).items():
        result[name] = field
        result[item_name(field, original_uf)] = field
        if field.custom:
            result[uf_name(name)] = field
    return result


def output_fields(key: str, original_uf: bool = False) -> dict[str, schema.Field]:
    """The item's fields in answer order, each once, under the name the caller asked for."""
    return {item_name(field, original_uf): field for field in schema.fields_of(key).values()}


def describe(key: str, original_uf: bool = False) -> dict[str, dict]:
    """crm.item.fields: the legacy descriptors under crm.item names, with `upperName`."""
    fields = schema.fields_of(key)
    return {item_name(fields[name], original_uf): {**entry, "upperName": name}
            for name, entry in schema.describe(key).items()}  # fmt: skip


# Reading ------------------------------------------------------------------------------------------------------


def _walk(record: Model, path: str) -> Any:
    value: Any = record
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _native(field: schema.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_native(field, item) for item in value]
    if field.type == FieldType.BOOLEAN:
        return values.read_flag(value) and "Y" or "N"
    if isinstance(value, datetime.datetime | datetime.date):
        return values.moment(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if field.type == FieldType.INTEGER and not field.custom:
        number = int(value)
        return None if field.zero_is_empty and number == 0 else number
    return value


def value_of(record: Model, field: schema.Field) -> Any:
    if field.custom:
        return (getattr(record, "custom", None) or {}).get(field.name)
    if field.path in MANY:
        ids = [item.pk for item in getattr(record, MANY[field.path]).all()]
        return ids if field.multiple else (ids[0] if ids else None)
    return _native(field, _walk(record, field.path))


def multifields(record: Model) -> list[dict[str, Any]]:
    rows = MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk).order_by("id")
    return [{"id": row.pk, "typeId": row.type_id, "valueType": row.value_type, "value": row.value} for row in rows]


def shaper(key: str, select: list[Any], original_uf: bool = False) -> Callable[[Model], dict[str, Any]]:
    """A function writing records as crm.item does; `select` names fields (either spelling), `*` all of them (and
    the multi-fields as `fm`), `uf_*` the custom ones. The field list is read once, not per row."""
    fields = output_fields(key, original_uf)
    names = [str(name) for name in select if str(name).strip()]
    everything = not names or "*" in names
    if everything:
        chosen = dict(fields)
    else:
        lookup = field_map(key, original_uf)
        wanted = {lookup[name].name for name in names if name in lookup}
        wanted |= {lookup[name.upper()].name for name in names if name.upper() in lookup}
        wanted.add("ID")
        customs = any(name.upper() in ("UF_*", "UFCRM*") for name in names)
        chosen = {out: field for out, field in fields.items() if field.name in wanted or (customs and field.custom)}

    def shape(record: Model) -> dict[str, Any]:
        item = {"id": record.pk} | {out: value_of(record, field) for out, field in chosen.items()}
        item["entityTypeId"] = int(record.entity_type)
        if everything and key != "deal":
            item["fm"] = multifields(record)
        return item

    return shape


# Writing ------------------------------------------------------------------------------------------------------


def _person(user, value: Any, name: str) -> User | None:
    if value in (None, "", 0, "0"):
        return None
    person = access.visible(user, User).filter(pk=_integer(value, name), is_active=True).first()
    if person is None:
        raise Invalid("NOT_FOUND", name, f"{name}: no such user.")
    return person


def _integer(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid("BAD_VALUE", name, f"{name}: {value!r} is not a whole number.") from None


def _record(user, entity_type: EntityType, value: Any, name: str):
    if value in (None, "", 0, "0"):
        return None
    record = selectors.get_record(user, entity_type, _integer(value, name))
    if record is None:
        raise Invalid("NOT_FOUND", name, f"{name}: record {value} not found.")
    return record


def _status(field: schema.Field, value: Any, name: str, entity_id: str = "") -> Status | None:
    if value in (None, ""):
        return None
    found = Status.objects.filter(entity_id=entity_id or field.status_type, status_id=str(value).strip()).first()
    if found is None:
        raise Invalid("BAD_VALUE", name, f"{name}: unknown value {value!r}.")
    return found


def _plain(field: schema.Field, value: Any, name: str) -> Any:
    if field.type == FieldType.BOOLEAN:
        return values.read_flag(value)
    if value in (None, ""):
        return None if field.type != FieldType.STRING else ""
    if field.type == FieldType.INTEGER:
        return _integer(value, name)
    if field.type == FieldType.DECIMAL:
        try:
            return decimal.Decimal(str(value).strip().replace(",", "."))
        except decimal.InvalidOperation:
            raise Invalid("BAD_VALUE", name, f"{name}: {value!r} is not a number.") from None
    if field.type == FieldType.DATE:
        moment = parse_moment(value)
        if moment is None:
            raise Invalid("BAD_VALUE", name, f"{name}: {value!r} is not a date.")
        return moment.date() if isinstance(moment, datetime.datetime) else moment
    if field.type == FieldType.DATETIME:
        return values.read_moment(value, name)
    return str(value)


def arguments(key: str, sent: dict[str, Any], user, record: Model | None = None) -> dict[str, Any]:
    """The caller's fields (either spelling) as service arguments; read-only and unknown names are ignored.

    Deals: `category` and `stage` come back as records (the caller moves an existing deal with move_deal).
    """
    lookup = field_map(key)
    result: dict[str, Any] = {}
    stage_code = None
    for raw_name, value in (sent or {}).items():
        name = str(raw_name)
        field = lookup.get(name) or lookup.get(name.upper())
        if field is None:
            if name.lower() == "fm":
                result["fm"] = value
            continue
        if field.read_only:
            continue
        if field.custom:
            custom = result.setdefault("custom", dict(getattr(record, "custom", None) or {}))
            custom[field.name] = value
        elif field.name == "CATEGORY_ID":
            if record is None:
                category = Category.objects.filter(pk=_integer(value or 0, name)).first()
                if category is None:
                    raise Invalid("BAD_VALUE", name, f"{name}: no such pipeline.")
                result["category"] = category
        elif field.name == "STAGE_ID" and key == "deal":
            stage_code = value
        elif field.rest_type == "crm_status":
            result[field.path.split("__")[0]] = _status(field, value, name)
        elif field.rest_type == "user":
            result[field.path.removesuffix("_id")] = _person(user, value, name)
        elif field.path in LINKS:
            argument, entity_type, many = LINKS[field.path]
            if many or field.path in MANY:
                items = value if isinstance(value, list) else [value]
                result[argument] = [item for item in (_record(user, entity_type, v, name) for v in items) if item]
            else:
                result[argument] = _record(user, entity_type, value, name)
        else:
            result[field.path] = _plain(field, value, name)
    if stage_code not in (None, ""):
        category = result.get("category") or (record.category if record is not None else Category.objects.get(pk=0))
        result["stage"] = _status(lookup["STAGE_ID"], stage_code, "stageId", category.stage_entity)
    return result


def communications(sent: Any) -> dict[str, list[tuple[str, str]]]:
    """`fm` ([{typeId, valueType, value}]) as (value, value type) pairs per kind: PHONE, EMAIL, WEB, IM."""
    result: dict[str, list[tuple[str, str]]] = {}
    items = sent.values() if isinstance(sent, dict) else (sent or [])
    for entry in items:
        if not isinstance(entry, dict):
            continue
        entry = {str(k).lower().replace("_", ""): v for k, v in entry.items()}
        kind = str(entry.get("typeid") or "").upper()
        if kind:
            pair = (str(entry.get("value") or ""), str(entry.get("valuetype") or "WORK").upper())
            result.setdefault(kind, []).append(pair)
    return result
