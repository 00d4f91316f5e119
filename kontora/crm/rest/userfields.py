"""CRM REST methods: user fields (crm.{lead|deal|contact|company}.userfield.*) as Kontora's custom fields."""

from typing import Any

from django.utils import translation

from kontora.core import filters
from kontora.core.errors import NotFound
from kontora.core.filters import Field, FieldType
from kontora.crm import custom
from kontora.crm.choices import EntityType
from kontora.crm.models import FieldDefinition
from kontora.crm.services import fields as services
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.values import flag, read_flag, text, upper_keys

Kind = FieldDefinition.Kind
ENTITIES = {"lead": EntityType.LEAD, "deal": EntityType.DEAL, "contact": EntityType.CONTACT,
            "company": EntityType.COMPANY}  # fmt: skip
# Bitrix24's USER_TYPE_ID → Kontora's kind. Kontora has one number type: integers are kept as numbers.
KINDS = {"string": Kind.STRING, "integer": Kind.NUMBER, "double": Kind.NUMBER, "boolean": Kind.BOOLEAN,
         "date": Kind.DATE, "datetime": Kind.DATETIME, "enumeration": Kind.LIST, "employee": Kind.USER,
         "crm": Kind.LINK, "money": Kind.MONEY}  # fmt: skip
TYPE_IDS = {Kind.STRING: "string", Kind.TEXT: "string", Kind.NUMBER: "double", Kind.MONEY: "money", Kind.DATE: "date",
            Kind.DATETIME: "datetime", Kind.BOOLEAN: "boolean", Kind.LIST: "enumeration", Kind.USER: "employee",
            Kind.LINK: "crm"}  # fmt: skip
LINK_KEYS = {"LEAD": "lead", "DEAL": "deal", "CONTACT": "contact", "COMPANY": "company"}
FIELDS = {
    "ID": Field(path="id", type=FieldType.INTEGER),
    "FIELD_NAME": Field(path="code", like=True),
    "USER_TYPE_ID": Field(
        path="kind", type=FieldType.ENUM, choices={**{v: v for v in Kind.values}, "integer": "double"}
    ),
    "SORT": Field(path="sort", type=FieldType.INTEGER),
    "MULTIPLE": Field(path="multiple", type=FieldType.BOOLEAN),
    "MANDATORY": Field(path="required", type=FieldType.BOOLEAN),
}


def _settings(item: FieldDefinition) -> dict[str, Any]:
    if item.kind == Kind.LINK:
        target = custom.link_target(item)
        return {key: flag(value == target) for key, value in LINK_KEYS.items()}
    if item.kind == Kind.TEXT:
        return {"ROWS": 3, "SIZE": 20}
    if item.kind == Kind.BOOLEAN:
        return {"DEFAULT_VALUE": 0, "DISPLAY": "CHECKBOX"}
    return {}


def _label(item: FieldDefinition, language: str) -> str:
    if language == "en" and item.label_en:
        return item.label_en
    return item.label_ru or item.label_en or item.code


def field_row(item: FieldDefinition, language: str | None = None) -> dict[str, Any]:
    """One user field; labels are a string in `language`, or {"ru": …, "en": …} when no language is given."""
    label: Any = _label(item, language) if language else {"ru": _label(item, "ru"), "en": _label(item, "en")}
    row = {
        "ID": text(item.pk), "ENTITY_ID": f"CRM_{EntityType(item.entity_type).name}", "FIELD_NAME": item.code,
        "USER_TYPE_ID": TYPE_IDS.get(item.kind, item.kind), "XML_ID": None, "SORT": text(item.sort),
        "MULTIPLE": flag(item.multiple), "MANDATORY": flag(item.required), "SHOW_FILTER": "E", "SHOW_IN_LIST": "Y",
        "EDIT_IN_LIST": "Y", "IS_SEARCHABLE": "N", "SETTINGS": _settings(item), "EDIT_FORM_LABEL": label,
        "LIST_COLUMN_LABEL": label, "LIST_FILTER_LABEL": label, "ERROR_MESSAGE": None, "HELP_MESSAGE": None,
    }  # fmt: skip
    if item.kind == Kind.LIST:
        row["LIST"] = [
            {"ID": option_id, "SORT": text((position + 1) * 10), "VALUE": value, "DEF": "N", "XML_ID": option_id}
            for position, (option_id, value) in enumerate(custom.choices(item))
        ]
    return row


def _labels(fields: dict[str, Any]) -> dict[str, str]:
    """label_ru/label_en from EDIT_FORM_LABEL, LIST_COLUMN_LABEL or LABEL: a string, or a map by language."""
    result: dict[str, str] = {}
    for name in ("EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL", "LABEL"):
        value = fields.get(name)
        if isinstance(value, dict):
            by_language = {str(key).lower(): str(text or "").strip() for key, text in value.items()}
            if by_language.get("ru"):
                result.setdefault("label_ru", by_language["ru"])
            if by_language.get("en"):
                result.setdefault("label_en", by_language["en"])
        elif value not in (None, "") and str(value).strip():
            result.setdefault("label_ru", str(value).strip())
    if "label_en" in result and "label_ru" not in result:
        result["label_ru"] = result["label_en"]
    return result


def _sort(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise RestError("", f"SORT: the value {value!r} is not a whole number.") from None


def _list_items(items: Any) -> list[dict[str, Any]]:
    entries = list(items.values()) if isinstance(items, dict) else list(items or [])
    result = []
    for position, raw in enumerate(entries):
        entry = upper_keys(raw) if isinstance(raw, dict) else {"VALUE": raw}
        sort = _sort(entry["SORT"]) if entry.get("SORT") not in (None, "") else (position + 1) * 10
        result.append({**entry, "_order": (sort, position)})
    return sorted(result, key=lambda entry: entry["_order"])


def _new_options(items: Any) -> list[dict[str, str]]:
    return [{"VALUE": str(entry.get("VALUE") or "")} for entry in _list_items(items)]


def _changed_options(item: FieldDefinition, items: Any) -> list[dict[str, str]]:
    """Bitrix24's LIST update: an entry with ID changes that option (or removes it with DEL=Y); one without ID is
    added; options not mentioned stay."""
    options = dict(custom.choices(item))
    added = []
    for entry in _list_items(items):
        option_id = str(entry.get("ID") or "").strip()
        if option_id and option_id in options:
            if read_flag(entry.get("DEL")):
                options.pop(option_id)
            elif entry.get("VALUE") not in (None, ""):
                options[option_id] = str(entry["VALUE"])
        elif not read_flag(entry.get("DEL")) and str(entry.get("VALUE") or "").strip():
            added.append({"VALUE": str(entry["VALUE"])})
    return [{"ID": option_id, "VALUE": value} for option_id, value in options.items()] + added


def _link_to(fields: dict[str, Any]) -> str:
    settings = upper_keys(fields.get("SETTINGS") or {}) if isinstance(fields.get("SETTINGS"), dict) else {}
    chosen = [value for key, value in LINK_KEYS.items() if read_flag(settings.get(key))]
    if len(chosen) > 1:
        raise RestError("", "SETTINGS: a crm field of Kontora links to one kind of record; choose one of LEAD, DEAL, "
                            "CONTACT, COMPANY.")  # fmt: skip
    return chosen[0] if chosen else ""


def _kind(fields: dict[str, Any]) -> str:
    type_id = str(fields.get("USER_TYPE_ID") or "").strip().lower()
    if type_id not in KINDS:
        raise RestError("", f"USER_TYPE_ID: the type {type_id!r} is not supported. Kontora has: "
                            f"{', '.join(KINDS)}.")  # fmt: skip
    settings = upper_keys(fields.get("SETTINGS") or {}) if isinstance(fields.get("SETTINGS"), dict) else {}
    if type_id == "string" and _sort(settings.get("ROWS") or 1) > 1:
        return Kind.TEXT
    return KINDS[type_id]


def _definition(call: Call, entity_type: EntityType) -> FieldDefinition:
    found = custom.definition(call.params.integer("id", required=True))
    if found is None or found.entity_type != entity_type:
        raise NotFound()
    return found


def _register(key: str, entity_type: EntityType) -> None:
    prefix = f"crm.{key}.userfield"

    @method(f"{prefix}.list", "crm")
    def userfield_list(call: Call) -> ListResult:
        """User fields of the entity, with `filter` and `order`; labels in LANG (default: the caller's language)."""
        queryset = custom.all_definitions().filter(entity_type=entity_type)
        queryset = filters.apply(queryset, upper_keys(call.params.map("filter")), FIELDS)
        order = call.params.map("order")
        queryset = queryset.order_by(*filters.ordering(order, FIELDS)) if order else queryset.order_by("sort", "id")
        language = str(call.params.get("LANG") or translation.get_language() or "ru")[:2].lower()
        rows = [field_row(item, language) for item in queryset]
        return ListResult(rows, total=len(rows))

    @method(f"{prefix}.get", "crm")
    def userfield_get(call: Call) -> dict[str, Any]:
        return field_row(_definition(call, entity_type))

    @method(f"{prefix}.add", "crm")
    def userfield_add(call: Call) -> int:
        """A new user field (administrators): FIELD_NAME (UF_CRM_ is added), USER_TYPE_ID, MULTIPLE, MANDATORY,
        SORT, LIST, labels, SETTINGS (the record kind of a crm field)."""
        fields = upper_keys(call.params.map("fields"))
        kind = _kind(fields)
        code = str(fields.get("FIELD_NAME") or "").strip()
        labels = _labels(fields)
        item = services.create_field(
            by=call.user, entity_type=entity_type, kind=kind, code=code,
            label_ru=labels.get("label_ru") or services.PREFIX + code.upper().removeprefix(services.PREFIX),
            label_en=labels.get("label_en", ""), required=read_flag(fields.get("MANDATORY")),
            multiple=read_flag(fields.get("MULTIPLE")),
            sort=_sort(fields["SORT"]) if fields.get("SORT") not in (None, "") else 100,
            options=_new_options(fields.get("LIST")) if kind == Kind.LIST else None,
            link_to=(_link_to(fields) or "company") if kind == Kind.LINK else "",
        )  # fmt: skip
        return item.pk

    @method(f"{prefix}.update", "crm")
    def userfield_update(call: Call) -> bool:
        """Change labels, MANDATORY, MULTIPLE, SORT and LIST (administrators); the name and type stay."""
        item = _definition(call, entity_type)
        fields = upper_keys(call.params.map("fields"))
        changes: dict[str, Any] = dict(_labels(fields))
        if "MANDATORY" in fields:
            changes["required"] = read_flag(fields["MANDATORY"])
        if "MULTIPLE" in fields:
            changes["multiple"] = read_flag(fields["MULTIPLE"])
        if fields.get("SORT") not in (None, ""):
            changes["sort"] = _sort(fields["SORT"])
        if "LIST" in fields and item.kind == Kind.LIST:
            changes["options"] = _changed_options(item, fields["LIST"])
        if item.kind == Kind.LINK and _link_to(fields):
            changes["link_to"] = _link_to(fields)
        services.update_field(item, by=call.user, **changes)
        return True

    @method(f"{prefix}.delete", "crm")
    def userfield_delete(call: Call) -> bool:
        """Delete the field and its values (administrators)."""
        services.delete_field(_definition(call, entity_type), by=call.user)
        return True


for _key, _entity_type in ENTITIES.items():
    _register(_key, _entity_type)
