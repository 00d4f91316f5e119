"""Reads of the kanban boards: pipelines a user may open, columns of lead statuses, pages of cards."""

import re
from decimal import Decimal

from django.db.models import Count, Sum

from kontora.accounts import access
from kontora.accounts.models import Level
from kontora.crm import selectors
from kontora.crm.choices import Dictionary, EntityType
from kontora.crm.models import Activity, Category, Deal, Lead, LossReason, Status

PAGE = 20
DEFAULT_COLOUR = "#9fb3c8"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


def colour_of(stage: Status) -> str:
    """The stage's colour, safe to put into a style attribute."""
    return stage.color if _COLOUR.match(stage.color or "") else DEFAULT_COLOUR


def pipeline_level(user, category: Category, action: str) -> Level:
    return access.context_for(user).level(access.entity_for(Deal), action, scope=f"category:{category.pk}")


def pipelines(user) -> list[Category]:
    """The pipelines whose deals the user may read, in the administrators' order."""
    return [category for category in Category.objects.all() if pipeline_level(user, category, "read") != Level.NONE]


def pipeline(user, category_id: int) -> Category | None:
    """One pipeline the user may read, or None (missing and forbidden look the same)."""
    return next((category for category in pipelines(user) if category.pk == category_id), None)


def deal_stage(category: Category, status_id: str) -> Status | None:
    return Status.objects.filter(entity_id=category.stage_entity, status_id=status_id).first()


def deal_stage_by_pk(category: Category, pk: int | None) -> Status | None:
    return Status.objects.filter(entity_id=category.stage_entity, pk=pk).first() if pk is not None else None


def loss_reasons() -> list[LossReason]:
    return list(LossReason.objects.filter(active=True))


def loss_reason(pk) -> LossReason | None:
    """An active loss reason by its id as posted; None for anything else."""
    try:
        return LossReason.objects.filter(active=True, pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def deal_columns(user, category: Category, stages_with_cards: bool = True) -> list[dict]:
    """Every stage of the pipeline with its count, sum, colour and (optionally) its first page of cards."""
    columns = selectors.stage_columns(user, category)
    for column in columns:
        column["colour"] = colour_of(column["stage"])
        if stages_with_cards:
            column.update(deal_page(user, column["stage"]))
    return columns


def deal_page(user, stage: Status, after_id: int | None = None) -> dict:
    """One page of a deal column: the cards and the id to continue after, when there are more."""
    page = _page(selectors.deals_in_stage(user, stage, after_id=after_id, limit=PAGE + 1))
    movable = selectors.visible_deals(user, "update", category=stage.category).filter(
        pk__in=[deal.pk for deal in page["cards"]]
    )
    _mark_movable(page["cards"], movable)
    return page


def visible_deal(user, pk: int, action: str = "read") -> Deal | None:
    return selectors.visible_deals(user, action).select_related("category", "stage").filter(pk=pk).first()


def deal_card(user, deal: Deal) -> Deal | None:
    """A deal as a card shows it (company, responsible, the next activity), if the user still sees it."""
    card = selectors.visible_deals(user).select_related("company", "responsible", "stage").filter(pk=deal.pk).first()
    if card is not None:
        card.next_activity = (
            Activity.objects.filter(owner_type=EntityType.DEAL, owner_id=card.pk, completed=False)
            .order_by("deadline", "id")
            .first()
        )
        _mark_movable([card], selectors.visible_deals(user, "update").filter(pk=card.pk))
    return card


def lead_statuses() -> list[Status]:
    return list(Status.objects.filter(entity_id=Dictionary.LEAD_STATUS).order_by("sort", "id"))


def lead_status(status_id: str) -> Status | None:
    return Status.objects.filter(entity_id=Dictionary.LEAD_STATUS, status_id=status_id).first()


def lead_status_by_pk(pk: int | None) -> Status | None:
    return Status.objects.filter(entity_id=Dictionary.LEAD_STATUS, pk=pk).first() if pk is not None else None


def lead_columns(user, with_cards: bool = True) -> list[dict]:
    """Every lead status with the count and sum of the leads the user sees, and their first page."""
    rows = selectors.visible_records(user, Lead).values("status_id").annotate(n=Count("id"), total=Sum("amount"))
    totals = {row["status_id"]: row for row in rows}
    columns = []
    for status in lead_statuses():
        column = {
            "stage": status,
            "colour": colour_of(status),
            "count": totals.get(status.pk, {}).get("n", 0),
            "total": totals.get(status.pk, {}).get("total") or Decimal(0),
        }
        if with_cards:
            column.update(lead_page(user, status))
        columns.append(column)
    return columns


def leads_in_status(user, status: Status, after_id: int | None = None, limit: int = PAGE) -> list[Lead]:
    """One page of a lead column, newest first, keyset-paged by id."""
    queryset = selectors.visible_records(user, Lead).filter(status=status)
    if after_id is not None:
        queryset = queryset.filter(pk__lt=after_id)
    return list(queryset.select_related("source", "responsible").order_by("-id")[:limit])


def lead_page(user, status: Status, after_id: int | None = None) -> dict:
    page = _page(leads_in_status(user, status, after_id=after_id, limit=PAGE + 1))
    movable = selectors.visible_records(user, Lead, "update").filter(pk__in=[lead.pk for lead in page["cards"]])
    _mark_movable(page["cards"], movable)
    return page


def visible_lead(user, pk: int, action: str = "read") -> Lead | None:
    return selectors.visible_records(user, Lead, action).select_related("status").filter(pk=pk).first()


def lead_card(user, lead: Lead) -> Lead | None:
    card = selectors.visible_records(user, Lead).select_related("source", "responsible").filter(pk=lead.pk).first()
    if card is not None:
        _mark_movable([card], selectors.visible_records(user, Lead, "update").filter(pk=card.pk))
    return card


def lead_level(user, action: str) -> Level:
    return access.context_for(user).level(access.entity_for(Lead), action)


def _page(items: list) -> dict:
    more = len(items) > PAGE
    items = items[:PAGE]
    return {"cards": items, "after": items[-1].pk if more else None}


def _mark_movable(cards: list, movable) -> None:
    """Set `can_move` on each card: whether the user may drag it to another column."""
    ids = set(movable.values_list("pk", flat=True)) if cards else set()
    for card in cards:
        card.can_move = card.pk in ids
