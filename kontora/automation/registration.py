"""What automation declares at start: its robot actions, its durable work, and the events it listens to."""

from kontora import events


def register() -> None:
    from kontora.automation import actions, engine, jobs, triggers  # noqa: F401  jobs registers durable work

    actions.register()
    events.subscribe("crm.deal.created", engine.on_deal_created)
    events.subscribe("crm.deal.stage_changed", engine.on_deal_stage_changed)
    events.subscribe("crm.lead.created", engine.on_lead_created)
    events.subscribe("crm.lead.updated", engine.on_lead_updated)
    events.subscribe("crm.activity.completed", triggers.on_activity_completed)
    events.subscribe("tasks.task.completed", triggers.on_task_completed)
    events.subscribe("crm.deal.updated", triggers.on_deal_updated)
