"""What one person may do with one task, on top of the gate: the gate says who may read and touch a task;
the task's roles say which operations (Bitrix24's task ACTION map: edit, complete, approve, …)."""

from dataclasses import dataclass

from kontora.accounts import access
from kontora.accounts.models import Level
from kontora.core.errors import Forbidden
from kontora.tasks.choices import OPEN_STATUSES, MemberRole, ProjectRole, Status
from kontora.tasks.models import ProjectMember, Task, TaskMember


@dataclass(frozen=True)
class TaskRights:
    read: bool = False
    edit: bool = False  # every field: the creator, heads above the participants, project moderators, administrators
    remove: bool = False
    start: bool = False
    pause: bool = False
    complete: bool = False
    approve: bool = False
    disapprove: bool = False
    defer: bool = False
    renew: bool = False
    decline: bool = False
    change_deadline: bool = False
    checklist: bool = False  # add, edit and tick items
    track_time: bool = False
    comment: bool = False

    def as_bitrix(self) -> dict[str, bool]:
        return {name.upper(): value for name, value in self.__dict__.items()}


def roles_of(user, task: Task) -> set[str]:
    """"creator", "responsible", "accomplice", "auditor" — what the person is to this task."""
    roles = set()
    if task.created_by_id == user.pk:
        roles.add("creator")
    if task.responsible_id == user.pk:
        roles.add("responsible")
    for role in TaskMember.objects.filter(task=task, user=user).values_list("role", flat=True):
        roles.add("accomplice" if role == MemberRole.ACCOMPLICE else "auditor")
    return roles


def _directs(user, task: Task, roles: set[str]) -> bool:
    """May act as the task's director: its creator, or someone the gate lets change it beyond their own tasks."""
    if "creator" in roles:
        return True
    ctx = access.context_for(user)
    if ctx.level(access.entity_for(Task), "update") >= Level.DEPARTMENT and access.can(user, "update", task):
        return True
    return bool(
        task.project_id
        and ProjectMember.objects.filter(
            project_id=task.project_id, user=user, role__in=[ProjectRole.OWNER, ProjectRole.MODERATOR]
        ).exists()
    )


def rights_for(user, task: Task) -> TaskRights:
    if not access.can(user, "read", task):
        return TaskRights()
    roles = roles_of(user, task)
    director = _directs(user, task, roles)
    doer = director or bool(roles & {"responsible", "accomplice"})
    status = task.status
    is_open = status in OPEN_STATUSES
    return TaskRights(
        read=True,
        edit=director,
        remove=director,
        start=doer and status in (Status.NEW, Status.PENDING, Status.DEFERRED),
        pause=doer and status == Status.IN_PROGRESS,
        complete=doer and is_open,
        approve=director and status == Status.AWAITING_CONTROL,
        disapprove=director and status == Status.AWAITING_CONTROL,
        defer=doer and status in (Status.NEW, Status.PENDING, Status.IN_PROGRESS),
        renew=(director or doer) and status in (Status.COMPLETED, Status.DECLINED, Status.DEFERRED),
        decline="responsible" in roles and "creator" not in roles and is_open,
        change_deadline=director or ("responsible" in roles and task.allow_change_deadline),
        checklist=doer and status not in (Status.COMPLETED, Status.DECLINED),
        track_time=doer,
        comment=True,
    )


def require_right(user, task: Task, right: str) -> TaskRights:
    rights = rights_for(user, task)
    if not rights.read:
        raise Forbidden()
    if not getattr(rights, right):
        raise Forbidden()
    return rights
