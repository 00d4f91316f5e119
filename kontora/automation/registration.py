"""What automation declares at start: its robot actions, its durable work, the events it listens to, demo robots."""

from django.utils.translation import gettext_lazy as _

from kontora import configuration, events
from kontora.accounts.selectors import is_administrator
from kontora.core.registry import MenuEntry, registry


def register() -> None:
    from kontora.automation import actions, demo, engine, jobs, triggers  # noqa: F401  jobs registers durable work
    from kontora.core.demo import DemoBuilder

    actions.register()
    configuration.register()
    events.subscribe("crm.deal.created", engine.on_deal_created)
    events.subscribe("crm.deal.stage_changed", engine.on_deal_stage_changed)
    events.subscribe("crm.lead.created", engine.on_lead_created)
    events.subscribe("crm.lead.updated", engine.on_lead_updated)
    events.subscribe("crm.activity.completed", triggers.on_activity_completed)
    events.subscribe("tasks.task.completed", triggers.on_task_completed)
    events.subscribe("crm.deal.updated", triggers.on_deal_updated)
    events.subscribe("crm.lead.updated", triggers.on_lead_updated)
    events.subscribe("crm.activity.created", triggers.on_activity_created)
    events.subscribe("crm.deal.created", triggers.on_deal_created)
    events.subscribe("crm.lead.created", triggers.on_lead_created)
    events.subscribe("tasks.task.completed", engine.on_task_completed)
    events.subscribe("crm.deal.updated", engine.on_record_updated)
    events.subscribe("crm.lead.updated", engine.on_record_updated)
    registry.register(
        "menu", "automation_robots",
        MenuEntry("automation_robots", _("Robots and triggers"), "automation:robots", "settings", order=892,
                  visible=lambda user: is_administrator(user)),
    )  # fmt: skip
    registry.register("demo", "automation", DemoBuilder(60, demo.build))
