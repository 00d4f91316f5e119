"""Reads behind the project screens: the lists, one project's page with its activity, the project kanban."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from kontora.accounts.models import User
from kontora.core.textsearch import contains_ci
from kontora.events.models import ChangeSet
from kontora.tasks import selectors
from kontora.tasks.choices import ProjectRole
from kontora.tasks.models import Project, ProjectMember, ProjectStage, Task
from kontora.tasks.services.projects import COLOUR, STAFF, can_hand_over, can_manage, can_post, role_in
from kontora.tasks.services.rights import rights_for

FEED_SIZE = 30
# What the feed tells; other change sets of a task (such as a person's own plan) are nobody else's business.
FEED_ACTIONS = {
    "create": _("Creation"),
    "update": _("Changes"),
    "delete": _("Deletion"),
    "restore": _("Restoration"),
    "member": _("Membership changes"),
}
# Names a change set uses that are not fields of the model.
OTHER_FIELDS = {
    "accomplices": _("co-executors"),
    "auditors": _("observers"),
    "crm": _("CRM"),
    "members": _("members"),
    "stages": _("stages"),
}
ROLE_ORDER = {ProjectRole.OWNER: 0, ProjectRole.MODERATOR: 1, ProjectRole.MEMBER: 2}
DEFAULT_COLOUR = "#9fb3c8"
CHECKLIST = {  # items under the checklists' headings: all of them, and the ticked ones
    "checklist_total": Count("checklist", filter=Q(checklist__parent__isnull=False)),
    "checklist_done": Count("checklist", filter=Q(checklist__parent__isnull=False, checklist__is_complete=True)),
}


def people() -> QuerySet[User]:
    """The employees a project can take in."""
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")


def projects(user, tab: str = "mine", query: str = "") -> QuerySet[Project]:
    """The "mine" tab: projects the user is a member of; "other": the rest the user may see (open, closed)."""
    mine = selectors.my_projects(user)
    result = mine if tab == "mine" else selectors.visible_projects(user).exclude(pk__in=mine.values("pk"))
    if query:
        result = result.filter(contains_ci(["name"], query.strip()))
    requested = ProjectMember.objects.filter(project=OuterRef("pk"), user=user, role=ProjectRole.REQUESTED)
    return (
        result.select_related("owner")
        .annotate(
            member_count=Count("members", filter=~Q(members__role=ProjectRole.REQUESTED), distinct=True),
            requested=Exists(requested),
        )
        .order_by("archived", "name", "id")
    )


def get_project(user, pk: int, action: str = "read") -> Project | None:
    """One project the user may see, or None (missing and forbidden look the same)."""
    return selectors.visible_projects(user, action).select_related("owner").filter(pk=pk).first()


def get_stage(project: Project, pk) -> ProjectStage | None:
    try:
        return project.stages.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def get_task(user, project: Project, pk: int) -> Task | None:
    """One of the project's tasks the user may see."""
    return selectors.visible_tasks(user).filter(project=project, pk=pk).first()


def members(project: Project) -> list[ProjectMember]:
    """Owner first, then moderators, then members, each by name."""
    rows = ProjectMember.objects.filter(project=project).exclude(role=ProjectRole.REQUESTED).select_related("user")
    return sorted(rows, key=lambda row: (ROLE_ORDER.get(row.role, 9), row.user.full_name.lower()))


def requests(project: Project) -> list[ProjectMember]:
    return list(
        ProjectMember.objects.filter(project=project, role=ProjectRole.REQUESTED)
        .select_related("user")
        .order_by("joined_at", "id")
    )


def page(user, project: Project) -> dict:
    """Everything the project page shows the user, with what the user may do there."""
    role = role_in(user, project)
    manage = can_manage(user, project)
    current = members(project)
    return {
        "project": project,
        "role": role,
        "role_label": ProjectRole(role).label if role else "",
        "is_member": role in (*STAFF, ProjectRole.MEMBER),
        "requested": role == ProjectRole.REQUESTED,
        "can_manage": manage,
        "can_post": can_post(user, project),
        "can_hand_over": can_hand_over(user, project),
        "members": current,
        "requests": requests(project) if manage else [],
        "candidates": people().exclude(pk__in=[row.user_id for row in current]) if manage else [],
        "feed": feed(user, project),
    }


def feed(user, project: Project, limit: int = FEED_SIZE) -> list[ChangeSet]:
    """The project's recent activity: change sets of the project and of those of its tasks the user may see,
    newest first. Each row gets `task_id` when it is about a task."""
    task_type = ContentType.objects.get_for_model(Task)
    project_type = ContentType.objects.get_for_model(Project)
    tasks = selectors.visible_tasks(user).filter(project=project).annotate(key=Cast("pk", CharField())).values("key")
    rows = list(
        ChangeSet.objects.filter(
            Q(content_type=task_type, object_id__in=tasks) | Q(content_type=project_type, object_id=str(project.pk)),
            action__in=list(FEED_ACTIONS),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    for row in rows:
        row.task_id = int(row.object_id) if row.content_type_id == task_type.pk else None
        row.label = FEED_ACTIONS[row.action]
        row.fields = _field_names(Task if row.task_id else Project, row.changes)
    return rows


def _field_names(model, changes: dict) -> list[str]:
    names = []
    for name in changes or {}:
        if name in OTHER_FIELDS:
            names.append(str(OTHER_FIELDS[name]))
            continue
        try:
            names.append(str(getattr(model._meta.get_field(name), "verbose_name", name)))  # relations have none
        except FieldDoesNotExist:
            names.append(name)
    return names


def colour_of(stage: ProjectStage) -> str:
    return stage.color if COLOUR.match(stage.color or "") else DEFAULT_COLOUR


def board(user, project: Project) -> list[dict]:
    """The kanban's columns: each stage with the project's tasks the user may see in it. Tasks without a stage
    (they came into the project by a change of project) stand in the first column."""
    stages = list(project.stages.all())
    if not stages:
        return []
    cards = list(
        selectors.visible_tasks(user)
        .filter(project=project)
        .select_related("responsible")
        .annotate(**CHECKLIST)
        .order_by("-id")
    )
    staff = role_in(user, project) in STAFF
    by_stage: dict[int, list[Task]] = {stage.pk: [] for stage in stages}
    for task in cards:
        task.can_move = staff or task.created_by_id == user.pk or rights_for(user, task).edit
        by_stage.get(task.stage_id, by_stage[stages[0].pk]).append(task)
    return [
        {"stage": stage, "colour": colour_of(stage), "cards": by_stage[stage.pk], "count": len(by_stage[stage.pk])}
        for stage in stages
    ]


def card(user, task: Task) -> Task:
    """One card as the board shows it, after a move or a quick add."""
    task = selectors.visible_tasks(user).select_related("responsible").annotate(**CHECKLIST).get(pk=task.pk)
    task.can_move = True
    return task
