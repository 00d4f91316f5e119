"""Reads of tasks and projects, each starting from the gate; the lists' roles and the counters."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import Level, User
from kontora.tasks.choices import OPEN_STATUSES, MemberRole, ProjectRole, Status, Visibility
from kontora.tasks.models import Project, ProjectMember, Task, TaskMember, TaskView

ROLES = ("doing", "assisting", "set_by_me", "following", "department", "all")
# Late work: open and not waiting for the creator's control.
LATE_STATUSES = OPEN_STATUSES


def visible_tasks(user, action: str = "read") -> QuerySet[Task]:
    return access.visible(user, Task, action)


def get_task(user, pk: int, action: str = "read") -> Task | None:
    """One task the user may act on, or None (missing and forbidden look the same)."""
    return visible_tasks(user, action).select_related("created_by", "responsible", "project", "parent").filter(
        pk=pk
    ).first()


def _member_of(user_id: int, role: str) -> Q:
    return Q(pk__in=TaskMember.objects.filter(user_id=user_id, role=role).values("task_id"))


def role_filter(user, role: str) -> Q:
    """The list tabs: Doing (responsible), Assisting (co-executor), Set by me, Following (observer),
    All my department's (every participant in the departments the user belongs to or heads)."""
    if role == "doing":
        return Q(responsible_id=user.pk)
    if role == "assisting":
        return _member_of(user.pk, MemberRole.ACCOMPLICE)
    if role == "set_by_me":
        return Q(created_by_id=user.pk) & ~Q(responsible_id=user.pk)
    if role == "following":
        return _member_of(user.pk, MemberRole.AUDITOR)
    if role == "department":
        ctx = access.context_for(user)
        people = User.objects.filter(department_id__in=list(ctx.department_tree if _heads(user) else ctx.departments))
        return Q(responsible__in=people.values("pk"))
    return Q()


def _heads(user) -> bool:
    return access.context_for(user).level(access.entity_for(Task), "read") >= Level.SUBTREE


def tasks_for(user, role: str = "doing") -> QuerySet[Task]:
    """A list tab. Participants always see their own tasks, so "doing" and the other personal tabs skip the gate's
    OR of participant paths and ask the one index they need; the department and "all" tabs go through the gate."""
    if role in ("doing", "assisting", "set_by_me", "following"):
        return Task.objects.filter(role_filter(user, role))
    return visible_tasks(user).filter(role_filter(user, role))


def with_list_columns(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.select_related("created_by", "responsible", "project")


# ---- counters ----------------------------------------------------------------------------------------------

COUNTERS = ("new", "overdue", "due_soon", "no_deadline", "unread_comments", "awaiting_control")
HEADER_COUNTERS = ("new", "overdue", "unread_comments", "awaiting_control")


def _membership_ids(user_id: int, role: str | None = None) -> list[int]:
    """The ids of the tasks a person helps with or follows, read first: a person has few, and a plain list lets the
    database use its indexes for `responsible = me OR id IN (...)` where a subquery makes it scan every task."""
    memberships = TaskMember.objects.filter(user_id=user_id)
    if role is not None:
        memberships = memberships.filter(role=role)
    return list(memberships.values_list("task_id", flat=True))


def counter_querysets(user_id: int) -> dict[str, QuerySet[Task]]:
    """The tasks behind each counter; a counter is the count of its queryset (and the list filter behind it).

    new — set for me by someone else (I am responsible or co-executor) and not opened yet;
    overdue / due_soon — mine to do, open, deadline passed / within 24 hours (awaiting control is not late);
    no_deadline — set for me by someone else without a deadline; unread_comments — someone else commented after I
    last opened the task (or I never opened it, unless it already counts as new);
    awaiting_control — I set it, it was finished and waits for me to accept or return it.
    """
    now = timezone.now()
    base = Task.objects.all()
    helping = _membership_ids(user_id, MemberRole.ACCOMPLICE)
    doing = Q(responsible_id=user_id) | Q(pk__in=helping)
    doing_open = base.filter(doing, status__in=LATE_STATUSES)
    seen = TaskView.objects.filter(task=OuterRef("pk"), user_id=user_id)
    participant = Q(responsible_id=user_id) | Q(created_by_id=user_id) | Q(pk__in=_membership_ids(user_id))
    unopened = doing_open.exclude(created_by_id=user_id).exclude(Exists(seen))
    return {
        "new": unopened,
        "overdue": doing_open.filter(deadline__lt=now),
        "due_soon": doing_open.filter(deadline__gte=now, deadline__lt=now + timedelta(hours=24)),
        "no_deadline": base.filter(responsible_id=user_id, status__in=LATE_STATUSES, deadline__isnull=True).exclude(
            created_by_id=user_id
        ),
        "unread_comments": base.filter(participant, last_comment_at__isnull=False)
        .exclude(last_comment_by_id=user_id)
        .exclude(Exists(seen.filter(seen_at__gte=OuterRef("last_comment_at"))))
        .exclude(doing & Q(status__in=LATE_STATUSES) & ~Q(created_by_id=user_id) & ~Exists(seen)),  # counted as new
        "awaiting_control": base.filter(created_by_id=user_id, status=Status.AWAITING_CONTROL).exclude(
            responsible_id=user_id
        ),
    }


def counters(user_id: int) -> dict[str, int]:
    return {key: queryset.count() for key, queryset in counter_querysets(user_id).items()}


def header_total(values: dict[str, int]) -> int:
    return sum(values[key] for key in HEADER_COUNTERS)


def header_count(user) -> int:
    """The header's tasks number: what needs the person now — not yet opened, late, new comments, to control."""
    querysets = counter_querysets(user.pk)
    return sum(querysets[key].count() for key in HEADER_COUNTERS)


def team(user) -> QuerySet[User]:
    """The people whose counters a head sees: everyone in the departments he heads, and their sub-departments."""
    ctx = access.context_for(user)
    tree = access.DepartmentTree.load()
    headed = tree.subtree(tree.headed_by(user.pk))
    if ctx.level(access.entity_for(Task), "read") >= Level.ALL:
        return User.objects.filter(is_active=True).order_by("last_name", "first_name")
    return User.objects.filter(is_active=True, department_id__in=list(headed)).exclude(pk=user.pk).order_by(
        "last_name", "first_name"
    )


# ---- projects ---------------------------------------------------------------------------------------------


def visible_projects(user, action: str = "read") -> QuerySet[Project]:
    return access.visible(user, Project, action)


def my_projects(user) -> QuerySet[Project]:
    return visible_projects(user).filter(
        Exists(ProjectMember.objects.filter(project=OuterRef("pk"), user=user).exclude(role=ProjectRole.REQUESTED))
    )


def project_audience(user, action: str) -> Q | None:
    """What the gate adds for projects: open and closed ones are seen by all; members see secret ones."""
    if action == "read":
        mine = ProjectMember.objects.filter(user_id=user.pk).exclude(role=ProjectRole.REQUESTED)
        return Q(visibility__in=[Visibility.OPEN, Visibility.CLOSED]) | Q(pk__in=mine.values("project_id"))
    if action in ("update", "delete"):
        staff = ProjectMember.objects.filter(user_id=user.pk, role__in=[ProjectRole.OWNER, ProjectRole.MODERATOR])
        return Q(pk__in=staff.values("project_id"))
    return None


def task_audience(user, action: str) -> Q | None:
    """What the gate adds for tasks: members read their projects' tasks, moderators change them."""
    if action == "read":
        mine = ProjectMember.objects.filter(user_id=user.pk).exclude(role=ProjectRole.REQUESTED)
        return Q(project_id__in=mine.values("project_id"))
    if action == "update":
        staff = ProjectMember.objects.filter(user_id=user.pk, role__in=[ProjectRole.OWNER, ProjectRole.MODERATOR])
        return Q(project_id__in=staff.values("project_id"))
    return None


def linked_to(user, code: str, limit: int = 20) -> list[dict]:
    """The tasks linked to a CRM record ("D_12") that the user may see, open ones first, for the record's card."""
    tasks = (
        visible_tasks(user)
        .filter(crm_links__code=code)
        .select_related("responsible")
        .order_by("status", "deadline", "-id")[:limit]
    )
    return [
        {"url": f"/tasks/{task.pk}/", "title": task.title,
         "note": f"{task.get_status_display()} · {task.responsible.full_name}"}
        for task in tasks
    ]  # fmt: skip
