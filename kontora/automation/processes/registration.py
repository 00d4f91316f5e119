"""What processes declare at start: durable work, the robot action that starts a process, automatic starts."""

from django.utils.translation import gettext_lazy as _

from kontora import events
from kontora.core.registry import registry

AUTOSTART_EVENTS = {
    "crm.deal.created": ("deal", "create"), "crm.deal.updated": ("deal", "change"),
    "crm.lead.created": ("lead", "create"), "crm.lead.updated": ("lead", "change"),
    "crm.contact.created": ("contact", "create"), "crm.contact.updated": ("contact", "change"),
    "crm.company.created": ("company", "create"), "crm.company.updated": ("company", "change"),
    "lists.element.created": ("list", "create"), "lists.element.updated": ("list", "change"),
}  # fmt: skip


def register() -> None:
    from kontora.automation.actions import Action
    from kontora.automation.processes import demo, jobs, starts  # noqa: F401  jobs registers durable work
    from kontora.core.demo import DemoBuilder

    registry.register(
        "robot_actions", "start_process",
        Action("start_process", _("Start a business process"), (("template", _("Process"), "process"),),
               starts.start_from_robot),
    )  # fmt: skip
    for name in AUTOSTART_EVENTS:
        events.subscribe(name, starts.on_document_event)
    registry.register("demo", "processes", DemoBuilder(50, demo.build))
    from kontora.automation.processes.config import ProcessesSection
    from kontora.configuration.sections import register as add_config_section

    add_config_section(ProcessesSection())
    from kontora.automation.processes import selectors, subscribers
    from kontora.automation.processes.views import start as start_views
    from kontora.core.registry import Counter, RecordLinks

    events.declare("processes.approval.changed", _("Process approvals changed"))
    events.subscribe("processes.approval.changed", subscribers.on_approval_changed)
    registry.register("counters", "processes", Counter(
        subscribers.COUNTER, _("Approvals"), "automation:approvals", selectors.header_count, order=6,
    ))  # fmt: skip
    registry.register("record_links", "processes", RecordLinks(
        "processes", _("Business processes"), selectors.linked_to, start_views.choose_url,
    ))  # fmt: skip
    registry.register("record_panels", "processes", start_views.record_panel)
    from kontora.accounts.selectors import is_administrator
    from kontora.core.registry import MenuEntry

    registry.register(
        "menu", "automation_processes",
        MenuEntry("automation_processes", _("Business processes"), "automation:process_templates", "settings",
                  order=893, visible=lambda user: is_administrator(user)),
    )  # fmt: skip
