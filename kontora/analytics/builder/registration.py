"""What the plan/fact, report builder, channels and ratings part of analytics declares at start."""

from django.utils.translation import gettext_lazy as _

from kontora import events

EVENT_TYPES = [
    ("analytics.plan.set", _("Plan set"), ""),
    ("analytics.deal.rated", _("Customer rated a deal"), ""),
]


def register() -> None:
    from kontora.analytics.builder import jobs, subscribers

    for name, label, bitrix_name in EVENT_TYPES:
        events.declare(name, label, bitrix_name)
    events.subscribe("crm.deal.stage_changed", subscribers.on_deal_stage_changed)
    events.subscribe("crm.activity.completed", subscribers.on_activity_completed)
    del jobs  # imported so that the worker knows the durable rating e-mails
