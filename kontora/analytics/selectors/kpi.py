"""Sales KPIs for a period beside the period of the same length before it.

- closed deals: deals now won or lost that moved there in the period; revenue: the amounts of those won;
  average deal: revenue / won; win rate: won / closed;
- lead → deal conversion: of the leads created in the period, the share now converted (success status);
- sales cycle: for the deals won in the period, the average days from creation to the won move (stage history);
- time in stage: the average days deals spent in each stage they left in the period (stage history);
- new clients: companies (or contacts, for deals without a company) whose first won deal was won in the period;
  repeat sales: deals won in the period whose client had won a deal before.
Everything over the deals and leads the viewer may see, narrowed to the scope's pipeline, people and source.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Min, Q, Sum

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.analytics.selectors.scope import Scope, deals, people_ids
from kontora.crm.choices import EntityType, Semantics
from kontora.crm.models import Lead, StageHistory, Status

DAY = 86400


@dataclass
class Figures:
    closed: int = 0
    won: int = 0
    lost: int = 0
    revenue: Decimal = Decimal(0)
    leads: int = 0
    converted: int = 0
    cycle_days: float | None = None
    new_clients: int = 0
    repeat_sales: int = 0

    @property
    def average_deal(self) -> Decimal | None:
        return (self.revenue / self.won).quantize(Decimal("0.01")) if self.won else None

    @property
    def win_rate(self) -> float | None:
        return round(100 * self.won / self.closed, 1) if self.closed else None

    @property
    def lead_conversion(self) -> float | None:
        return round(100 * self.converted / self.leads, 1) if self.leads else None


@dataclass
class StageTime:
    stage: Status
    days: float
    moves: int


@dataclass
class Kpi:
    scope: Scope
    current: Figures
    previous: Figures
    stage_times: list[StageTime]


def _won_moves(viewer: User, scope: Scope, action: str):
    """The deals won in the period (their current stage is won and they moved there in the period)."""
    return deals(viewer, scope, action).filter(
        stage__semantics=Semantics.SUCCESS, moved_at__gte=scope.period.start, moved_at__lt=scope.period.end
    )


def figures(viewer: User, scope: Scope, action: str = "read") -> Figures:
    period = scope.period
    result = Figures()
    closed = deals(viewer, scope, action).filter(closed=True, moved_at__gte=period.start, moved_at__lt=period.end)
    totals = closed.aggregate(
        won=Count("pk", filter=Q(stage__semantics=Semantics.SUCCESS)),
        lost=Count("pk", filter=Q(stage__semantics=Semantics.FAILURE)),
        revenue=Sum("amount", filter=Q(stage__semantics=Semantics.SUCCESS)),
    )
    result.won, result.lost, result.revenue = totals["won"], totals["lost"], totals["revenue"] or Decimal(0)
    result.closed = result.won + result.lost
    leads = access.visible(viewer, Lead, action).filter(created_at__gte=period.start, created_at__lt=period.end)
    people = people_ids(scope)
    if people is not None:
        leads = leads.filter(responsible_id__in=people)
    if scope.source is not None:
        leads = leads.filter(source=scope.source)
    lead_totals = leads.aggregate(n=Count("pk"), converted=Count("pk", filter=Q(status__semantics=Semantics.SUCCESS)))
    result.leads, result.converted = lead_totals["n"], lead_totals["converted"]
    won = list(_won_moves(viewer, scope, action).values("pk", "company_id", "created_at"))
    result.cycle_days = _cycle(won, period)
    result.new_clients, result.repeat_sales = _clients(viewer, scope, won, action)
    return result


def _cycle(won: list[dict], period) -> float | None:
    """Average days from creation to the move to won, for the deals won in the period."""
    if not won:
        return None
    moments = dict(
        StageHistory.objects.filter(
            entity_type=EntityType.DEAL, entity_id__in=[row["pk"] for row in won],
            to_stage__semantics=Semantics.SUCCESS, moved_at__gte=period.start, moved_at__lt=period.end,
        ).values("entity_id").annotate(at=Min("moved_at")).order_by().values_list("entity_id", "at")
    )  # fmt: skip
    spans = [(moments[row["pk"]] - row["created_at"]).total_seconds() for row in won if row["pk"] in moments]
    return round(sum(spans) / len(spans) / DAY, 1) if spans else None


def _client_key(row: dict) -> tuple[str, int] | None:
    if row.get("company_id"):
        return ("company", row["company_id"])
    if row.get("contact"):
        return ("contact", row["contact"])
    return None


def _clients(viewer: User, scope: Scope, won: list[dict], action: str) -> tuple[int, int]:
    """(new clients, repeat sales) among the deals won in the period; deals without a client count as neither."""
    contacts = dict(
        deals(viewer, scope, action).filter(pk__in=[row["pk"] for row in won]).values("pk")
        .annotate(first=Min("contacts__id")).order_by().values_list("pk", "first")
    )  # fmt: skip
    earlier = deals(viewer, scope, action).filter(stage__semantics=Semantics.SUCCESS, moved_at__lt=scope.period.start)
    before_companies = set(earlier.exclude(company_id=None).values_list("company_id", flat=True))
    before_contacts = set(earlier.filter(company_id=None).values_list("contacts__id", flat=True))
    new, repeat = set(), 0
    for row in won:
        key = _client_key({**row, "contact": contacts.get(row["pk"])})
        if key is None:
            continue
        seen_before = key[1] in (before_companies if key[0] == "company" else before_contacts)
        if seen_before:
            repeat += 1
        else:
            new.add(key)
    return len(new), repeat


def stage_times(viewer: User, scope: Scope, action: str = "read") -> list[StageTime]:
    """Average days in each stage of the pipeline, over the moves out of it in the period."""
    moves = StageHistory.objects.filter(
        entity_type=EntityType.DEAL, moved_at__gte=scope.period.start, moved_at__lt=scope.period.end,
        from_stage__isnull=False, seconds_in_previous__isnull=False,
        entity_id__in=deals(viewer, scope, action).values("pk"),
    )  # fmt: skip
    found = {
        row["from_stage_id"]: row
        for row in moves.values("from_stage_id").annotate(seconds=Avg("seconds_in_previous"), n=Count("pk")).order_by()
    }
    stages = Status.objects.filter(pk__in=list(found)).order_by("category_id", "sort", "id")
    return [
        StageTime(stage, round(float(found[stage.pk]["seconds"]) / DAY, 1), found[stage.pk]["n"]) for stage in stages
    ]


def kpi(viewer: User, scope: Scope, action: str = "read") -> Kpi:
    previous = scope.with_period(scope.period.previous())
    return Kpi(
        scope, figures(viewer, scope, action), figures(viewer, previous, action), stage_times(viewer, scope, action)
    )
