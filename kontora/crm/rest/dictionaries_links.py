"""CRM REST methods: product rows of deals and leads, a deal's contacts, a contact's companies, duplicates by
phone or email."""

from decimal import Decimal, InvalidOperation
from typing import Any

from kontora.core.errors import NotFound
from kontora.crm import cards, pipelines, products, selectors
from kontora.crm.choices import EntityType, MultiFieldType
from kontora.crm.models import ProductRow
from kontora.crm.rest.products import measure_code, unit_of
from kontora.crm.services import set_product_rows, update_contact, update_deal
from kontora.crm.services.dictionaries import set_lead_product_rows
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, method
from kontora.rest.values import flag, read_flag, text, upper_keys

CENT = Decimal("0.01")
OWNER_TYPES = {EntityType.DEAL: "D", EntityType.LEAD: "L"}
FINDBYCOMM_LIMIT = 20
ENTITY_NAMES = {EntityType.LEAD: "LEAD", EntityType.CONTACT: "CONTACT", EntityType.COMPANY: "COMPANY"}


def _record(call: Call, entity_type: EntityType, name: str = "id"):
    """The record the caller may see; "Not found" otherwise (missing and forbidden look the same)."""
    found = selectors.get_record(call.user, entity_type, call.params.integer(name, required=True))
    if found is None:
        raise NotFound()
    return found


# Product rows ---------------------------------------------------------------------------------------------------


def _number(fields: dict[str, Any], name: str) -> Decimal | None:
    value = fields.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise RestError("", f"{name}: the value {value!r} is not a number.") from None
    if not number.is_finite():
        raise RestError("", f"{name}: the value {value!r} is not a number.")
    return number


def _row_in(raw: Any, call: Call) -> dict[str, Any]:
    """A Bitrix24 row (PRICE is per unit after the discount, with tax) as the service's row: the price before the
    discount, on the basis the row's TAX_INCLUDED says, and the discount as a percentage."""
    if not isinstance(raw, dict):
        raise RestError("", "rows: every row must be an object.")
    fields = upper_keys(raw)
    row: dict[str, Any] = {}
    product_id = int(_number(fields, "PRODUCT_ID") or 0)
    product = None
    if product_id:
        try:
            product = products.product(call.user, product_id)
        except NotFound:
            raise RestError("", f"PRODUCT_ID: there is no product {product_id}.") from None
        row["product"] = product
    if fields.get("PRODUCT_NAME") not in (None, ""):
        row["product_name"] = str(fields["PRODUCT_NAME"])
    quantity = _number(fields, "QUANTITY")
    if quantity is not None:
        row["quantity"] = quantity
    tax = _number(fields, "TAX_RATE")
    if "TAX_RATE" in fields:
        row["tax_rate"] = tax
    if "TAX_INCLUDED" in fields:
        row["tax_included"] = read_flag(fields["TAX_INCLUDED"])
    included = row.get("tax_included", product.vat_included if product else True)
    tax = row.get("tax_rate", product.vat_rate if product else None) or Decimal(0)
    for name in ("MEASURE_NAME", "MEASURE_CODE"):
        if fields.get(name) not in (None, ""):
            row["unit"] = unit_of(fields[name])
            break
    with_tax = 1 + tax / 100
    # Prices the caller sent, each brought to "per unit, with tax" (final: after the discount; gross: before).
    final = _number(fields, "PRICE")
    if final is None and _number(fields, "PRICE_EXCLUSIVE") is not None:
        final = _number(fields, "PRICE_EXCLUSIVE") * with_tax
    gross = _number(fields, "PRICE_BRUTTO")
    if gross is None and _number(fields, "PRICE_NETTO") is not None:
        gross = _number(fields, "PRICE_NETTO") * with_tax
    rate = _number(fields, "DISCOUNT_RATE") or Decimal(0)
    discount_sum = _number(fields, "DISCOUNT_SUM")
    if str(fields.get("DISCOUNT_TYPE_ID") or "2").strip() == "1" and discount_sum is not None:
        if gross is None and final is not None:
            gross = final + discount_sum * with_tax
        rate = (discount_sum * with_tax / gross * 100) if gross else Decimal(0)
    if not 0 <= rate <= 100:
        raise RestError("", "DISCOUNT_RATE: a discount is from 0 to 100 percent.")
    if gross is None and final is not None:
        gross = final / (1 - rate / 100) if rate < 100 else Decimal(0)
    if gross is not None:
        row["price"] = (gross if included else gross / with_tax).quantize(CENT)
    row["discount_rate"] = rate.quantize(CENT)
    return row


def row_out(row: ProductRow) -> dict[str, Any]:
    tax = row.tax_rate or Decimal(0)
    with_tax = 1 + tax / 100
    final = row.final_price
    if row.tax_included:
        price, exclusive, brutto, netto = final, final / with_tax, row.price, row.price / with_tax
    else:
        price, exclusive, brutto, netto = final * with_tax, final, row.price * with_tax, row.price
    price, exclusive, brutto, netto = (value.quantize(CENT) for value in (price, exclusive, brutto, netto))
    return {
        "ID": text(row.pk), "OWNER_ID": text(row.owner_id), "OWNER_TYPE": OWNER_TYPES.get(row.owner_type, ""),
        "PRODUCT_ID": text(row.product_id or 0), "PRODUCT_NAME": row.product_name,
        "ORIGINAL_PRODUCT_NAME": row.product_name, "PRICE": text(price), "PRICE_ACCOUNT": text(price),
        "PRICE_EXCLUSIVE": text(exclusive), "PRICE_NETTO": text(netto), "PRICE_BRUTTO": text(brutto),
        "QUANTITY": text(row.quantity.normalize()), "DISCOUNT_TYPE_ID": "2", "DISCOUNT_RATE": text(row.discount_rate),
        "DISCOUNT_SUM": text(netto - exclusive), "TAX_RATE": text(row.tax_rate), "TAX_INCLUDED": flag(row.tax_included),
        "CUSTOMIZED": "Y", "MEASURE_CODE": measure_code(row.unit), "MEASURE_NAME": row.unit, "SORT": text(row.sort),
        "TYPE": "1",
    }  # fmt: skip


def _rows(call: Call) -> list[dict[str, Any]]:
    return [_row_in(raw, call) for raw in call.params.list("rows")]


@method("crm.deal.productrows.get", "crm")
def deal_rows_get(call: Call) -> list[dict[str, Any]]:
    """The deal's product rows."""
    return [row_out(row) for row in cards.product_rows(_record(call, EntityType.DEAL))]


@method("crm.deal.productrows.set", "crm")
def deal_rows_set(call: Call) -> bool:
    """Replace every product row of the deal; the amount follows the rows (IS_MANUAL_OPPORTUNITY becomes N)."""
    set_product_rows(_record(call, EntityType.DEAL), _rows(call), by=call.user)
    return True


@method("crm.lead.productrows.get", "crm")
def lead_rows_get(call: Call) -> list[dict[str, Any]]:
    return [row_out(row) for row in pipelines.lead_product_rows(_record(call, EntityType.LEAD))]


@method("crm.lead.productrows.set", "crm")
def lead_rows_set(call: Call) -> bool:
    """Replace every product row of the lead; with rows, OPPORTUNITY becomes their sum."""
    set_lead_product_rows(_record(call, EntityType.LEAD), _rows(call), by=call.user)
    return True


# A deal's contacts, a contact's companies --------------------------------------------------------------------------


def _items(ids: list[int], key: str) -> list[dict[str, Any]]:
    """Links in order: the first is the primary one. Kontora keeps no SORT or roles, so SORT is the position."""
    return [{key: pk, "SORT": (position + 1) * 10, "ROLE_ID": 0, "IS_PRIMARY": flag(position == 0)}
            for position, pk in enumerate(ids)]  # fmt: skip


def _ordered(items: list[Any], key: str) -> list[int]:
    """Ids from [{KEY, SORT, IS_PRIMARY}]: the primary first, then by SORT."""
    entries = []
    for position, raw in enumerate(items):
        fields = upper_keys(raw) if isinstance(raw, dict) else {key: raw}
        try:
            pk = int(str(fields.get(key)).strip())
            sort = int(str(fields.get("SORT") or (position + 1) * 10).strip())
        except ValueError:
            raise RestError("", f"{key}: the value {fields.get(key)!r} is not an ID.") from None
        entries.append((not read_flag(fields.get("IS_PRIMARY")), sort, position, pk))
    result: list[int] = []
    for *_order, pk in sorted(entries):
        if pk not in result:
            result.append(pk)
    return result


def _visible(call: Call, entity_type: EntityType, ids: list[int]) -> list:
    """The records behind `ids`, each one the caller may see; otherwise the whole call fails."""
    found = {record.pk: record for record in selectors.visible_records(
        call.user, selectors.RECORD_MODELS[entity_type]).filter(pk__in=ids)}  # fmt: skip
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise RestError("", f"{ENTITY_NAMES[entity_type]} {missing[0]} is not found.")
    return [found[pk] for pk in ids]


def _deal_contacts(deal) -> list[int]:
    return sorted(deal.contacts.values_list("pk", flat=True))


def _set_deal_contacts(call: Call, deal, ids: list[int]) -> bool:
    update_deal(deal, by=call.user, contacts=_visible(call, EntityType.CONTACT, ids))
    return True


@method("crm.deal.contact.items.get", "crm")
def deal_contacts_get(call: Call) -> list[dict[str, Any]]:
    """The deal's contacts: [{CONTACT_ID, SORT, ROLE_ID, IS_PRIMARY}]."""
    return _items(_deal_contacts(_record(call, EntityType.DEAL)), "CONTACT_ID")


@method("crm.deal.contact.items.set", "crm")
def deal_contacts_set(call: Call) -> bool:
    """Replace the deal's contacts with `items` [{CONTACT_ID, SORT, IS_PRIMARY}]."""
    deal = _record(call, EntityType.DEAL)
    return _set_deal_contacts(call, deal, _ordered(call.params.list("items"), "CONTACT_ID"))


@method("crm.deal.contact.items.delete", "crm")
def deal_contacts_clear(call: Call) -> bool:
    return _set_deal_contacts(call, _record(call, EntityType.DEAL), [])


@method("crm.deal.contact.add", "crm")
def deal_contact_add(call: Call) -> bool:
    """Link one more contact: `fields` {CONTACT_ID, SORT, IS_PRIMARY}."""
    deal = _record(call, EntityType.DEAL)
    added = _ordered([call.params.map("fields")], "CONTACT_ID")
    return _set_deal_contacts(call, deal, [*_deal_contacts(deal), *added])


@method("crm.deal.contact.delete", "crm")
def deal_contact_delete(call: Call) -> bool:
    """Unlink a contact: `fields` {CONTACT_ID}."""
    deal = _record(call, EntityType.DEAL)
    removed = set(_ordered([call.params.map("fields")], "CONTACT_ID"))
    return _set_deal_contacts(call, deal, [pk for pk in _deal_contacts(deal) if pk not in removed])


@method("crm.contact.company.items.get", "crm")
def contact_companies_get(call: Call) -> list[dict[str, Any]]:
    """The contact's companies: [{COMPANY_ID, SORT, ROLE_ID, IS_PRIMARY}]."""
    contact = _record(call, EntityType.CONTACT)
    return _items(sorted(contact.companies.values_list("pk", flat=True)), "COMPANY_ID")


@method("crm.contact.company.items.set", "crm")
def contact_companies_set(call: Call) -> bool:
    contact = _record(call, EntityType.CONTACT)
    ids = _ordered(call.params.list("items"), "COMPANY_ID")
    update_contact(contact, by=call.user, companies=_visible(call, EntityType.COMPANY, ids))
    return True


# Duplicates ----------------------------------------------------------------------------------------------------


@method("crm.duplicate.findbycomm", "crm")
def find_by_communication(call: Call) -> dict[str, list[int]] | list:
    """Leads, contacts and companies the caller can see with one of these phones or emails (at most 20 values)."""
    kind = str(call.params.get("type") or "").strip().upper()
    if kind not in (MultiFieldType.PHONE, MultiFieldType.EMAIL):
        raise RestError("", "Communication type is not defined or invalid: use EMAIL or PHONE.")
    values = [str(value).strip() for value in call.params.list("values") if str(value).strip()]
    if not values:
        raise RestError("", "Communication values are not defined.")
    if len(values) > FINDBYCOMM_LIMIT:
        raise RestError("", f"Too many communication values: at most {FINDBYCOMM_LIMIT}.")
    wanted = str(call.params.get("entity_type") or "").strip().upper()
    names = {name: entity_type for entity_type, name in ENTITY_NAMES.items()}
    if wanted and wanted not in names:
        raise RestError("", "entity_type: use LEAD, CONTACT or COMPANY.")
    found: dict[str, list[int]] = {}
    for value in values:
        if ("@" in value) != (kind == MultiFieldType.EMAIL):
            continue  # an email among phones, or a phone among emails, matches nothing
        for entity_type, ids in selectors.find_by_communication(call.user, value).items():
            name = ENTITY_NAMES.get(EntityType(entity_type))
            if name is None or (wanted and name != wanted):
                continue
            bucket = found.setdefault(name, [])
            bucket.extend(pk for pk in ids if pk not in bucket)
    return {name: sorted(ids) for name, ids in found.items() if ids} or []
