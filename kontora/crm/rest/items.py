"""crm.item.*: the universal CRM methods over leads (1), deals (2), contacts (3) and companies (4).

camelCase names and native values (`{"item": {"id": 7, "opportunity": 1500.0, …}}`); custom fields as ufCrm…
unless useOriginalUfNames=Y; multi-fields as `fm` when all fields are selected; nested `logic: OR` filters. Reads
start from the gate (`selectors.visible_records`), writes go through the CRM services; errors are NOT_FOUND and
ACCESS_DENIED (the "item" family).
"""

from typing import Any

from kontora.core import filters
from kontora.core.errors import NotFound
from kontora.crm import schema, selectors, services
from kontora.crm.rest import items_fields as item_fields
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.runner import page

CREATE = {
    "lead": services.create_lead,
    "deal": services.create_deal,
    "contact": services.create_contact,
    "company": services.create_company,
}
UPDATE = {
    "lead": services.update_lead,
    "deal": services.update_deal,
    "contact": services.update_contact,
    "company": services.update_company,
}
PREFETCH = {"deal": ("contacts",), "contact": ("companies",), "company": ("contacts",), "lead": ()}


def _key(call: Call) -> str:
    return item_fields.entity_key(call.params.get("entityTypeId"))


def _original_uf(call: Call) -> bool:
    return call.params.flag("useOriginalUfNames")


def _visible(call: Call, key: str, action: str = "read"):
    model = schema.entity(key).model
    related = schema.related_paths(schema.fields_of(key).values())
    return selectors.visible_records(call.user, model, action).select_related(*related).prefetch_related(*PREFETCH[key])


def _one(call: Call, key: str):
    found = _visible(call, key).filter(pk=call.params.integer("id", required=True)).first()
    if found is None:
        raise NotFound()
    return found


def _answer(call: Call, key: str, record) -> dict[str, Any]:
    fresh = _visible(call, key).filter(pk=record.pk).first() or record
    return {"item": item_fields.shaper(key, ["*"], _original_uf(call))(fresh)}


def _write_communications(record, sent: Any, *, by, skip: tuple[str, ...] = ()) -> None:
    for kind, pairs in item_fields.communications(sent).items():
        if kind not in skip:
            services.set_multifields(record, by=by, type_id=kind, values=pairs)


@method("crm.item.fields", "crm")
def item_fields_method(call: Call) -> dict[str, Any]:
    """The fields of an entity type: {"fields": {camelName: descriptor}}."""
    return {"fields": item_fields.describe(_key(call), _original_uf(call))}


@method("crm.item.add", "crm")
def item_add(call: Call) -> dict[str, Any]:
    """Create a lead, deal, contact or company from camelCase fields; answers {"item": {…}}."""
    key = _key(call)
    arguments = item_fields.arguments(key, call.params.map("fields"), call.user)
    sent_communications = arguments.pop("fm", None)
    found = item_fields.communications(sent_communications)
    if key != "deal":
        arguments["phones"], arguments["emails"] = found.get("PHONE", []), found.get("EMAIL", [])
    if key in ("deal", "company"):
        arguments.setdefault("title", "")
    record = CREATE[key](by=call.user, **arguments)
    if key != "deal" and sent_communications:
        _write_communications(record, sent_communications, by=call.user, skip=("PHONE", "EMAIL"))
    return _answer(call, key, record)


@method("crm.item.update", "crm")
def item_update(call: Call) -> dict[str, Any]:
    """Change an item: only the fields sent; a deal's stageId moves it through its pipeline."""
    key = _key(call)
    record = _one(call, key)
    arguments = item_fields.arguments(key, call.params.map("fields"), call.user, record)
    sent_communications = arguments.pop("fm", None)
    stage = arguments.pop("stage", None) if key == "deal" else None
    arguments.pop("category", None)
    if arguments:
        record = UPDATE[key](record, by=call.user, **arguments)
    if stage is not None:
        services.move_deal(record, stage, by=call.user, reason_required=False)
    if key != "deal" and sent_communications:
        _write_communications(record, sent_communications, by=call.user)
    return _answer(call, key, record)


@method("crm.item.get", "crm")
def item_get(call: Call) -> dict[str, Any]:
    """One item the caller may see: {"item": {…}}."""
    key = _key(call)
    return {"item": item_fields.shaper(key, ["*"], _original_uf(call))(_one(call, key))}


@method("crm.item.list", "crm")
def item_list(call: Call) -> ListResult:
    """Items the caller may see: select, filter (with nested logic OR groups), order, start (an offset)."""
    key = _key(call)
    original_uf = _original_uf(call)
    fields = item_fields.field_map(key, original_uf)
    queryset = filters.apply(_visible(call, key), call.params.map("filter"), fields)
    queryset = queryset.order_by(*filters.ordering(call.params.map("order"), fields), "id")
    shape = item_fields.shaper(key, call.params.list("select"), original_uf)
    found = page(queryset, call, shape, round_start=False)
    return ListResult({"items": found.result}, found.total, found.next)


@method("crm.item.delete", "crm")
def item_delete(call: Call) -> list:
    """Move an item to the recycle bin."""
    key = _key(call)
    services.delete_record(_one(call, key), by=call.user)
    return []
