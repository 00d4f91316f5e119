"""The sales funnel of a pipeline: how many deals reached each stage, the conversions, the gap and the losses.

Which deals: those created in the period (in the pipeline, of the chosen people and source, that the viewer may
see) — one cohort, so conversions compare like with like. A deal *reached* a stage when its stage history shows it
entering that stage or any later in-progress or won stage of the pipeline ("reached or passed", Bitrix24's classic
funnel): a deal moved straight from the first stage to "Invoice" passed through the stages between, and a deal lost
after "Proposal" counts for every stage up to "Proposal". Amounts are the deals' current amounts.
The gap is the step with the lowest conversion from the previous stage; it is marked on the stage the deals drop
out after. Deals lost at a stage are lost deals whose furthest stage was that one.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from kontora.accounts.models import User
from kontora.analytics.selectors.scope import Scope, created_in_period, deal_filter
from kontora.crm.choices import EntityType, Semantics
from kontora.crm.models import LossReason, StageHistory, Status

PATH = (Semantics.PROCESS, Semantics.SUCCESS)


@dataclass
class StageRow:
    stage: Status
    count: int = 0
    amount: Decimal = Decimal(0)
    lost: int = 0  # lost after this stage was their furthest
    lost_amount: Decimal = Decimal(0)
    now: int = 0  # sitting in the stage now
    now_amount: Decimal = Decimal(0)
    from_previous: float | None = None  # per cent
    from_first: float | None = None
    gap: bool = False
    filter: dict = field(default_factory=dict)
    lost_filter: dict = field(default_factory=dict)
    now_filter: dict = field(default_factory=dict)


@dataclass
class LossRow:
    reason: LossReason | None
    count: int
    amount: Decimal
    share: float  # per cent of the lost deals
    filter: dict

    @property
    def name(self) -> str:
        return self.reason.name if self.reason else _("No reason given")


@dataclass
class Funnel:
    scope: Scope
    stages: list[StageRow]  # the success path: in-progress stages, then won
    closed: list[StageRow]  # lost stages: deals sitting there now
    losses: list[LossRow]
    total: int = 0
    total_amount: Decimal = Decimal(0)

    @property
    def gap(self) -> StageRow | None:
        return next((row for row in self.stages if row.gap), None)


def stages_of(category) -> list[Status]:
    return list(Status.objects.filter(category=category, entity_id=category.stage_entity).order_by("sort", "id"))


def furthest_sort() -> Subquery:
    """The sort of the furthest success-path stage a deal entered, from its stage history."""
    return Subquery(
        StageHistory.objects.filter(entity_type=EntityType.DEAL, entity_id=OuterRef("pk"), to_stage__semantics__in=PATH)
        .order_by()
        .values("entity_id")
        .annotate(furthest=Max("to_stage__sort"))
        .values("furthest")
    )


def funnel(viewer: User, scope: Scope, action: str = "read") -> Funnel:
    """The funnel of `scope.category` (required) over the deals created in `scope.period` the viewer may `action`."""
    stages = stages_of(scope.category)
    path = [stage for stage in stages if stage.semantics in PATH]
    cohort = created_in_period(viewer, scope, action)
    reached: dict[int | None, list] = {}
    furthest = dict(
        StageHistory.objects.filter(
            entity_type=EntityType.DEAL, entity_id__in=cohort.values("pk"), to_stage__semantics__in=PATH
        )
        .values("entity_id")
        .annotate(furthest=Max("to_stage__sort"))
        .order_by()
        .values_list("entity_id", "furthest")
    )
    now: dict[int, dict] = {}
    for pk, amount, stage_id, semantics in cohort.values_list(
        "pk", "amount", "stage_id", "stage__semantics"
    ).order_by():
        sitting = now.setdefault(stage_id, {"n": 0, "total": Decimal(0)})
        sitting["n"] += 1
        sitting["total"] += amount
        entry = reached.setdefault(furthest.get(pk), [0, Decimal(0), 0, Decimal(0)])
        entry[0] += 1
        entry[1] += amount
        if semantics == Semantics.FAILURE:
            entry[2] += 1
            entry[3] += amount
    base = deal_filter(scope)
    rows = []
    for stage in path:
        row = StageRow(stage)
        for sort, (count, amount, lost, lost_amount) in reached.items():
            if sort is not None and sort >= stage.sort:
                row.count += count
                row.amount += amount
            if sort == stage.sort:
                row.lost, row.lost_amount = lost, lost_amount
        row.now, row.now_amount = now.get(stage.pk, {}).get("n", 0), now.get(stage.pk, {}).get("total") or Decimal(0)
        row.filter = {**base, "REACHED_STAGE_ID": stage.status_id}
        row.now_filter = {**base, "STAGE_ID": stage.status_id}
        row.lost_filter = {**base, "REACHED_STAGE_ID": stage.status_id, "STAGE_SEMANTIC_ID": Semantics.FAILURE}
        rows.append(row)
    _conversions(rows)
    closed = []
    for stage in stages:
        if stage.semantics == Semantics.FAILURE:
            found = now.get(stage.pk, {})
            closed.append(StageRow(stage, count=found.get("n", 0), amount=found.get("total") or Decimal(0),
                                   filter={**base, "STAGE_ID": stage.status_id}))  # fmt: skip
    for row, following in zip(rows, rows[1:], strict=False):
        if row.lost:  # lost deals whose furthest stage is this one, not a later one
            row.lost_filter["!REACHED_STAGE_ID"] = following.stage.status_id
    total = sum(entry[0] for entry in reached.values())
    amount = sum((entry[1] for entry in reached.values()), Decimal(0))
    return Funnel(scope, rows, closed, losses(viewer, scope, action), total, amount)


def _conversions(rows: list[StageRow]) -> None:
    if not rows:
        return
    first = rows[0].count
    worst = None
    for index, row in enumerate(rows):
        row.from_first = round(100 * row.count / first, 1) if first else None
        if index == 0:
            continue
        previous = rows[index - 1].count
        row.from_previous = round(100 * row.count / previous, 1) if previous else None
        if (
            row.from_previous is not None
            and row.from_previous < 100
            and (worst is None or row.from_previous < worst[0])
        ):
            worst = (row.from_previous, index - 1)
    if worst is not None:
        rows[worst[1]].gap = True


def losses(viewer: User, scope: Scope, action: str = "read") -> list[LossRow]:
    """Lost deals of the cohort by loss reason: count, amount and share of the lost count, most first."""
    lost = created_in_period(viewer, scope, action).filter(stage__semantics=Semantics.FAILURE)
    found = list(lost.values("loss_reason_id").annotate(n=Count("pk"), total=Sum("amount")).order_by())
    reasons = LossReason.objects.in_bulk([row["loss_reason_id"] for row in found if row["loss_reason_id"]])
    everything = sum(row["n"] for row in found)
    base = {**deal_filter(scope), "STAGE_SEMANTIC_ID": Semantics.FAILURE}
    rows = [
        LossRow(
            reasons.get(row["loss_reason_id"]),
            row["n"],
            row["total"] or Decimal(0),
            round(100 * row["n"] / everything, 1),
            {**base, "LOSS_REASON_ID": row["loss_reason_id"] or ""},
        )  # fmt: skip
        for row in found
    ]
    return sorted(rows, key=lambda row: (-row.count, row.name))
