"""End-to-end analytics: channel (source or UTM) → leads → deals → revenue, against the money spent on it.

For a period of local dates, per channel value:
- leads: leads created in the period that the viewer may see, by their source / UTM value;
- deals: deals created in the period that the viewer may see, by the deal's source (else its lead's) or its lead's
  UTM value; won / revenue: those of them now in a won stage, count / amount;
- spend: channel spend rows of the channel type, each prorated by the days it shares with the period;
- cost per lead = spend / leads; cost per deal = spend / won deals; ROI = (revenue − spend) / spend, in %.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kontora.accounts import access
from kontora.analytics.builder.plans import Period
from kontora.analytics.models import ChannelKind, ChannelSpend
from kontora.crm import selectors as crm_selectors
from kontora.crm.choices import Dictionary, Semantics
from kontora.crm.models import Lead, Status

CENT = Decimal("0.01")


@dataclass
class ChannelLine:
    channel: str
    label: str
    leads: int = 0
    deals: int = 0
    won: int = 0
    revenue: Decimal = Decimal(0)
    spend: Decimal = Decimal(0)

    @property
    def cost_per_lead(self) -> Decimal | None:
        return (self.spend / self.leads).quantize(CENT, ROUND_HALF_UP) if self.leads and self.spend else None

    @property
    def cost_per_deal(self) -> Decimal | None:
        return (self.spend / self.won).quantize(CENT, ROUND_HALF_UP) if self.won and self.spend else None

    @property
    def roi(self) -> Decimal | None:
        if not self.spend:
            return None
        return ((self.revenue - self.spend) * 100 / self.spend).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _lead_path(kind: str) -> str:
    return "source__status_id" if kind == ChannelKind.SOURCE else kind


def _deal_value(kind: str):
    if kind == ChannelKind.SOURCE:
        return Coalesce(F("source__status_id"), F("lead__source__status_id"))
    return F(f"lead__{kind}")


def prorated_spend(kind: str, current: Period) -> dict[str, Decimal]:
    """Spend per channel over the period; a row reaching outside it counts for the days inside."""
    result: dict[str, Decimal] = {}
    rows = ChannelSpend.objects.filter(kind=kind, first_day__lte=current.last, last_day__gte=current.first)
    for row in rows:
        days = (row.last_day - row.first_day).days + 1
        inside = (min(row.last_day, current.last) - max(row.first_day, current.first)).days + 1
        share = row.amount if inside == days else row.amount * inside / days
        result[row.channel] = result.get(row.channel, Decimal(0)) + share
    return {channel: amount.quantize(CENT, ROUND_HALF_UP) for channel, amount in result.items()}


def channel_report(viewer, kind: str, first: date, last: date, action: str = "read") -> list[ChannelLine]:
    current = Period("custom", first, last)
    start, end = current.start, current.end
    leads = (
        access.visible(viewer, Lead, action).filter(created_at__gte=start, created_at__lt=end)
        .values(channel=F(_lead_path(kind))).annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    deals = (
        crm_selectors.visible_deals(viewer, action).filter(created_at__gte=start, created_at__lt=end)
        .annotate(channel=_deal_value(kind)).values("channel")
        .annotate(n=Count("pk"), won=Count("pk", filter=Q(stage__semantics=Semantics.SUCCESS)),
                  revenue=Sum("amount", filter=Q(stage__semantics=Semantics.SUCCESS)))
        .order_by()
    )  # fmt: skip
    lines: dict[str, ChannelLine] = {}

    def line(channel) -> ChannelLine:
        key = channel or ""
        if key not in lines:
            lines[key] = ChannelLine(key, key)
        return lines[key]

    for row in leads:
        line(row["channel"]).leads += row["n"]
    for row in deals:
        item = line(row["channel"])
        item.deals += row["n"]
        item.won += row["won"]
        item.revenue += Decimal(row["revenue"] or 0)
    for channel, amount in prorated_spend(kind, current).items():
        line(channel).spend = amount
    names = {}
    if kind == ChannelKind.SOURCE:
        names = dict(Status.objects.filter(entity_id=Dictionary.SOURCE).values_list("status_id", "name"))
    for item in lines.values():
        item.label = names.get(item.channel, item.channel) if item.channel else _("Not set")
    return sorted(lines.values(), key=lambda item: (item.channel == "", -item.revenue, -item.leads, item.label))


def totals(lines: list[ChannelLine]) -> ChannelLine:
    total = ChannelLine("", _("Total"))
    for item in lines:
        total.leads += item.leads
        total.deals += item.deals
        total.won += item.won
        total.revenue += item.revenue
        total.spend += item.spend
    return total
