"""Projects: create and change them, members and their roles, joining (with approval for closed ones), stages."""

import re

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import Level, User
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.events import history
from kontora.tasks.choices import ProjectRole, Visibility
from kontora.tasks.models import Project, ProjectMember, ProjectStage

PROJECT_FIELDS = ("name", "description", "visibility", "archived")
DEFAULT_STAGES = (
    (gettext_noop("To do"), "#00a2e8"), (gettext_noop("In work"), "#f5a623"), (gettext_noop("Done"), "#7bd500"),
)  # fmt: skip
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
STAFF = (ProjectRole.OWNER, ProjectRole.MODERATOR)
MEMBERS = (ProjectRole.OWNER, ProjectRole.MODERATOR, ProjectRole.MEMBER)


def role_in(user, project: Project) -> str | None:
    return ProjectMember.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def can_manage(user, project: Project) -> bool:
    """Owner and moderators manage a project; so does anyone the gate lets change it beyond their own."""
    return role_in(user, project) in STAFF or access.can(user, "update", project)


def can_hand_over(user, project: Project) -> bool:
    """Only the owner hands a project over, or someone the gate lets change it beyond their own (the owner's head,
    an administrator); moderators cannot make themselves owners."""
    beyond_own = access.context_for(user).level(access.entity_for(Project), "update") >= Level.DEPARTMENT
    return project.owner_id == user.pk or (beyond_own and access.can(user, "update", project))


def can_post(user, project: Project) -> bool:
    """Members put tasks into a project."""
    return not project.archived and (role_in(user, project) in MEMBERS or can_manage(user, project))


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be set on a project."))
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()[:255]
        if not fields["name"]:
            raise Invalid("REQUIRED", "name", _("Name the project."))
    if "visibility" in fields and fields["visibility"] not in Visibility.values:
        raise Invalid("UNKNOWN_VISIBILITY", "visibility", _("Unknown visibility."))
    return fields


@transaction.atomic
def create_project(*, by, name: str, members=(), moderators=(), stages=None, **fields) -> Project:
    project = Project(owner=by)
    for key, value in _clean({"name": name, **fields}).items():
        setattr(project, key, value)
    if not access.can(by, "add", project):
        raise Forbidden()
    project.save()
    ProjectMember.objects.create(project=project, user=by, role=ProjectRole.OWNER)
    for user in moderators:
        _put(project, user, ProjectRole.MODERATOR)
    for user in members:
        _put(project, user, ProjectRole.MEMBER)
    for sort, (title, color) in enumerate(stages or [(_(title), color) for title, color in DEFAULT_STAGES]):
        ProjectStage.objects.create(project=project, title=title, color=color, sort=(sort + 1) * 100)
    history.record(project, by=by, action="create", changes={"name": [None, project.name]})
    events.emit("tasks.project.created", project, by=by)
    return project


@transaction.atomic
def update_project(project: Project, *, by, **changes) -> Project:
    if not can_manage(by, project):
        raise Forbidden()
    changes = _clean(changes)
    before = history.snapshot(project, changes)
    for key, value in changes.items():
        setattr(project, key, value)
    project.save()
    diff = history.diff(before, history.snapshot(project, changes))
    if diff:
        history.record(project, by=by, action="update", changes=diff)
        events.emit("tasks.project.updated", project, by=by, changes=diff)
    return project


def _put(project: Project, user, role: str) -> ProjectMember:
    user = user if isinstance(user, User) else User.objects.filter(pk=user, is_active=True).first()
    if user is None:
        raise Invalid("UNKNOWN_USER", "members", _("There is no such active employee."))
    member, created = ProjectMember.objects.get_or_create(project=project, user=user, defaults={"role": role})
    if not created and member.role != ProjectRole.OWNER and member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    return member


@transaction.atomic
def add_member(project: Project, user, *, by, role: str = ProjectRole.MEMBER) -> ProjectMember:
    if not can_manage(by, project):
        raise Forbidden()
    if role not in (ProjectRole.MODERATOR, ProjectRole.MEMBER):
        raise Invalid("UNKNOWN_ROLE", "role", _("Unknown project role."))
    member = _put(project, user, role)
    history.record(project, by=by, action="member", changes={"members": [None, member.user_id]})
    events.emit("tasks.project.member_added", project, by=by, user_id=member.user_id, role=member.role)
    return member


@transaction.atomic
def remove_member(project: Project, user, *, by) -> None:
    member = ProjectMember.objects.filter(project=project, user=user).first()
    if member is None:
        raise NotFound()
    if member.role == ProjectRole.OWNER:
        raise Invalid("OWNER_STAYS", "members", _("The owner cannot leave the project; hand it over first."))
    if by.pk != member.user_id and not can_manage(by, project):
        raise Forbidden()
    member.delete()
    history.record(project, by=by, action="member", changes={"members": [member.user_id, None]})
    events.emit("tasks.project.member_removed", project, by=by, user_id=member.user_id)


@transaction.atomic
def join_project(project: Project, *, by) -> ProjectMember:
    """Open projects take anyone at once; closed ones record a request for the owner or moderators to approve.
    Secret projects cannot be joined, only invited to."""
    current = role_in(by, project)
    if current is not None:  # a member already, or a request already waiting
        return ProjectMember.objects.get(project=project, user=by)
    if project.visibility == Visibility.SECRET or project.archived:
        raise NotFound()
    role = ProjectRole.MEMBER if project.visibility == Visibility.OPEN else ProjectRole.REQUESTED
    member = _put(project, by, role)
    if role == ProjectRole.MEMBER:
        history.record(project, by=by, action="member", changes={"members": [None, by.pk]})
    events.emit("tasks.project.join_requested" if role == ProjectRole.REQUESTED else "tasks.project.member_added",
                project, by=by, user_id=by.pk, role=role)  # fmt: skip
    return member


@transaction.atomic
def answer_request(project: Project, user, *, by, approve: bool) -> None:
    if not can_manage(by, project):
        raise Forbidden()
    member = ProjectMember.objects.filter(project=project, user=user, role=ProjectRole.REQUESTED).first()
    if member is None:
        raise NotFound()
    if approve:
        member.role = ProjectRole.MEMBER
        member.save(update_fields=["role"])
        history.record(project, by=by, action="member", changes={"members": [None, member.user_id]})
        events.emit("tasks.project.member_added", project, by=by, user_id=member.user_id, role=member.role)
    else:
        member.delete()
        events.emit("tasks.project.join_declined", project, by=by, user_id=member.user_id)


@transaction.atomic
def hand_over(project: Project, user, *, by) -> None:
    if not can_hand_over(by, project):
        raise Forbidden()
    former = project.owner_id
    ProjectMember.objects.filter(project=project, role=ProjectRole.OWNER).update(role=ProjectRole.MODERATOR)
    _put(project, user, ProjectRole.MEMBER)
    ProjectMember.objects.filter(project=project, user=user).update(role=ProjectRole.OWNER)
    project.owner_id = user.pk if isinstance(user, User) else user
    project.save(update_fields=["owner", "updated_at"])
    history.record(project, by=by, action="update", changes={"owner": [former, project.owner_id]})
    events.emit("tasks.project.updated", project, by=by, changes={"owner": [former, project.owner_id]})


def _colour(value: str | None) -> str:
    """A stage colour goes into a style attribute: only "#rrggbb" is taken."""
    if not value:
        return "#00a2e8"
    if not COLOUR.match(value):
        raise Invalid("BAD_COLOUR", "color", _("A colour is written as #rrggbb."))
    return value.lower()


@transaction.atomic
def add_stage(project: Project, *, by, title: str, color: str = "#00a2e8") -> ProjectStage:
    if not can_manage(by, project):
        raise Forbidden()
    title = (title or "").strip()[:100]
    if not title:
        raise Invalid("REQUIRED", "title", _("Name the stage."))
    last = project.stages.aggregate(last=Max("sort"))["last"] or 0
    stage = ProjectStage.objects.create(project=project, title=title, color=_colour(color), sort=last + 100)
    history.record(project, by=by, action="update", changes={"stages": [None, stage.title]})
    events.emit("tasks.project.updated", project, by=by, changes={"stages": [None, stage.pk]})
    return stage


@transaction.atomic
def update_stage(stage: ProjectStage, *, by, title: str | None = None, color: str | None = None) -> ProjectStage:
    if not can_manage(by, stage.project):
        raise Forbidden()
    if title is not None:
        stage.title = title.strip()[:100] or stage.title
    if color:
        stage.color = _colour(color)
    stage.save()
    return stage


@transaction.atomic
def reorder_stages(project: Project, stage_ids: list[int], *, by) -> None:
    if not can_manage(by, project):
        raise Forbidden()
    stages = {stage.pk: stage for stage in project.stages.all()}
    if sorted(stage_ids) != sorted(stages):
        raise Invalid("STAGE_SET", "stages", _("Send every stage of the project, each once."))
    for index, pk in enumerate(stage_ids):
        stages[pk].sort = (index + 1) * 100
    ProjectStage.objects.bulk_update(stages.values(), ["sort"])


@transaction.atomic
def delete_stage(stage: ProjectStage, *, by) -> None:
    """Tasks of a deleted stage move to the project's first remaining stage."""
    project = stage.project
    if not can_manage(by, project):
        raise Forbidden()
    remaining = project.stages.exclude(pk=stage.pk).first()
    if remaining is None:
        raise Invalid("LAST_STAGE", "stage", _("A project keeps at least one stage."))
    stage.tasks.update(stage=remaining)
    stage.delete()
    history.record(project, by=by, action="update", changes={"stages": [stage.title, None]})
