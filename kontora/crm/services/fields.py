"""Custom field definitions (UF_CRM_*): administrators add, change and delete them, entity by entity."""

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.crm import selectors
from kontora.crm.choices import EntityType
from kontora.crm.custom import LINK_TARGETS, MULTIPLE_KINDS
from kontora.crm.models import FieldDefinition
from kontora.crm.services.common import required_text
from kontora.events import history

Kind = FieldDefinition.Kind
PREFIX = "UF_CRM_"
_SLUG = re.compile(r"^[A-Z0-9_]+$")
_TRACKED = ("label_ru", "label_en", "required", "multiple", "sort", "options")


def _require_admin(by) -> None:
    if by is not None and not is_administrator(by):
        raise Forbidden()


def _entity_type(value: Any) -> EntityType:
    try:
        return EntityType(int(value))
    except (TypeError, ValueError):
        raise Invalid("BAD_VALUE", "entity_type", _("Choose the entity.")) from None


def _kind(value: Any) -> str:
    if value not in Kind.values:
        raise Invalid("BAD_VALUE", "kind", _("Choose the type of the field."))
    return value


def _code(entity_type: int, wanted: str) -> str:
    """UF_CRM_<n> (the next free number), or UF_CRM_<SLUG> from the latin name the administrator gave."""
    taken = set(FieldDefinition.objects.filter(entity_type=entity_type).values_list("code", flat=True))
    wanted = (wanted or "").strip().upper().replace("-", "_").replace(" ", "_")
    if not wanted:
        number = len(taken) + 1
        while f"{PREFIX}{number}" in taken:
            number += 1
        return f"{PREFIX}{number}"
    code = wanted if wanted.startswith(PREFIX) else f"{PREFIX}{wanted}"
    if not _SLUG.match(code) or code == PREFIX or len(code) > 50:
        raise Invalid("BAD_VALUE", "code", _("Use Latin letters, digits and underscores for the code."))
    if code in taken:
        raise Invalid("DUPLICATE", "code", _("This entity already has a field with this code."))
    return code


def _list_options(values: Iterable[Any], before: list | None = None) -> list[dict[str, str]]:
    """[{"ID": "1", "VALUE": "…"}]: options keep their ID when their text stays; new ones get the next numbers."""
    old = {
        str(option.get("VALUE", "")): str(option.get("ID", "")) for option in (before or []) if isinstance(option, dict)
    }
    used = [int(option_id) for option_id in old.values() if option_id.isdigit()]
    number = max(used, default=0)
    result, seen = [], set()
    for value in values:
        text = str(value.get("VALUE", "") if isinstance(value, dict) else value).strip()
        if not text or text in seen:
            continue
        seen.add(text)
        given = str(value.get("ID", "")) if isinstance(value, dict) else ""
        option_id = given or old.get(text)
        if not option_id:
            number += 1
            option_id = str(number)
        result.append({"ID": option_id, "VALUE": text})
    return result


def _options(kind: str, options: Iterable[Any] | None, link_to: str, before: list | None = None) -> list:
    if kind == Kind.LIST:
        result = _list_options(options or [], before)
        if not result:
            raise Invalid("REQUIRED", "options", _("Give the list at least one option."))
        return result
    if kind == Kind.LINK:
        if link_to not in LINK_TARGETS:
            raise Invalid("BAD_VALUE", "link_to", _("Choose what the field links to."))
        return [link_to]
    return []


def _sort(value: Any) -> int:
    try:
        sort = int(value)
    except (TypeError, ValueError):
        raise Invalid("BAD_VALUE", "sort", _("The sort order is a whole number.")) from None
    if sort < 0:
        raise Invalid("BAD_VALUE", "sort", _("The sort order is a whole number."))
    return sort


@transaction.atomic
def create_field(
    *,
    by,
    entity_type: int,
    kind: str,
    label_ru: str,
    label_en: str = "",
    code: str = "",
    required: bool = False,
    multiple: bool = False,
    sort: int = 100,
    options: Iterable[Any] | None = None,
    link_to: str = "",
) -> FieldDefinition:
    """A new custom field of an entity. List fields need options; link fields name the entity they point to."""
    _require_admin(by)
    entity_type = _entity_type(entity_type)
    kind = _kind(kind)
    label_ru = required_text(label_ru, "label_ru", _("Enter the field's name in Russian."))
    item = FieldDefinition.objects.create(
        entity_type=entity_type,
        code=_code(entity_type, code),
        kind=kind,
        label_ru=label_ru[:200],
        label_en=(label_en or "").strip()[:200],
        required=bool(required),
        multiple=bool(multiple) and kind in MULTIPLE_KINDS,
        sort=_sort(sort),
        options=_options(kind, options, link_to),
    )
    history.record(item, by=by, action="create", changes={name: [None, value] for name, value in _state(item).items()})
    return item


def _state(item: FieldDefinition) -> dict[str, Any]:
    return {"code": item.code, "kind": item.kind, **{name: getattr(item, name) for name in _TRACKED}}


@transaction.atomic
def update_field(item: FieldDefinition, *, by, **changes: Any) -> FieldDefinition:
    """Change labels, the required flag, the order or a list's options; code, type and entity stay as they were.

    `multiple` may change only while no record holds a value, since single and multiple values are stored apart.
    """
    _require_admin(by)
    unknown = set(changes) - {*_TRACKED, "link_to"}
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be changed here."))
    before = {name: getattr(item, name) for name in _TRACKED}
    if "label_ru" in changes:
        item.label_ru = required_text(changes["label_ru"], "label_ru", _("Enter the field's name in Russian."))[:200]
    if "label_en" in changes:
        item.label_en = (changes["label_en"] or "").strip()[:200]
    if "required" in changes:
        item.required = bool(changes["required"])
    if "sort" in changes:
        item.sort = _sort(changes["sort"])
    if "multiple" in changes:
        multiple = bool(changes["multiple"]) and item.kind in MULTIPLE_KINDS
        if multiple != item.multiple and _values_exist(item):
            raise Invalid(
                "IN_USE",
                "multiple",
                _("Records already hold values of this field; it cannot switch to or from multiple."),
            )
        item.multiple = multiple
    if "options" in changes or "link_to" in changes:
        if item.kind == Kind.LINK and "link_to" in changes and [changes["link_to"]] != item.options:
            if _values_exist(item):
                raise Invalid("IN_USE", "link_to", _("Records already link through this field."))
        link_to = changes.get("link_to") or next(iter(item.options or []), "")
        item.options = _options(item.kind, changes.get("options", item.options), link_to, item.options)
    item.save()
    diff = {name: [old, getattr(item, name)] for name, old in before.items() if getattr(item, name) != old}
    if diff:
        history.record(item, by=by, action="update", changes=diff)
    return item


def _records_with(item: FieldDefinition):
    model = selectors.RECORD_MODELS[EntityType(item.entity_type)]
    return model.all_objects.filter(custom__has_key=item.code)


def _values_exist(item: FieldDefinition) -> bool:
    return _records_with(item).exclude(**{f"custom__{item.code}": None}).exists()


@transaction.atomic
def delete_field(item: FieldDefinition, *, by) -> None:
    """Delete the field and its values from every record (also those in the bin)."""
    _require_admin(by)
    batch = []
    for record in _records_with(item).only("pk", "custom").iterator(chunk_size=500):
        record.custom.pop(item.code, None)
        batch.append(record)
        if len(batch) >= 500:
            type(record).all_objects.bulk_update(batch, ["custom"])
            batch = []
    if batch:
        type(batch[0]).all_objects.bulk_update(batch, ["custom"])
    history.record(item, by=by, action="delete", changes={name: [value, None] for name, value in _state(item).items()})
    item.delete()
