"""How leads, deals, contacts and companies look from outside under Bitrix24's names: REST, lists, exports, filters.

Each entity declares its fields once: the external name (TITLE, STAGE_ID, UF_CRM_…), the ORM path and type the
filter language needs (`kontora.core.filters`), the label, the type crm.*.fields reports, flags, and whether the
field can be a list or export column. Custom fields come from `FieldDefinition` rows at run time; their values live
in the record's JSON column `custom`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.core.filters import FieldType
from kontora.crm.choices import EntityType, Semantics
from kontora.crm.models import Company, Contact, CrmRecord, Deal, FieldDefinition, Lead, StageHistory, Status


@dataclass(frozen=True, kw_only=True)
class Field(filters.Field):
    """One external field: a filter field plus what REST, lists and exports need to know about it."""

    name: str
    label: Any  # a lazy translation
    rest_type: str = "string"  # what crm.*.fields reports: string, integer, double, date, datetime, char, user…
    status_type: str = ""  # the crm.status dictionary (ENTITY_ID) of crm_status fields
    required: bool = False
    read_only: bool = False
    immutable: bool = False
    multiple: bool = False
    column: bool = True  # may be shown as a list column
    export: bool = True  # may be an export column
    sort: str = ""  # the ORM path lists sort by; "" means the column is not sortable
    display: str = ""  # the attribute path shown in lists and exports ("stage.name"); default: the ORM path
    related: str = ""  # the select_related() path that display needs
    options: tuple[tuple[str, str], ...] = ()  # (ID, VALUE) of list-type custom fields
    custom: bool = False

    @property
    def sortable(self) -> bool:
        return bool(self.sort)


@dataclass(frozen=True)
class Entity:
    key: str  # "deal"
    model: type[CrmRecord]
    entity_type: EntityType
    fields: dict[str, Field]  # the standard fields; custom ones are added by `fields_of()`
    search: tuple[str, ...]  # the fields a list's search box looks in
    default_columns: tuple[str, ...]


def _field(name: str, path: str, label, type: FieldType = FieldType.STRING, **options) -> Field:  # noqa: A002
    defaults = {
        FieldType.STRING: "string",
        FieldType.INTEGER: "integer",
        FieldType.DECIMAL: "double",
        FieldType.DATE: "date",
        FieldType.DATETIME: "datetime",
        FieldType.BOOLEAN: "char",
        FieldType.ENUM: "string",
    }
    options.setdefault("rest_type", defaults[type])
    return Field(name=name, path=path, label=label, type=type, **options)


def _user(name: str, path: str, label, **options) -> Field:
    relation = path.removesuffix("_id")
    return _field(
        name, path, label, FieldType.INTEGER, rest_type="user", display=f"{relation}.full_name", related=relation,
        **options,
    )  # fmt: skip


def _status(name: str, relation: str, label, status_type: str, **options) -> Field:
    return _field(
        name, f"{relation}__status_id", label, FieldType.ENUM, rest_type="crm_status", status_type=status_type,
        display=f"{relation}.name", related=relation, **options,
    )  # fmt: skip


def _semantics(relation: str) -> Field:
    return _field(
        "STAGE_SEMANTIC_ID" if relation == "stage" else "STATUS_SEMANTIC_ID", f"{relation}__semantics",
        _("Stage group"), FieldType.ENUM, choices={code: code for code in Semantics.values}, read_only=True,
        display=f"{relation}.get_semantics_display", related=relation,
    )  # fmt: skip


def _common() -> list[Field]:
    return [
        _field("ID", "id", _("ID"), FieldType.INTEGER, read_only=True, sort="id"),
        _user("ASSIGNED_BY_ID", "responsible_id", _("Responsible"), sort="responsible__last_name"),
        _user("CREATED_BY_ID", "created_by_id", _("Created by"), read_only=True),
        _user("MODIFY_BY_ID", "modified_by_id", _("Modified by"), read_only=True),
        _field("DATE_CREATE", "created_at", _("Created"), FieldType.DATETIME, read_only=True, sort="created_at"),
        _field("DATE_MODIFY", "updated_at", _("Modified"), FieldType.DATETIME, read_only=True, sort="updated_at"),
        _field("OPENED", "opened", _("Available to everyone"), FieldType.BOOLEAN),
        _field("COMMENTS", "comments", _("Comment"), column=False),
    ]


def _person() -> list[Field]:
    return [
        _field("HONORIFIC", "honorific", _("Salutation"), column=False),
        _field("NAME", "first_name", _("First name"), sort="first_name"),
        _field("SECOND_NAME", "middle_name", _("Middle name")),
        _field("LAST_NAME", "last_name", _("Last name"), sort="last_name"),
        _field("POST", "position", _("Position"), sort="position"),
    ]


def _link(name: str, path: str, label, rest_type: str, display: str = "", **options) -> Field:
    related = path.removesuffix("_id") if display else ""
    return _field(
        name, path, label, FieldType.INTEGER, rest_type=rest_type, zero_is_empty=True, display=display,
        related=related, **options,
    )  # fmt: skip


def reached_stages(code: str) -> list[int]:
    """The stages whose entry means a deal reached `code`: it and the later in-progress and won stages of its
    pipeline (a deal that skipped a stage passed through it); a won or lost stage is reached only by itself."""
    stage = Status.objects.filter(status_id=code, category__isnull=False).first()
    if stage is None:
        return []
    if stage.semantics != Semantics.PROCESS:
        return [stage.pk]
    later = Status.objects.filter(entity_id=stage.entity_id, semantics__in=(Semantics.PROCESS, Semantics.SUCCESS))
    return [pk for pk, sort in later.values_list("pk", "sort") if sort >= stage.sort]


def _reached_stage(op: str, raw) -> Q:
    """REACHED_STAGE_ID: the deal's stage history has it entering the stage or a later one (see reached_stages)."""
    if op not in ("eq", "in", "ne", "nin"):
        raise Invalid(
            "BAD_OPERATOR", "REACHED_STAGE_ID",
            _("%(name)s cannot be compared, only matched.") % {"name": "REACHED_STAGE_ID"},
        )  # fmt: skip
    codes = raw if isinstance(raw, (list, tuple)) else [part.strip() for part in str(raw).split(",")]
    stages = [pk for code in codes if isinstance(code, str) and code for pk in reached_stages(code)]
    history = StageHistory.objects.filter(entity_type=EntityType.DEAL, entity_id=OuterRef("pk"), to_stage__in=stages)
    return ~Q(Exists(history)) if op in ("ne", "nin") else Q(Exists(history))


def _keyed(items: Iterable[Field]) -> dict[str, Field]:
    return {item.name: item for item in items}


DEAL_FIELDS = _keyed(
    [
        _field("TITLE", "title", _("Deal name"), sort="title"),
        _status("TYPE_ID", "deal_type", _("Deal type"), "DEAL_TYPE"),
        _field(
            "CATEGORY_ID", "category_id", _("Pipeline"), FieldType.INTEGER, rest_type="crm_category", immutable=True,
            display="category.name", related="category", sort="category_id",
        ),
        _status("STAGE_ID", "stage", _("Stage"), "DEAL_STAGE", sort="stage__sort"),
        _semantics("stage"),
        _field("PROBABILITY", "probability", _("Probability, %"), FieldType.INTEGER, sort="probability"),
        _field("CURRENCY_ID", "currency", _("Currency"), FieldType.ENUM, rest_type="crm_currency"),
        _field("OPPORTUNITY", "amount", _("Amount"), FieldType.DECIMAL, sort="amount"),
        _field("IS_MANUAL_OPPORTUNITY", "is_manual_amount", _("Amount entered by hand"), FieldType.BOOLEAN,
               column=False),
        _link("COMPANY_ID", "company_id", _("Company"), "crm_company", "company.title", sort="company__title"),
        _link("CONTACT_ID", "contacts__id", _("Contact"), "crm_contact", column=False, export=False),
        _link("CONTACT_IDS", "contacts__id", _("Contacts"), "crm_contact", multiple=True, column=False,
              export=False),
        _field("BEGINDATE", "begin_date", _("Start date"), FieldType.DATE, sort="begin_date"),
        _field("CLOSEDATE", "close_date", _("Expected close date"), FieldType.DATE, sort="close_date"),
        _field("CLOSED", "closed", _("Closed"), FieldType.BOOLEAN, read_only=True),
        _status("SOURCE_ID", "source", _("Source"), "SOURCE"),
        _link("LEAD_ID", "lead_id", _("Lead"), "crm_lead", "lead.title", read_only=True, column=False),
        _user("MOVED_BY_ID", "moved_by_id", _("Moved by"), read_only=True, column=False),
        _field("MOVED_TIME", "moved_at", _("Moved to the stage"), FieldType.DATETIME, read_only=True,
               sort="moved_at"),
        _field("LOSS_REASON_ID", "loss_reason_id", _("Loss reason"), FieldType.INTEGER, read_only=True,
               column=False, export=False),
        _field("REACHED_STAGE_ID", "id", _("Reached the stage"), FieldType.ENUM, read_only=True, column=False,
               export=False, where=_reached_stage),
        *_common(),
    ]
)  # fmt: skip

LEAD_FIELDS = _keyed(
    [
        _field("TITLE", "title", _("Lead name"), sort="title"),
        *_person(),
        _field("COMPANY_TITLE", "company_title", _("Company name"), sort="company_title"),
        _status("SOURCE_ID", "source", _("Source"), "SOURCE"),
        _field("SOURCE_DESCRIPTION", "source_description", _("Source information"), column=False),
        _status("STATUS_ID", "status", _("Status"), "STATUS", sort="status__sort"),
        _semantics("status"),
        _field("CURRENCY_ID", "currency", _("Currency"), FieldType.ENUM, rest_type="crm_currency"),
        _field("OPPORTUNITY", "amount", _("Amount"), FieldType.DECIMAL, sort="amount"),
        _field("ADDRESS", "address", _("Address")),
        _field("UTM_SOURCE", "utm_source", "UTM source"),
        _field("UTM_MEDIUM", "utm_medium", "UTM medium"),
        _field("UTM_CAMPAIGN", "utm_campaign", "UTM campaign"),
        _field("UTM_CONTENT", "utm_content", "UTM content"),
        _field("UTM_TERM", "utm_term", "UTM term"),
        _link("COMPANY_ID", "company_id", _("Company"), "crm_company", "company.title", sort="company__title"),
        _link("CONTACT_ID", "contact_id", _("Contact"), "crm_contact", "contact"),
        _field("MOVED_TIME", "status_changed_at", _("Moved to the status"), FieldType.DATETIME, read_only=True,
               sort="status_changed_at"),
        *_common(),
    ]
)  # fmt: skip

CONTACT_FIELDS = _keyed(
    [
        *_person(),
        _field("BIRTHDATE", "birthdate", _("Birthday"), FieldType.DATE, sort="birthdate"),
        _status("TYPE_ID", "contact_type", _("Contact type"), "CONTACT_TYPE"),
        _status("SOURCE_ID", "source", _("Source"), "SOURCE"),
        _field("ADDRESS", "address", _("Address")),
        _link("COMPANY_ID", "companies__id", _("Company"), "crm_company", column=False, export=False),
        _link("COMPANY_IDS", "companies__id", _("Companies"), "crm_company", multiple=True, column=False,
              export=False),
        _link("LEAD_ID", "lead_id", _("Lead"), "crm_lead", "lead.title", read_only=True, column=False),
        *_common(),
    ]
)  # fmt: skip

COMPANY_FIELDS = _keyed(
    [
        _field("TITLE", "title", _("Company name"), required=True, sort="title"),
        _status("COMPANY_TYPE", "company_type", _("Company type"), "COMPANY_TYPE"),
        _status("INDUSTRY", "industry", _("Industry"), "INDUSTRY"),
        _field("EMPLOYEES", "employees", _("Employees"), FieldType.INTEGER, sort="employees"),
        _field("REVENUE", "revenue", _("Annual revenue"), FieldType.DECIMAL, sort="revenue"),
        _field("CURRENCY_ID", "currency", _("Currency"), FieldType.ENUM, rest_type="crm_currency"),
        _field("ADDRESS", "address", _("Address")),
        _link("CONTACT_ID", "contacts__id", _("Contacts"), "crm_contact", multiple=True, column=False,
              export=False),
        *_common(),
    ]
)  # fmt: skip

ENTITIES: dict[str, Entity] = {
    "lead": Entity(
        "lead", Lead, EntityType.LEAD, LEAD_FIELDS, ("TITLE", "NAME", "LAST_NAME", "COMPANY_TITLE"),
        ("STATUS_ID", "OPPORTUNITY", "SOURCE_ID", "ASSIGNED_BY_ID", "DATE_CREATE"),
    ),
    "deal": Entity(
        "deal", Deal, EntityType.DEAL, DEAL_FIELDS, ("TITLE",),
        ("STAGE_ID", "OPPORTUNITY", "COMPANY_ID", "ASSIGNED_BY_ID", "DATE_CREATE"),
    ),
    "contact": Entity(
        "contact", Contact, EntityType.CONTACT, CONTACT_FIELDS, ("NAME", "LAST_NAME", "SECOND_NAME"),
        ("POST", "TYPE_ID", "ASSIGNED_BY_ID", "DATE_CREATE"),
    ),
    "company": Entity(
        "company", Company, EntityType.COMPANY, COMPANY_FIELDS, ("TITLE",),
        ("COMPANY_TYPE", "INDUSTRY", "ASSIGNED_BY_ID", "DATE_CREATE"),
    ),
}  # fmt: skip

_CUSTOM_TYPES = {
    FieldDefinition.Kind.STRING: FieldType.STRING,
    FieldDefinition.Kind.TEXT: FieldType.STRING,
    FieldDefinition.Kind.NUMBER: FieldType.DECIMAL,
    FieldDefinition.Kind.MONEY: FieldType.DECIMAL,
    FieldDefinition.Kind.DATE: FieldType.DATE,
    FieldDefinition.Kind.DATETIME: FieldType.DATETIME,
    FieldDefinition.Kind.BOOLEAN: FieldType.BOOLEAN,
    FieldDefinition.Kind.LIST: FieldType.ENUM,
    FieldDefinition.Kind.USER: FieldType.INTEGER,
    FieldDefinition.Kind.LINK: FieldType.ENUM,
}


def entity(key_or_model: str | type[models.Model] | models.Model) -> Entity:
    """The entity by key ("deal"), model class or record."""
    if isinstance(key_or_model, str):
        return ENTITIES[key_or_model]
    model = key_or_model if isinstance(key_or_model, type) else type(key_or_model)
    for item in ENTITIES.values():
        if item.model is model:
            return item
    raise LookupError(f"{model.__name__} has no CRM schema")


def _label(definition: FieldDefinition) -> str:
    if translation.get_language() == "en" and definition.label_en:
        return definition.label_en
    return definition.label_ru or definition.label_en or definition.code


_lazy_label = lazy(_label, str)


def custom_field(definition: FieldDefinition) -> Field:
    """A FieldDefinition row as a schema field: JSON key `custom__<code>`, labelled in the reader's language."""
    options = tuple(
        (str(option.get("ID", "")), str(option.get("VALUE", "")))
        for option in (definition.options or [])
        if isinstance(option, dict)
    )
    return Field(
        name=definition.code, path=f"custom__{definition.code}", json=True, custom=True,
        type=_CUSTOM_TYPES.get(definition.kind, FieldType.STRING), label=_lazy_label(definition),
        rest_type=definition.kind, required=definition.required, multiple=definition.multiple, options=options,
    )  # fmt: skip


def fields_of(key: str) -> dict[str, Field]:
    """Every field of the entity, standard then custom: also the filter field map of `kontora.core.filters`."""
    item = ENTITIES[key]
    result = dict(item.fields)
    for definition in FieldDefinition.objects.filter(entity_type=item.entity_type).order_by("sort", "id"):
        result[definition.code] = custom_field(definition)
    return result


def display_value(record: models.Model, field: Field) -> Any:
    """The field's value as people read it: the stage's name rather than its code, the responsible's name…"""
    if field.custom:
        value = (getattr(record, "custom", None) or {}).get(field.name)
        if field.options and value not in (None, ""):
            names = dict(field.options)
            if isinstance(value, list):
                return ", ".join(names.get(str(item), str(item)) for item in value)
            return names.get(str(value), value)
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return value
    value: Any = record
    for part in (field.display or field.path.replace("__", ".")).split("."):
        value = getattr(value, part, None)
        if callable(value):
            value = value()
        if value is None:
            return None
    return value


def related_paths(columns: Iterable[Field]) -> list[str]:
    """What select_related() needs to show these columns without a query per row."""
    return sorted({column.related for column in columns if column.related})


def describe(key: str) -> dict[str, dict]:
    """The crm.<entity>.fields answer: every field with its type, flags and title in the reader's language."""
    result = {}
    for name, field in fields_of(key).items():
        entry = {
            "type": field.rest_type,
            "isRequired": field.required,
            "isReadOnly": field.read_only,
            "isImmutable": field.immutable,
            "isMultiple": field.multiple,
            "isDynamic": field.custom,
            "title": str(field.label),
        }
        if field.status_type:
            entry["statusType"] = field.status_type
        if field.options:
            entry["items"] = [{"ID": option_id, "VALUE": value} for option_id, value in field.options]
        if field.custom:
            entry["listLabel"] = entry["formLabel"] = entry["title"]
        result[name] = entry
    return result
