"""CRM REST methods: dictionaries (crm.status.*) and pipelines (crm.category.*, legacy crm.dealcategory.*)."""

from typing import Any

from kontora.core import filters
from kontora.core.errors import NotFound
from kontora.core.filters import Field, FieldType
from kontora.crm import pipelines, statuses
from kontora.crm.choices import Dictionary, EntityType, Semantics
from kontora.crm.models import Category, Status
from kontora.crm.services import create_category
from kontora.crm.services import dictionaries as services
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.runner import page
from kontora.rest.values import flag, moment, text, upper_keys

STATUS_FIELDS = {
    "ID": Field(path="id", type=FieldType.INTEGER),
    "ENTITY_ID": Field(path="entity_id", like=False),
    "STATUS_ID": Field(path="status_id", like=False),
    "NAME": Field(path="name"),
    "SORT": Field(path="sort", type=FieldType.INTEGER),
    "SYSTEM": Field(path="system", type=FieldType.BOOLEAN),
    "CATEGORY_ID": Field(path="category_id", type=FieldType.INTEGER),
    "COLOR": Field(path="color", like=False),
    "SEMANTICS": Field(path="semantics", type=FieldType.ENUM),
}
CATEGORY_FIELDS = {
    "ID": Field(path="id", type=FieldType.INTEGER),
    "NAME": Field(path="name"),
    "SORT": Field(path="sort", type=FieldType.INTEGER),
    "CREATED_DATE": Field(path="created_at", type=FieldType.DATETIME),
}
EXTRA_SEMANTICS = {"process": Semantics.PROCESS, "success": Semantics.SUCCESS, "failure": Semantics.FAILURE,
                   "apology": Semantics.FAILURE}  # fmt: skip


def _descriptor(kind: str, title: str, *, required: bool = False, read_only: bool = False,
                immutable: bool = False) -> dict[str, Any]:  # fmt: skip
    return {"type": kind, "isRequired": required, "isReadOnly": read_only, "isImmutable": immutable,
            "isMultiple": False, "isDynamic": False, "title": title}  # fmt: skip


def _staged(item: Status) -> bool:
    return item.category_id is not None or item.entity_id == Dictionary.LEAD_STATUS


def _extra_semantics(item: Status) -> str:
    if item.semantics == Semantics.PROCESS:
        return "process"
    if item.semantics == Semantics.SUCCESS:
        return "success"
    return "failure" if item.status_id.rsplit(":", 1)[-1] in ("LOSE", "JUNK") else "apology"


def status_row(item: Status) -> dict[str, Any]:
    """One crm.status row as Bitrix24 writes it; stages and lead statuses carry EXTRA."""
    row = {
        "ID": text(item.pk), "ENTITY_ID": item.entity_id, "STATUS_ID": item.status_id, "NAME": item.name,
        "NAME_INIT": statuses.initial_name(item), "SORT": text(item.sort), "SYSTEM": flag(item.system),
        "CATEGORY_ID": text(item.category_id), "COLOR": item.color or None,
        "SEMANTICS": None if item.semantics == Semantics.PROCESS else item.semantics,
    }  # fmt: skip
    if _staged(item):
        row["EXTRA"] = {"SEMANTICS": _extra_semantics(item), "COLOR": item.color or None}
    return row


def _status(call: Call) -> Status:
    found = statuses.entry(call.params.integer("id", required=True))
    if found is None:
        raise NotFound()
    return found


def _fields(call: Call) -> dict[str, Any]:
    return upper_keys(call.params.map("fields"))


def _sort(value: Any, name: str = "SORT") -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise RestError("", f"{name}: the value {value!r} is not a whole number.") from None


def _semantics(fields: dict[str, Any]) -> str:
    extra = upper_keys(fields.get("EXTRA") or {}) if isinstance(fields.get("EXTRA"), dict) else {}
    wanted = str(extra.get("SEMANTICS") or "").strip().lower()
    if wanted:
        if wanted not in EXTRA_SEMANTICS:
            raise RestError("", f"EXTRA[SEMANTICS]: unknown value {wanted!r}.")
        return EXTRA_SEMANTICS[wanted]
    code = str(fields.get("SEMANTICS") or "").strip().upper()
    if code not in ("", *Semantics.values):
        raise RestError("", f"SEMANTICS: unknown value {code!r}.")
    return code or Semantics.PROCESS


def _color(fields: dict[str, Any]) -> str | None:
    extra = upper_keys(fields.get("EXTRA") or {}) if isinstance(fields.get("EXTRA"), dict) else {}
    value = fields.get("COLOR", extra.get("COLOR"))
    return None if value is None else str(value).strip()


@method("crm.status.fields", "crm")
def status_fields(call: Call) -> dict[str, Any]:
    """The fields of a dictionary entry."""
    return {
        "ID": _descriptor("integer", "ID", read_only=True),
        "ENTITY_ID": _descriptor("string", "Dictionary", required=True, immutable=True),
        "STATUS_ID": _descriptor("string", "Code", required=True, immutable=True),
        "SORT": _descriptor("integer", "Sort"),
        "NAME": _descriptor("string", "Name", required=True),
        "NAME_INIT": _descriptor("string", "Initial name", read_only=True),
        "SYSTEM": _descriptor("char", "System", read_only=True),
        "CATEGORY_ID": _descriptor("integer", "Pipeline", read_only=True),
        "COLOR": _descriptor("string", "Colour"),
        "SEMANTICS": _descriptor("string", "Semantics", read_only=True),
        "EXTRA": _descriptor("crm_status_extra", "Extra"),
    }


@method("crm.status.list", "crm")
def status_list(call: Call) -> ListResult:
    """Dictionary entries: `filter` and `order` over the row's fields (default: dictionary, sort, ID); not paged."""
    queryset = filters.apply(statuses.entries(), call.params.map("filter"), STATUS_FIELDS)
    order = call.params.map("order")
    if order:
        queryset = queryset.order_by(*filters.ordering(order, STATUS_FIELDS))
    rows = [status_row(item) for item in queryset]
    return ListResult(rows, total=len(rows))


@method("crm.status.get", "crm")
def status_get(call: Call) -> dict[str, Any]:
    return status_row(_status(call))


@method("crm.status.add", "crm")
def status_add(call: Call) -> int:
    """A new entry (administrators): ENTITY_ID, STATUS_ID, NAME, SORT, COLOR, SEMANTICS or EXTRA[SEMANTICS]."""
    fields = _fields(call)
    entry = services.create_entry(
        by=call.user, entity_id=str(fields.get("ENTITY_ID") or ""), status_id=str(fields.get("STATUS_ID") or ""),
        name=str(fields.get("NAME") or ""), sort=_sort(fields.get("SORT")), color=_color(fields) or "",
        semantics=_semantics(fields),
    )  # fmt: skip
    return entry.pk


@method("crm.status.update", "crm")
def status_update(call: Call) -> bool:
    """Change NAME, SORT, COLOR (administrators); the dictionary and code stay."""
    entry = _status(call)
    fields = _fields(call)
    name = fields.get("NAME")
    services.update_entry(entry, by=call.user, name=None if name is None else str(name),
                          sort=_sort(fields.get("SORT")), color=_color(fields))  # fmt: skip
    return True


@method("crm.status.delete", "crm")
def status_delete(call: Call) -> bool:
    services.delete_entry(_status(call), by=call.user)
    return True


@method("crm.status.entity.types", "crm")
def status_entity_types(call: Call) -> list[dict[str, Any]]:
    return statuses.dictionaries()


@method("crm.status.entity.items", "crm")
def status_entity_items(call: Call) -> list[dict[str, Any]]:
    """The entries of one dictionary: NAME, SORT, STATUS_ID."""
    entity_id = str(call.params.get("entityId") or "").strip().upper()
    if not entity_id:
        raise RestError("", "The parameter entityId is not defined or invalid.")
    return [{"NAME": item.name, "SORT": text(item.sort), "STATUS_ID": item.status_id}
            for item in statuses.items_of(entity_id)]  # fmt: skip


# crm.category.* (the newer API: camelCase, wrapped, errors with codes) --------------------------------------------


def category_row(item: Category) -> dict[str, Any]:
    return {"id": item.pk, "name": item.name, "sort": item.sort, "entityTypeId": int(EntityType.DEAL),
            "isDefault": flag(item.is_default or item.pk == 0), "originId": "", "originatorId": ""}  # fmt: skip


def _deal_type(call: Call) -> None:
    value = call.params.integer("entityTypeId")
    if value is None:
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", "Parameter entityTypeId is required.")
    if value != EntityType.DEAL:
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", f"Entity type {value} does not support categories.")


def _category(pk: int | None) -> Category:
    found = pipelines.category(pk) if pk is not None else None
    if found is None:
        raise NotFound()
    return found


@method("crm.category.fields", "crm", family="item")
def category_fields(call: Call) -> dict[str, Any]:
    _deal_type(call)
    return {"fields": {
        "id": _descriptor("integer", "ID", read_only=True),
        "name": _descriptor("string", "Name", required=True),
        "sort": _descriptor("integer", "Sort"),
        "entityTypeId": _descriptor("integer", "Entity type", read_only=True),
        "isDefault": _descriptor("boolean", "Default", read_only=True),
    }}  # fmt: skip


@method("crm.category.list", "crm", family="item")
def category_list(call: Call) -> ListResult:
    """The deal pipelines, the default one (id 0) included: {"categories": […]}."""
    _deal_type(call)
    rows = [category_row(item) for item in pipelines.categories().order_by("sort", "id")]
    return ListResult({"categories": rows}, total=len(rows))


@method("crm.category.get", "crm", family="item")
def category_get(call: Call) -> dict[str, Any]:
    _deal_type(call)
    return {"category": category_row(_category(call.params.integer("id", required=True)))}


@method("crm.category.add", "crm", family="item")
def category_add(call: Call) -> dict[str, Any]:
    """A new pipeline with its new, won and lost stages (administrators)."""
    _deal_type(call)
    fields = {str(key).lower(): value for key, value in call.params.map("fields").items()}
    sort = _sort(fields.get("sort"), "sort")
    category = create_category(by=call.user, name=str(fields.get("name") or ""), sort=100 if sort is None else sort)
    return {"category": category_row(category)}


@method("crm.category.update", "crm", family="item")
def category_update(call: Call) -> dict[str, Any]:
    _deal_type(call)
    category = _category(call.params.integer("id", required=True))
    fields = {str(key).lower(): value for key, value in call.params.map("fields").items()}
    name = fields.get("name")
    services.update_category(category, by=call.user, name=None if name is None else str(name),
                             sort=_sort(fields.get("sort"), "sort"))  # fmt: skip
    return {"category": category_row(category)}


@method("crm.category.delete", "crm", family="item")
def category_delete(call: Call) -> list:
    """Delete a pipeline without deals (administrators); the default one stays."""
    _deal_type(call)
    services.delete_category(_category(call.params.integer("id", required=True)), by=call.user)
    return []


# crm.dealcategory.* (legacy: UPPERCASE rows, strings, the default pipeline apart) ------------------------------------


def deal_category_row(item: Category) -> dict[str, Any]:
    return {"ID": text(item.pk), "CREATED_DATE": moment(item.created_at), "NAME": item.name, "IS_LOCKED": "N",
            "SORT": text(item.sort)}  # fmt: skip


def _custom_category(call: Call) -> Category:
    pk = call.params.integer("id", required=True)
    if pk == 0:
        raise NotFound()
    return _category(pk)


@method("crm.dealcategory.fields", "crm")
def deal_category_fields(call: Call) -> dict[str, Any]:
    return {
        "ID": _descriptor("integer", "ID", read_only=True),
        "CREATED_DATE": _descriptor("date", "Created", read_only=True),
        "NAME": _descriptor("string", "Name", required=True),
        "IS_LOCKED": _descriptor("char", "Locked", read_only=True),
        "SORT": _descriptor("integer", "Sort"),
    }


@method("crm.dealcategory.list", "crm")
def deal_category_list(call: Call) -> ListResult:
    """Pipelines other than the default one, with `filter`, `order` and paging as legacy lists have them."""
    queryset = filters.apply(pipelines.categories().exclude(pk=0), call.params.map("filter"), CATEGORY_FIELDS)
    order = call.params.map("order")
    queryset = (
        queryset.order_by(*filters.ordering(order, CATEGORY_FIELDS)) if order else queryset.order_by("sort", "id")
    )
    return page(queryset, call, deal_category_row)


@method("crm.dealcategory.get", "crm")
def deal_category_get(call: Call) -> dict[str, Any]:
    return deal_category_row(_custom_category(call))


@method("crm.dealcategory.add", "crm")
def deal_category_add(call: Call) -> int:
    fields = _fields(call)
    sort = _sort(fields.get("SORT"))
    return create_category(by=call.user, name=str(fields.get("NAME") or ""), sort=100 if sort is None else sort).pk


@method("crm.dealcategory.update", "crm")
def deal_category_update(call: Call) -> bool:
    category = _custom_category(call)
    fields = _fields(call)
    name = fields.get("NAME")
    services.update_category(category, by=call.user, name=None if name is None else str(name),
                             sort=_sort(fields.get("SORT")))  # fmt: skip
    return True


@method("crm.dealcategory.delete", "crm")
def deal_category_delete(call: Call) -> bool:
    services.delete_category(_custom_category(call), by=call.user)
    return True


@method("crm.dealcategory.status", "crm")
def deal_category_status(call: Call) -> str:
    """The crm.status dictionary of the pipeline's stages: DEAL_STAGE or DEAL_STAGE_n."""
    return _category(call.params.integer("id", 0)).stage_entity


@method("crm.dealcategory.stage.list", "crm")
def deal_category_stage_list(call: Call) -> list[dict[str, Any]]:
    """The stages of pipeline `id` (0, the default, when absent) in order, as crm.status rows."""
    category = _category(call.params.integer("id", 0))
    return [status_row(item) for item in statuses.items_of(category.stage_entity)]


@method("crm.dealcategory.default.get", "crm")
def deal_category_default_get(call: Call) -> dict[str, Any]:
    category = _category(0)
    return {"ID": "0", "NAME": category.name}


@method("crm.dealcategory.default.set", "crm")
def deal_category_default_set(call: Call) -> bool:
    """Rename the default pipeline (administrators)."""
    services.update_category(_category(0), by=call.user, name=str(upper_keys(call.params.data).get("NAME") or ""))
    return True
