"""Reactions to task events: people are told what concerns them, and their counters follow live."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts.models import User
from kontora.events import realtime
from kontora.events.models import Event
from kontora.events.notifications import notify, render_for
from kontora.tasks import selectors
from kontora.tasks.choices import ProjectRole
from kontora.tasks.models import Project, ProjectMember, Task, TaskComment
from kontora.tasks.services.tasks import participants


def _task(event: Event) -> Task | None:
    pk = event.data.get("task_id") or event.object_id
    return Task.all_objects.filter(pk=pk).select_related("created_by", "responsible").first()


def _tell(user_ids, event: Event, task: Task, message) -> None:
    """Notify each person (but the actor) with `message`, a lazy text taking %(actor)s and %(title)s."""
    for user in User.objects.filter(pk__in=set(user_ids) - {event.actor_id}, is_active=True):
        text = render_for(user, lambda: str(message) % {"actor": _actor(event), "title": task.title})
        notify(user, text, link=f"/tasks/{task.pk}/", by=event.actor)


def _actor(event: Event) -> str:
    return event.actor.full_name if event.actor else _("Kontora")


def push_counters(user_ids) -> None:
    """Send each person's task counters to their open tabs: "tasks" for the header, "tasks_<counter>" for the
    list's chips (elements with `data-counter="tasks_overdue"` and so on update themselves)."""
    for user_id in {pk for pk in user_ids if pk}:
        values = selectors.counters(user_id)
        realtime.push(
            [user_id],
            "counters",
            {"tasks": selectors.header_total(values), **{f"tasks_{key}": n for key, n in values.items()}},
        )


def on_task_event(event: Event) -> None:
    task = _task(event)
    if task is None:
        return

    people = participants(task)
    people.update(event.data.get("former", []))
    changes = event.data.get("changes", {})
    for name in ("responsible", "accomplices", "auditors"):
        old, new = changes.get(name, [None, None])
        people.update(old if isinstance(old, list) else [old] if old else [])
    push_counters(people)


def tell_about_new_task(event: Event) -> None:
    task = _task(event)
    if task is None:
        return

    _tell(participants(task) - {task.created_by_id}, event, task, gettext_lazy("%(actor)s set you a task: %(title)s"))


def tell_about_changes(event: Event) -> None:
    task = _task(event)
    changes = event.data.get("changes", {})
    if task is None or "status" in changes:
        return
    if "responsible" in changes:
        _tell([task.responsible_id], event, task, gettext_lazy("%(actor)s made you responsible for: %(title)s"))
    for name in ("accomplices", "auditors"):
        old, new = changes.get(name, [[], []])
        if set(new or []) - set(old or []):
            _tell(set(new) - set(old or []), event, task, gettext_lazy("%(actor)s added you to the task: %(title)s"))
    if "deadline" in changes:
        from kontora.tasks.services.tasks import participants

        _tell(participants(task), event, task, gettext_lazy("%(actor)s changed the deadline of: %(title)s"))


STATUS_MESSAGES = {
    "complete": gettext_lazy("%(actor)s completed the task: %(title)s"),
    "approve": gettext_lazy("%(actor)s accepted the task: %(title)s"),
    "disapprove": gettext_lazy("%(actor)s returned the task for rework: %(title)s"),
    "defer": gettext_lazy("%(actor)s deferred the task: %(title)s"),
    "renew": gettext_lazy("%(actor)s reopened the task: %(title)s"),
    "decline": gettext_lazy("%(actor)s declined the task: %(title)s"),
}
CONTROL_MESSAGE = gettext_lazy("%(actor)s finished the task, it awaits your control: %(title)s")


def tell_about_status(event: Event) -> None:
    task = _task(event)
    action = event.data.get("action")
    if task is None or action not in STATUS_MESSAGES:
        return

    message = CONTROL_MESSAGE if event.data.get("new") == 4 else STATUS_MESSAGES[action]
    _tell(participants(task), event, task, message)


def tell_about_comment(event: Event) -> None:
    task = _task(event)
    comment = TaskComment.objects.filter(pk=event.object_id).first()
    if task is None or comment is None:
        return

    mentioned = set(event.data.get("mentioned", []))
    _tell(mentioned, event, task, gettext_lazy("%(actor)s mentioned you in a comment on: %(title)s"))
    _tell(participants(task) - mentioned, event, task, gettext_lazy("%(actor)s commented on: %(title)s"))


def tell_about_join_request(event: Event) -> None:
    project = Project.objects.filter(pk=event.object_id).first()
    if project is None:
        return
    staff = ProjectMember.objects.filter(project=project, role__in=[ProjectRole.OWNER, ProjectRole.MODERATOR])
    for user in User.objects.filter(pk__in=staff.values("user_id"), is_active=True):
        notify(user, render_for(user, lambda: _("%(actor)s asks to join the project %(name)s")
                                % {"actor": _actor(event), "name": project.name}),
               link=f"/tasks/projects/{project.pk}/", by=event.actor)  # fmt: skip
