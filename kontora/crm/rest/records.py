"""Legacy CRM record methods: crm.{lead,deal,contact,company}.{list,get,add,update,delete,fields}.

Reads start from the gate (`selectors.visible_records`, deals per pipeline), writes go through the CRM services.
Two choices where Kontora's services are stricter than Bitrix24's REST:
- Leads: conversion is not available over REST. Setting STATUS_ID to the success status only sets the status and
  creates nothing (the service's "convert instead" rule guards the pages' button, not integrations), as in Bitrix24.
- Deals: people are asked why a deal was lost; REST callers may name it as LOSS_REASON_ID (a Kontora extension),
  and a stock client's move to a failure stage is taken without a reason, as Bitrix24 takes it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.crm import schema, selectors, services
from kontora.crm.choices import MultiFieldType
from kontora.crm.models import Deal
from kontora.crm.rest import record_format as fmt
from kontora.crm.services.deals import first_stage
from kontora.rest import runner, values
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method

ENTITY_KEYS = ("lead", "deal", "contact", "company")


def _records(call: Call, key: str):
    return selectors.visible_records(call.user, schema.entity(key).model)


def _find(call: Call, key: str):
    pk = call.params.integer("id", required=True)
    if pk is None or pk <= 0:
        raise RestError("", "ID is not defined or invalid.")
    record = _records(call, key).filter(pk=pk).first()
    if record is None:
        raise RestError("", "Not found")
    return record


def _fields(call: Call) -> dict[str, Any]:
    return values.upper_keys(call.params.map("fields"))


@contextmanager
def _named(key: str) -> Iterator[None]:
    """A service's refusal names the field as the caller sent it (OPPORTUNITY, not amount)."""
    try:
        yield
    except Invalid as error:
        raise Invalid(error.code, fmt.bitrix_name(key, error.field), error.message) from error


# Reads -------------------------------------------------------------------------------------------------------


def list_records(call: Call, key: str) -> ListResult:
    fields = schema.fields_of(key)
    chosen = fmt.selection(key, call.params.list("select"))
    plain, communications = fmt.split_filter(key, call.params.map("filter"))
    queryset = filters.apply(_records(call, key).filter(communications), plain, fields)
    queryset = queryset.order_by(*filters.ordering(call.params.map("order") or None, fields), "id")
    found = runner.page(fmt.prepare(queryset, chosen), call, lambda record: record)
    return ListResult(fmt.write_rows(found.result, chosen), total=found.total, next=found.next)


def get_record(call: Call, key: str) -> dict[str, Any]:
    pk = call.params.integer("id", required=True)
    if pk is None or pk <= 0:
        raise RestError("", "ID is not defined or invalid.")
    chosen = fmt.selection(key, None, everything=True)
    record = fmt.prepare(_records(call, key).filter(pk=pk), chosen).first()  # one read, through the gate
    if record is None:
        raise RestError("", "Not found")
    return fmt.write_rows([record], chosen)[0]


def describe(call: Call, key: str) -> dict[str, dict]:
    return fmt.fields_answer(key)


# Writes ------------------------------------------------------------------------------------------------------


def _communications(fields: dict[str, Any], key: str) -> dict[str, list[dict[str, Any]]]:
    if key not in fmt.WITH_MULTI_FIELDS:
        return {}
    return {type_id: fmt.read_multifields(fields[type_id], type_id) for type_id in fmt.MULTI_FIELDS
            if type_id in fields}  # fmt: skip


def _add_communications(record, given: dict[str, list[dict[str, Any]]], *, by) -> None:
    for type_id in (MultiFieldType.WEB, MultiFieldType.IM):
        if given.get(type_id):
            services.set_multifields(record, by=by, type_id=type_id, values=fmt.new_multifields(given[type_id]))


def add_record(call: Call, key: str) -> int:
    fields = _fields(call)
    with _named(key):
        kwargs = fmt.read_fields(key, fields, call.user)
        given = _communications(fields, key)
        if key == "deal":
            record = _add_deal(call, fields, kwargs)
        else:
            phones = fmt.new_multifields(given.get(MultiFieldType.PHONE, []))
            emails = fmt.new_multifields(given.get(MultiFieldType.EMAIL, []))
            if key == "company":
                kwargs.setdefault("title", "")  # required: the service says so in the caller's terms
            create = {"lead": services.create_lead, "contact": services.create_contact,
                      "company": services.create_company}[key]  # fmt: skip
            record = create(by=call.user, phones=phones, emails=emails, **kwargs)
            _add_communications(record, given, by=call.user)
    return record.pk


def _add_deal(call: Call, fields: dict[str, Any], kwargs: dict[str, Any]) -> Deal:
    category = fmt.category(fields.get("CATEGORY_ID") or 0)
    stage = first_stage(category)
    if fields.get("STAGE_ID"):
        stage = fmt.status("STAGE_ID", category.stage_entity, fields["STAGE_ID"])
    kwargs.setdefault("title", "")
    if not kwargs["title"]:
        kwargs["title"] = str(schema.entity("deal").model._meta.verbose_name).capitalize()
    contacts = kwargs.pop("contacts", [])
    return services.create_deal(by=call.user, category=category, stage=stage, contacts=contacts, **kwargs)


def update_record(call: Call, key: str) -> bool:
    record = _find(call, key)
    fields = _fields(call)
    with _named(key):
        kwargs = fmt.read_fields(key, fields, call.user)
        if "custom" in kwargs:
            kwargs["custom"] = {**(record.custom or {}), **kwargs["custom"]}
        if key == "deal":
            _update_deal(call, record, fields, kwargs)
        else:
            _update_other(call, key, record, fields, kwargs)
    return True


def _update_deal(call: Call, deal: Deal, fields: dict[str, Any], kwargs: dict[str, Any]) -> None:
    """CATEGORY_ID is set at creation only and ignored here, as Bitrix24 does; STAGE_ID moves the deal."""
    contacts = kwargs.pop("contacts", None)
    if kwargs or contacts is not None:
        services.update_deal(deal, by=call.user, contacts=contacts, **kwargs)
    if fields.get("STAGE_ID"):
        stage = fmt.status("STAGE_ID", deal.category.stage_entity, fields["STAGE_ID"])
        services.move_deal(deal, stage, by=call.user, loss_reason=fmt.loss_reason(fields.get("LOSS_REASON_ID")),
                           reason_required=False)  # fmt: skip


def _update_other(call: Call, key: str, record, fields: dict[str, Any], kwargs: dict[str, Any]) -> None:
    if key == "lead":
        for relation in ("company", "contact"):
            if relation in kwargs and getattr(kwargs[relation], "pk", None) == getattr(record, f"{relation}_id"):
                del kwargs[relation]  # unchanged: clients send back what they read
        if kwargs:
            converting = "status" in kwargs and kwargs["status"].semantics == "S"
            services.update_lead(record, by=call.user, converting=converting, **kwargs)
    elif key == "contact":
        companies = kwargs.pop("companies", None)
        if kwargs or companies is not None:
            services.update_contact(record, by=call.user, companies=companies, **kwargs)
    elif kwargs:
        services.update_company(record, by=call.user, **kwargs)
    current = selectors.multifields_of(record)
    for type_id, changes in _communications(fields, key).items():
        existing = sorted(current.get(type_id, []), key=lambda item: item.pk)
        merged = fmt.merge_multifields(existing, changes)
        if merged != [(item.value, item.value_type) for item in existing]:
            services.set_multifields(record, by=call.user, type_id=type_id, values=merged)


def delete_record(call: Call, key: str) -> bool:
    """To the recycle bin, as deleting in the pages does."""
    services.delete_record(_find(call, key), by=call.user)
    return True


# Registration: one handler per entity and verb, each with its own name and docstring.

_VERBS: dict[str, tuple[Callable[[Call, str], Any], str]] = {
    "list": (list_records, "{title}s the caller may see: filter, order, select (* and UF_*), 50 per page."),
    "get": (get_record, "One {key} by id with every field, multi-fields included; Not found when not visible."),
    "add": (add_record, "Create a {key} from Bitrix24-named fields; returns its ID."),
    "update": (update_record, "Change a {key}; multi-fields merge by ID; returns true."),
    "delete": (delete_record, "Move a {key} to the recycle bin; returns true."),
    "fields": (describe, "The {key}'s fields: type, flags and title of each."),
}


def _register(key: str, verb: str) -> None:
    action, doc = _VERBS[verb]

    def handler(call: Call) -> Any:
        return action(call, key)

    handler.__name__ = f"crm_{key}_{verb}"
    handler.__doc__ = doc.format(key=key, title=key.capitalize())
    method(f"crm.{key}.{verb}", "crm")(handler)


for _key in ENTITY_KEYS:
    for _verb in _VERBS:
        _register(_key, _verb)
