"""Analytics hears about won deals and done activities: a rating request, and a refresh signal for the walls."""

from kontora.analytics import services
from kontora.analytics.builder.jobs import push_wall_refresh
from kontora.core import demo
from kontora.crm.choices import Semantics
from kontora.events.models import Event


def on_deal_stage_changed(event: Event) -> None:
    if event.data.get("semantics") != Semantics.SUCCESS:
        return
    deal = event.target
    if deal is None or demo.building.get():  # the demo's made-up clients are not mailed
        return
    services.request_rating(deal)
    push_wall_refresh.enqueue("deal", deal.pk)


def on_activity_completed(event: Event) -> None:
    if event.object_id:
        push_wall_refresh.enqueue("activity", int(event.object_id))
