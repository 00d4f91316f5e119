"""CRM REST methods: the product catalogue (legacy crm.product.*)."""

from decimal import Decimal
from typing import Any

from kontora.core import filters
from kontora.core.errors import NotFound
from kontora.core.filters import Field, FieldType
from kontora.crm import products
from kontora.crm.models import Product
from kontora.crm.services import products as services
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, method
from kontora.rest.runner import page
from kontora.rest.values import flag, link, read_flag, text, upper_keys

# Units by their OKEI code, as Bitrix24's MEASURE_CODE gives them; other units travel by name.
MEASURES = {"796": "шт", "006": "м", "055": "м²", "112": "л", "163": "г", "166": "кг", "356": "ч", "839": "компл"}
_CODES = {name: code for code, name in MEASURES.items()}
# Bitrix24's default VAT rates by VAT_ID (catalog.vat): none, 0 %, 10 %, 20 %.
VATS: dict[str, Decimal | None] = {"1": None, "2": Decimal(0), "3": Decimal(10), "4": Decimal(20)}

PRODUCT_FIELDS = {
    "ID": Field(path="id", type=FieldType.INTEGER),
    "NAME": Field(path="name"),
    "PRICE": Field(path="price", type=FieldType.DECIMAL),
    "CURRENCY_ID": Field(path="currency", like=False),
    "ACTIVE": Field(path="active", type=FieldType.BOOLEAN),
    "SECTION_ID": Field(path="section_id", type=FieldType.INTEGER, zero_is_empty=True),
    "DESCRIPTION": Field(path="description"),
    "VAT_INCLUDED": Field(path="vat_included", type=FieldType.BOOLEAN),
    "DATE_CREATE": Field(path="created_at", type=FieldType.DATETIME),
    "TIMESTAMP_X": Field(path="updated_at", type=FieldType.DATETIME),
}


def measure_code(unit: str) -> str | None:
    return _CODES.get(unit)


def unit_of(value: Any) -> str:
    """A MEASURE or MEASURE_CODE as Kontora's unit: a known OKEI code becomes its name; text stays as sent."""
    value = str(value or "").strip()
    return MEASURES.get(value.zfill(3) if value.isdigit() else value, value)


def _vat_id(rate: Decimal | None) -> str | None:
    if rate is None:
        return None
    return next((key for key, value in VATS.items() if value is not None and value == rate), None)


def product_row(item: Product) -> dict[str, Any]:
    return {
        "ID": text(item.pk), "NAME": item.name, "PRICE": text(item.price), "CURRENCY_ID": item.currency,
        "ACTIVE": flag(item.active), "SECTION_ID": link(item.section_id), "CATALOG_ID": None,
        "DESCRIPTION": item.description, "DESCRIPTION_TYPE": "text", "MEASURE": measure_code(item.unit) or item.unit,
        "VAT_ID": _vat_id(item.vat_rate), "VAT_INCLUDED": flag(item.vat_included), "SORT": "100", "XML_ID": None,
        "DATE_CREATE": text(item.created_at), "TIMESTAMP_X": text(item.updated_at),
    }  # fmt: skip


def _changes(fields: dict[str, Any]) -> dict[str, Any]:
    """Legacy product fields as the catalogue service's; SORT and XML_ID are not kept and are ignored."""
    changes: dict[str, Any] = {}
    for name, target in (("NAME", "name"), ("PRICE", "price"), ("CURRENCY_ID", "currency"),
                         ("DESCRIPTION", "description")):  # fmt: skip
        if name in fields:
            changes[target] = fields[name]
    if "ACTIVE" in fields:
        changes["active"] = read_flag(fields["ACTIVE"])
    if "VAT_INCLUDED" in fields:
        changes["vat_included"] = read_flag(fields["VAT_INCLUDED"])
    if "VAT_ID" in fields:
        key = str(fields["VAT_ID"] or "1").strip()
        if key not in VATS:
            raise RestError("", f"VAT_ID: unknown VAT rate {key!r}.")
        changes["vat_rate"] = VATS[key]
    if "MEASURE" in fields:
        changes["unit"] = unit_of(fields["MEASURE"])
    if "SECTION_ID" in fields:
        section_id = fields["SECTION_ID"]
        changes["section"] = products.section(int(section_id)) if section_id not in (None, "", "0", 0) else None
    return changes


def _product(call: Call) -> Product:
    return products.product(call.user, call.params.integer("id", required=True))


@method("crm.product.fields", "crm")
def product_fields(call: Call) -> dict[str, Any]:
    def entry(kind: str, title: str, *, required: bool = False, read_only: bool = False) -> dict[str, Any]:
        return {"type": kind, "isRequired": required, "isReadOnly": read_only, "isImmutable": False,
                "isMultiple": False, "isDynamic": False, "title": title}  # fmt: skip

    return {
        "ID": entry("integer", "ID", read_only=True), "NAME": entry("string", "Name", required=True),
        "PRICE": entry("double", "Price"), "CURRENCY_ID": entry("string", "Currency"),
        "ACTIVE": entry("char", "Active"), "SECTION_ID": entry("integer", "Section"),
        "DESCRIPTION": entry("string", "Description"), "MEASURE": entry("integer", "Unit"),
        "VAT_ID": entry("integer", "VAT rate"), "VAT_INCLUDED": entry("char", "VAT included"),
        "SORT": entry("integer", "Sort"), "XML_ID": entry("string", "External ID"),
        "DATE_CREATE": entry("datetime", "Created", read_only=True),
        "TIMESTAMP_X": entry("datetime", "Modified", read_only=True),
    }  # fmt: skip


@method("crm.product.list", "crm")
def product_list(call: Call):
    """The catalogue: active products for everyone, inactive ones too for those who keep it."""
    queryset = filters.apply(products.catalogue(call.user, inactive=True), call.params.map("filter"), PRODUCT_FIELDS)
    queryset = queryset.order_by(*filters.ordering(call.params.map("order"), PRODUCT_FIELDS))
    return page(queryset, call, product_row)


@method("crm.product.get", "crm")
def product_get(call: Call) -> dict[str, Any]:
    return product_row(_product(call))


@method("crm.product.add", "crm")
def product_add(call: Call) -> int:
    """A new product (administrators and heads of department)."""
    try:
        changes = _changes(upper_keys(call.params.map("fields")))
        return services.create_product(by=call.user, name=str(changes.pop("name", "") or ""), **changes).pk
    except NotFound:
        raise RestError("", "SECTION_ID: there is no such section.") from None


@method("crm.product.update", "crm")
def product_update(call: Call) -> bool:
    product = _product(call)
    try:
        services.update_product(product, by=call.user, **_changes(upper_keys(call.params.map("fields"))))
    except NotFound:
        raise RestError("", "SECTION_ID: there is no such section.") from None
    return True


@method("crm.product.delete", "crm")
def product_delete(call: Call) -> bool:
    """Take the product out of the catalogue (it is deactivated: deal rows that use it keep it)."""
    services.deactivate_product(_product(call), by=call.user)
    return True
