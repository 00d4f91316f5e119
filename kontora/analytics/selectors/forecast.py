"""Expected revenue for the coming months from open deals, by their expected close date.

Each open deal (in the scope, that the viewer may see, with CLOSEDATE in one of the coming months) counts with its
amount × probability: the deal's own probability when it has one, else the historical chance that a deal which
reached its current stage was won — of the closed deals that reached that stage (stage history, "reached or
passed" as in the funnel), the share won. Deals with a close date already past are not counted.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from kontora.accounts.models import User
from kontora.analytics.selectors.funnel import PATH, furthest_sort
from kontora.analytics.selectors.scope import Scope, deal_filter, deals
from kontora.crm.choices import Semantics
from kontora.crm.models import Status


@dataclass
class Month:
    first: date
    count: int = 0
    amount: Decimal = Decimal(0)
    expected: Decimal = Decimal(0)
    filter: dict = field(default_factory=dict)


def stage_chances(viewer: User, scope: Scope, action: str = "read") -> dict[int, float]:
    """Stage id → the share (0..1) of closed deals that reached the stage and were won, for in-progress stages."""
    closed = list(
        deals(viewer, scope, action).filter(closed=True).annotate(furthest=furthest_sort())
        .values("category_id", "furthest")
        .annotate(n=Count("pk"), won=Count("pk", filter=Q(stage__semantics=Semantics.SUCCESS)))
        .order_by()
    )  # fmt: skip
    stages = Status.objects.filter(category__isnull=False, semantics__in=PATH)
    if scope.category is not None:
        stages = stages.filter(category=scope.category)
    chances = {}
    for stage in stages:
        reached = [row for row in closed if row["category_id"] == stage.category_id and
                   row["furthest"] is not None and row["furthest"] >= stage.sort]  # fmt: skip
        total = sum(row["n"] for row in reached)
        chances[stage.pk] = sum(row["won"] for row in reached) / total if total else 0.0
    return chances


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def forecast(
    viewer: User, scope: Scope, months: int = 6, today: date | None = None, action: str = "read"
) -> list[Month]:
    """One row per coming month (the current one first): open deals, their amount and the expected revenue."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    result = [Month(_add_months(first, shift)) for shift in range(months)]
    end = _add_months(first, months)
    chances = stage_chances(viewer, scope, action)
    open_deals = deals(viewer, scope, action).filter(closed=False, close_date__gte=today, close_date__lt=end)
    by_month = {month.first: month for month in result}
    for amount, probability, stage_id, close_date in open_deals.values_list(
        "amount", "probability", "stage_id", "close_date"
    ):
        month = by_month[close_date.replace(day=1)]
        chance = Decimal(probability) / 100 if probability is not None else Decimal(str(chances.get(stage_id, 0.0)))
        month.count += 1
        month.amount += amount
        month.expected += amount * chance
    base = deal_filter(scope, created=False)
    for month in result:
        month.expected = month.expected.quantize(Decimal("0.01"))
        last = _add_months(month.first, 1)
        month.filter = {**base, "CLOSED": "N", ">=CLOSEDATE": max(month.first, today).isoformat(),
                        "<CLOSEDATE": last.isoformat()}  # fmt: skip
    return result
