"""Deals: create, change, move through the pipeline's stages, and their product rows."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.core.errors import Invalid
from kontora.crm.choices import Dictionary, EntityType, Semantics
from kontora.crm.models import Category, Contact, Deal, LossReason, ProductRow, StageHistory, Status
from kontora.crm.services.common import (
    apply_changes,
    clean_custom,
    created,
    relink,
    require,
    required_text,
    seconds_since,
    still_visible,
    updated,
)
from kontora.events import history

DEAL_FIELDS = (
    "title",
    "deal_type",
    "amount",
    "currency",
    "probability",
    "begin_date",
    "close_date",
    "company",
    "source",
    "comments",
    "responsible",
    "opened",
    "custom",
    "is_manual_amount",
)


def first_stage(category: Category) -> Status:
    return Status.objects.filter(category=category, entity_id=category.stage_entity).order_by("sort", "id").first()


def _check(fields: dict) -> None:
    amount = fields.get("amount")
    if amount is not None and amount < 0:
        raise Invalid("NEGATIVE_AMOUNT", "amount", _("The amount cannot be negative."))
    probability = fields.get("probability")
    if probability is not None and not 0 <= probability <= 100:
        raise Invalid("BAD_PROBABILITY", "probability", _("Probability is a percentage from 0 to 100."))
    deal_type = fields.get("deal_type")
    if deal_type is not None and deal_type.entity_id != Dictionary.DEAL_TYPE:
        raise Invalid("WRONG_DICTIONARY", "deal_type", _("This value does not belong here."))


@transaction.atomic
def create_deal(
    *,
    by,
    title: str,
    category: Category | None = None,
    stage: Status | None = None,
    contacts: Iterable[Contact] = (),
    **fields,
) -> Deal:
    title = required_text(title, "title", _("Enter the deal's name."))
    category = category or Category.objects.get(pk=0)
    stage = stage or first_stage(category)
    if stage is None or stage.entity_id != category.stage_entity:
        raise Invalid("WRONG_STAGE", "stage", _("This stage belongs to another pipeline."))
    unknown = set(fields) - set(DEAL_FIELDS) - {"lead"}
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be set here."))
    _check(fields)
    clean_custom(EntityType.DEAL, fields)
    fields.setdefault("responsible", by)
    deal = Deal(title=title, category=category, stage=stage, created_by=by, modified_by=by, **fields)
    deal.closed = stage.is_final
    deal.moved_at, deal.moved_by = timezone.now(), by
    require(by, "add", deal)
    deal.save()
    deal.contacts.set(contacts)
    StageHistory.objects.create(
        entity_type=EntityType.DEAL,
        entity_id=deal.pk,
        category=category,
        to_stage=stage,
        semantics=stage.semantics,
        moved_by=by,
        responsible=deal.responsible,
    )
    created(deal, by=by, fields={"title": title, "category": category, "stage": stage, **fields})
    return deal


@transaction.atomic
def update_deal(deal: Deal, *, by, contacts: Iterable[Contact] | None = None, **changes) -> Deal:
    """Change a deal's fields. Stages move only through `move_deal`; the pipeline never changes here."""
    require(by, "update", deal)
    for field in ("stage", "category"):
        if field in changes:
            raise Invalid("USE_MOVE", field, _("Move the deal to another stage instead."))
    _check(changes)
    clean_custom(EntityType.DEAL, changes)
    diff = apply_changes(deal, changes, DEAL_FIELDS)
    deal.modified_by = by
    deal.save()
    relink(deal, "contacts", contacts, diff)
    still_visible(by, deal)
    updated(deal, by=by, diff=diff)
    return deal


@transaction.atomic
def move_deal(
    deal: Deal, stage: Status, *, by, loss_reason: LossReason | None = None, loss_comment: str = "",
    reason_required: bool = True,
) -> Deal:
    """Move a deal to a stage of its pipeline; a lost stage needs a reason. Kept in the stage history.

    People are asked why a deal was lost; Bitrix24's REST clients have no such field, so the API moves deals with
    `reason_required=False` and the loss is counted as "no reason given"."""  # fmt: skip
    require(by, "update", deal)
    if stage.entity_id != deal.category.stage_entity:
        raise Invalid("WRONG_STAGE", "stage", _("This stage belongs to another pipeline."))
    if stage.pk == deal.stage_id:
        return deal
    if stage.semantics == Semantics.FAILURE and loss_reason is None and reason_required:
        raise Invalid("LOSS_REASON_REQUIRED", "loss_reason", _("Choose why the deal was lost."))
    previous = deal.stage
    StageHistory.objects.create(
        entity_type=EntityType.DEAL, entity_id=deal.pk, category=deal.category, from_stage=previous, to_stage=stage,
        semantics=stage.semantics, moved_by=by, responsible=deal.responsible,
        seconds_in_previous=seconds_since(deal.moved_at or deal.created_at),
    )  # fmt: skip
    changes = {"stage": [previous.pk, stage.pk]}
    if stage.semantics == Semantics.FAILURE:
        changes["loss_reason"] = [deal.loss_reason_id, loss_reason.pk if loss_reason else None]
        deal.loss_reason, deal.loss_comment = loss_reason, loss_comment.strip()
    elif deal.loss_reason_id is not None:
        changes["loss_reason"] = [deal.loss_reason_id, None]
        deal.loss_reason, deal.loss_comment = None, ""
    deal.stage, deal.closed = stage, stage.is_final
    deal.moved_at, deal.moved_by, deal.modified_by = timezone.now(), by, by
    deal.save()
    history.record(deal, by=by, action="update", changes=changes)
    events.emit(
        "crm.deal.stage_changed",
        deal,
        by=by,
        changes=changes,
        semantics=stage.semantics,
        from_stage=previous.status_id,
        to_stage=stage.status_id,
    )
    return deal


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise Invalid("NOT_A_NUMBER", field, _("Enter a number.")) from error


def replace_product_rows(record, rows: Iterable[dict]) -> list[ProductRow]:
    """Check the rows a caller sent and put them in place of the record's (deal or lead) product rows."""
    new_rows = []
    for sort, row in enumerate(rows, start=1):
        product = row.get("product")
        name = (row.get("product_name") or (product.name if product else "")).strip()
        if not name:
            raise Invalid("REQUIRED", "product_name", _("Every row needs a product or a name."))
        item = ProductRow(
            owner_type=record.entity_type, owner_id=record.pk, product=product, product_name=name[:255],
            price=_decimal(row.get("price", product.price if product else 0), "price"),
            quantity=_decimal(row.get("quantity", 1), "quantity"),
            discount_rate=_decimal(row.get("discount_rate", 0), "discount_rate"),
            tax_rate=row.get("tax_rate", product.vat_rate if product else None),
            tax_included=row.get("tax_included", product.vat_included if product else True),
            unit=row.get("unit", product.unit if product else "шт"), sort=sort * 10,
        )  # fmt: skip
        if item.price < 0 or item.quantity <= 0 or not 0 <= item.discount_rate <= 100:
            raise Invalid("BAD_ROW", "price", _("Price must not be negative, quantity positive, discount 0–100%."))
        new_rows.append(item)
    ProductRow.objects.filter(owner_type=record.entity_type, owner_id=record.pk).delete()
    ProductRow.objects.bulk_create(new_rows)
    return new_rows


@transaction.atomic
def set_product_rows(deal: Deal, rows: Iterable[dict], *, by) -> list[ProductRow]:
    """Replace every product row of a deal (as crm.deal.productrows.set does) and recompute its amount."""
    require(by, "update", deal)
    new_rows = replace_product_rows(deal, rows)
    total = sum((row.total for row in new_rows), Decimal(0))
    old_amount = deal.amount
    deal.is_manual_amount = not new_rows
    if new_rows:
        deal.amount = total
    deal.modified_by = by
    deal.save()
    diff = {"product_rows": [None, len(new_rows)]}
    if deal.amount != old_amount:
        diff["amount"] = [str(old_amount), str(deal.amount)]
    updated(deal, by=by, diff=diff)
    return new_rows
