"""What tasks declare at start: entities for the gate, event types, subscribers, menu and the header counter."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import Level, Role
from kontora.core.registry import Counter, MenuEntry, RecordLinks

EVENT_TYPES = [
    # name, label, Bitrix24 REST event
    ("tasks.task.created", _("Task created"), "ONTASKADD"),
    ("tasks.task.updated", _("Task changed"), "ONTASKUPDATE"),
    ("tasks.task.status_changed", _("Task status changed"), ""),
    ("tasks.task.completed", _("Task completed"), ""),
    ("tasks.task.deleted", _("Task deleted"), "ONTASKDELETE"),
    ("tasks.task.restored", _("Task restored"), ""),
    ("tasks.comment.created", _("Task comment added"), "ONTASKCOMMENTADD"),
    ("tasks.comment.updated", _("Task comment changed"), "ONTASKCOMMENTUPDATE"),
    ("tasks.comment.deleted", _("Task comment deleted"), "ONTASKCOMMENTDELETE"),
    ("tasks.checklist.changed", _("Task checklist changed"), ""),
    ("tasks.timer.started", _("Timer started"), ""),
    ("tasks.timer.stopped", _("Timer stopped"), ""),
    ("tasks.time.added", _("Time entered"), ""),
    ("tasks.dependency.changed", _("Task dependencies changed"), ""),
    ("tasks.project.created", _("Project created"), "ONSONETGROUPADD"),
    ("tasks.project.updated", _("Project changed"), "ONSONETGROUPUPDATE"),
    ("tasks.project.member_added", _("Project member added"), ""),
    ("tasks.project.member_removed", _("Project member removed"), ""),
    ("tasks.project.join_requested", _("Asked to join a project"), ""),
    ("tasks.project.join_declined", _("Request to join a project declined"), ""),
    ("tasks.template.created", _("Task template saved"), ""),
]
# Employees see the tasks they take part in (and, through the audience, their projects'), not their whole
# department's; heads see their people's tasks, as the gate's presets give them.
TASK_PRESETS = {Role.Preset.EMPLOYEE: {"read": Level.OWN, "export": Level.OWN}}


def register() -> None:
    from kontora.core.demo import DemoBuilder
    from kontora.core.registry import registry
    from kontora.tasks import demo, selectors, subscribers
    from kontora.tasks.models import Project, Task

    access.register_entity(access.EntityType(
        key="tasks.task", model=Task, owner="responsible", participants=("created_by", "members__user"),
        presets=TASK_PRESETS, audience=selectors.task_audience,
    ))  # fmt: skip
    access.register_entity(access.EntityType(
        key="tasks.project", model=Project, owner="owner", presets=TASK_PRESETS, audience=selectors.project_audience,
    ))  # fmt: skip
    for name, label, bitrix_name in EVENT_TYPES:
        events.declare(name, label, bitrix_name)
    for pattern in ("tasks.task.*", "tasks.comment.*"):
        events.subscribe(pattern, subscribers.on_task_event)
    events.subscribe("tasks.task.created", subscribers.tell_about_new_task)
    events.subscribe("tasks.task.updated", subscribers.tell_about_changes)
    events.subscribe("tasks.task.status_changed", subscribers.tell_about_status)
    events.subscribe("tasks.comment.created", subscribers.tell_about_comment)
    events.subscribe("tasks.project.join_requested", subscribers.tell_about_join_request)
    registry.register("demo", "tasks", DemoBuilder(30, demo.build))
    registry.register("menu", "tasks", MenuEntry("tasks", _("Tasks and projects"), "tasks:list", "tasks", order=20))
    registry.register("counters", "tasks", Counter("tasks", _("Tasks"), "tasks:list", selectors.header_count, order=5))
    registry.register("record_links", "tasks", RecordLinks("tasks", _("Tasks"), selectors.linked_to, _new_task_url))


def _new_task_url(code: str) -> str:
    return f"{reverse('tasks:new')}?crm={code}"
