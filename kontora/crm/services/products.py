"""The product catalogue: sections and products, kept by administrators and heads of department."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontora.core.errors import Forbidden, Invalid
from kontora.crm.models import Product, ProductSection
from kontora.crm.products import can_manage
from kontora.crm.services.common import required_text
from kontora.events import history

PRODUCT_FIELDS = ("name", "section", "price", "currency", "vat_rate", "vat_included", "unit", "active", "description")


def _require_manager(by) -> None:
    if by is None or not can_manage(by):
        raise Forbidden()


def _number(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise Invalid("NOT_A_NUMBER", field, _("Enter a number.")) from error
    if not number.is_finite():
        raise Invalid("NOT_A_NUMBER", field, _("Enter a number."))
    return number


def _clean_product(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the product fields that are present."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be set here."))
    if "name" in fields:
        fields["name"] = required_text(fields["name"], "name", _("Enter the product's name."))
    if "price" in fields:
        price = _number(fields["price"] if fields["price"] is not None else 0, "price")
        if price < 0:
            raise Invalid("NEGATIVE_PRICE", "price", _("The price cannot be negative."))
        fields["price"] = price
    if fields.get("vat_rate") is not None:
        rate = _number(fields["vat_rate"], "vat_rate")
        if not 0 <= rate <= 100:
            raise Invalid("BAD_VAT", "vat_rate", _("VAT is a percentage from 0 to 100."))
        fields["vat_rate"] = rate
    if "currency" in fields:
        currency = (fields["currency"] or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise Invalid("BAD_CURRENCY", "currency", _("A currency is a three-letter code, such as RUB."))
        fields["currency"] = currency
    if "unit" in fields:
        fields["unit"] = required_text(fields["unit"], "unit", _("Enter the unit of measure."))
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    return fields


@transaction.atomic
def create_product(*, by, name: str, **fields) -> Product:
    _require_manager(by)
    fields = _clean_product({"name": name, **fields})
    product = Product.objects.create(**fields)
    values = history.snapshot(product, fields)
    history.record(product, by=by, action="create", changes={key: [None, value] for key, value in values.items()})
    return product


@transaction.atomic
def update_product(product: Product, *, by, **changes) -> Product:
    _require_manager(by)
    changes = _clean_product(changes)
    before = history.snapshot(product, changes)
    for name, value in changes.items():
        setattr(product, name, value)
    diff = history.diff(before, history.snapshot(product, changes))
    if diff:
        product.save()
        history.record(product, by=by, action="update", changes=diff)
    return product


def deactivate_product(product: Product, *, by) -> Product:
    """Take a product out of the catalogue: rows already on deals keep it; new rows cannot pick it."""
    return update_product(product, by=by, active=False)


def activate_product(product: Product, *, by) -> Product:
    return update_product(product, by=by, active=True)


def _check_parent(section: ProductSection | None, parent: ProductSection | None) -> None:
    """A section cannot sit inside itself or inside one of its own subsections."""
    node = parent
    while node is not None and section is not None and section.pk is not None:
        if node.pk == section.pk:
            raise Invalid("CYCLE", "parent", _("A section cannot be placed inside itself."))
        node = node.parent


@transaction.atomic
def create_section(*, by, name: str, parent: ProductSection | None = None) -> ProductSection:
    _require_manager(by)
    name = required_text(name, "name", _("Enter the section's name."))
    section = ProductSection.objects.create(name=name, parent=parent)
    history.record(
        section, by=by, action="create", changes={"name": [None, name], "parent": [None, parent.pk if parent else None]}
    )
    return section


@transaction.atomic
def update_section(section: ProductSection, *, by, **changes) -> ProductSection:
    _require_manager(by)
    unknown = set(changes) - {"name", "parent"}
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be changed here."))
    if "name" in changes:
        changes["name"] = required_text(changes["name"], "name", _("Enter the section's name."))
    if "parent" in changes:
        _check_parent(section, changes["parent"])
    before = history.snapshot(section, changes)
    for name, value in changes.items():
        setattr(section, name, value)
    diff = history.diff(before, history.snapshot(section, changes))
    if diff:
        section.save()
        history.record(section, by=by, action="update", changes=diff)
    return section


@transaction.atomic
def delete_section(section: ProductSection, *, by) -> None:
    """Remove an empty section (no subsections, no products, active or not)."""
    _require_manager(by)
    if section.children.exists() or section.products.exists():
        raise Invalid("NOT_EMPTY", None, _("Only an empty section can be deleted: move its products and subsections."))
    history.record(section, by=by, action="delete", changes={"name": [section.name, None]})
    section.delete()
