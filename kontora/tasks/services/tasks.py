"""Create and change tasks: fields, people, links; the status machine with control lives in `status.py`."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.core.html import sanitize
from kontora.events import history
from kontora.tasks.choices import MemberRole, Priority, Status
from kontora.tasks.models import CrmLink, Project, ProjectStage, Task, TaskMember
from kontora.tasks.services.rights import require_right, rights_for

FIELDS = (
    "title", "description", "responsible", "deadline", "start_date_plan", "end_date_plan", "priority",
    "requires_control", "allow_change_deadline", "time_estimate", "parent", "project", "stage", "tags",
)  # fmt: skip
PEOPLE = ("accomplices", "auditors")


def _user(value: Any, field: str) -> User:
    if isinstance(value, User):
        return value
    user = User.objects.filter(pk=value, is_active=True).first() if str(value).isdigit() else None
    if user is None:
        raise Invalid("UNKNOWN_USER", field, _("There is no such active employee."))
    return user


def _users(values: Iterable[Any] | None, field: str) -> list[User]:
    return list({user.pk: user for user in (_user(value, field) for value in values or [])}.values())


def _clean(task: Task, fields: dict[str, Any], *, by) -> dict[str, Any]:
    """Check and convert the values a caller sent; returns them ready to set."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be set on a task."))
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            raise Invalid("REQUIRED", "title", _("Say what has to be done."))
    if "description" in cleaned:
        cleaned["description"] = sanitize(cleaned["description"] or "")
    if "responsible" in cleaned:
        cleaned["responsible"] = _user(cleaned["responsible"], "responsible")
    if "priority" in cleaned and cleaned["priority"] not in Priority.values:
        raise Invalid("UNKNOWN_PRIORITY", "priority", _("Unknown priority."))
    if "time_estimate" in cleaned:
        try:
            cleaned["time_estimate"] = max(0, int(cleaned["time_estimate"] or 0))
        except (TypeError, ValueError):
            raise Invalid("NOT_A_NUMBER", "time_estimate", _("The estimate is a number of seconds.")) from None
    if "tags" in cleaned:
        cleaned["tags"] = sorted({str(tag).strip()[:50] for tag in cleaned["tags"] or [] if str(tag).strip()})
    for name in ("deadline", "start_date_plan", "end_date_plan"):
        value = cleaned.get(name)
        if value is not None and not isinstance(value, datetime):
            raise Invalid("NOT_A_DATE", name, _("This is not a date and time."))
    start = cleaned.get("start_date_plan", task.start_date_plan)
    end = cleaned.get("end_date_plan", task.end_date_plan)
    if start and end and end < start:
        raise Invalid("PLAN_ORDER", "end_date_plan", _("The planned finish is before the planned start."))
    if "project" in cleaned:
        cleaned["project"] = _project(cleaned["project"], by=by)
        if "stage" not in cleaned and task.project_id != getattr(cleaned["project"], "pk", None):
            cleaned["stage"] = None
    if cleaned.get("stage") is not None:
        project = cleaned.get("project", task.project)
        stage = cleaned["stage"]
        stage = stage if isinstance(stage, ProjectStage) else ProjectStage.objects.filter(pk=stage).first()
        if stage is None or project is None or stage.project_id != project.pk:
            raise Invalid("UNKNOWN_STAGE", "stage", _("This stage is not one of the project's."))
        cleaned["stage"] = stage
    if cleaned.get("parent") is not None:
        cleaned["parent"] = _parent(task, cleaned["parent"], by=by)
    return cleaned


def _project(value: Any, *, by) -> Project | None:
    if value in (None, "", 0):
        return None
    from kontora.tasks.services.projects import can_post

    project = value if isinstance(value, Project) else Project.objects.filter(pk=value).first()
    if project is None or not can_post(by, project):
        raise Invalid("UNKNOWN_PROJECT", "project", _("You cannot add tasks to this project."))
    return project


def _parent(task: Task, value: Any, *, by) -> Task:
    parent = value if isinstance(value, Task) else access.visible(by, Task).filter(pk=value).first()
    if parent is None or not access.can(by, "read", parent):
        raise Invalid("UNKNOWN_PARENT", "parent", _("There is no such task."))
    ancestor = parent
    while ancestor is not None:
        if task.pk is not None and ancestor.pk == task.pk:
            raise Invalid("PARENT_CYCLE", "parent", _("A task cannot be a subtask of its own subtask."))
        ancestor = ancestor.parent
    return parent


def _crm_codes(values: Iterable[str] | None, *, by) -> list[str]:
    from kontora.crm.selectors import record_by_code

    codes = []
    for value in values or []:
        code = str(value).strip().upper()
        if record_by_code(by, code) is None:
            raise Invalid("UNKNOWN_CRM_RECORD", "crm", _("There is no such CRM record, or you cannot see it."))
        codes.append(code)
    return sorted(set(codes))


@transaction.atomic
def create_task(
    *, by, title: str, responsible=None, accomplices=(), auditors=(), crm: Iterable[str] = (), **fields: Any
) -> Task:
    """Set a task: by default the setter is responsible for it too."""
    task = Task(created_by=by, responsible=by)
    fields = _clean(task, {"title": title, "responsible": responsible or by, **fields}, by=by)
    for name, value in fields.items():
        setattr(task, name, value)
    if task.project_id and task.stage_id is None:
        task.stage = task.project.stages.first()
    if not access.can(by, "add", Task(created_by=by, responsible=by)):  # anyone who may set tasks sets them for anyone
        raise Forbidden()
    task.save()
    _set_members(task, MemberRole.ACCOMPLICE, _users(accomplices, "accomplices"))
    _set_members(task, MemberRole.AUDITOR, _users(auditors, "auditors"))
    for code in _crm_codes(crm, by=by):
        CrmLink.objects.create(task=task, code=code)
    values = history.snapshot(task, fields)
    history.record(task, by=by, action="create", changes={key: [None, value] for key, value in values.items()})
    events.emit("tasks.task.created", task, by=by)
    return task


@transaction.atomic
def update_task(task: Task, *, by, accomplices=None, auditors=None, crm=None, **changes: Any) -> Task:
    """Change fields. The director (creator, heads, project moderators) may change all; the responsible only the
    deadline, and only if the task allows it."""
    task = locked(task)
    rights = rights_for(by, task)
    if not rights.read:
        raise NotFound()
    only_deadline = set(changes) <= {"deadline"} and accomplices is None and auditors is None and crm is None
    if not rights.edit and not (only_deadline and rights.change_deadline):
        raise Forbidden(_("You may not change this task."))
    cleaned = _clean(task, changes, by=by)
    before = history.snapshot(task, cleaned)
    for name, value in cleaned.items():
        setattr(task, name, value)
    task.save()
    diff = history.diff(before, history.snapshot(task, cleaned))
    for role, people, name in ((MemberRole.ACCOMPLICE, accomplices, "accomplices"),
                               (MemberRole.AUDITOR, auditors, "auditors")):  # fmt: skip
        if people is not None:
            old, new = _set_members(task, role, _users(people, name))
            if old != new:
                diff[name] = [old, new]
    if crm is not None:
        old = sorted(task.crm_links.values_list("code", flat=True))
        new = _crm_codes(crm, by=by)
        if old != new:
            task.crm_links.exclude(code__in=new).delete()
            for code in set(new) - set(old):
                CrmLink.objects.create(task=task, code=code)
            diff["crm"] = [old, new]
    if diff:
        history.record(task, by=by, action="update", changes=diff)
        events.emit("tasks.task.updated", task, by=by, changes=diff)
        if "deadline" in diff:
            from kontora.tasks.services.reminders import follow_deadline

            follow_deadline(task)
    return task


def locked(task: Task) -> Task:
    """The task re-read under a row lock, so two writers do not both act on a stale status."""
    fresh = Task.objects.select_for_update().filter(pk=task.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


def _set_members(task: Task, role: str, users: list[User]) -> tuple[list[int], list[int]]:
    old = sorted(TaskMember.objects.filter(task=task, role=role).values_list("user_id", flat=True))
    new = sorted(user.pk for user in users)
    if old != new:
        TaskMember.objects.filter(task=task, role=role).exclude(user_id__in=new).delete()
        TaskMember.objects.bulk_create(
            [TaskMember(task=task, user_id=pk, role=role) for pk in set(new) - set(old)], ignore_conflicts=True
        )
    return old, new


@transaction.atomic
def delete_task(task: Task, *, by) -> None:
    """To the recycle bin; subtasks stay, one level up."""
    task = locked(task)
    require_right(by, task, "remove")
    task.deleted_at = timezone.now()
    task.deleted_by = by
    task.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    history.record(task, by=by, action="delete")
    events.emit("tasks.task.deleted", task, by=by)


@transaction.atomic
def restore_task(task_id: int, *, by) -> Task:
    task = Task.all_objects.filter(pk=task_id, deleted_at__isnull=False).first()
    if task is None or not (task.deleted_by_id == by.pk or access.can(by, "delete", task)):
        raise NotFound()
    task.deleted_at = None
    task.deleted_by = None
    task.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    history.record(task, by=by, action="restore")
    events.emit("tasks.task.restored", task, by=by)
    return task


def participants(task: Task) -> set[int]:
    """Everyone the task concerns: creator, responsible, co-executors, observers."""
    ids = {task.created_by_id, task.responsible_id}
    ids.update(TaskMember.objects.filter(task=task).values_list("user_id", flat=True))
    return {pk for pk in ids if pk}


def move_to_stage(task: Task, stage: ProjectStage, *, by) -> Task:
    return update_task(task, by=by, stage=stage)


def set_deadline(task: Task, deadline: datetime | None, *, by) -> Task:
    """The deadline kanban's drag: the director, or the responsible when the task allows it."""
    return update_task(task, by=by, deadline=deadline)


def is_open(task: Task) -> bool:
    return task.status not in (Status.COMPLETED, Status.DECLINED)
