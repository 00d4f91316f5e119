"""tasks.task over the wire: the field map (Bitrix24 names → ORM paths) for filters and order, what callers send
(UPPER_SNAKE) turned into the services' arguments, and a task written as Bitrix24 writes it (camelCase, strings)."""

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kontora.core.errors import Invalid
from kontora.core.filters import Field, FieldType, parse_moment
from kontora.rest.values import camel, flag, link, moment, read_flag, text, upper_keys
from kontora.tasks.choices import OPEN_STATUSES, MemberRole, Status
from kontora.tasks.models import Task, TaskMember, TaskView, TimeEntry

SUB_OVERDUE, SUB_UNVIEWED, SUB_ALMOST_OVERDUE = -1, -2, -3
_INT, _DATE, _BOOL = FieldType.INTEGER, FieldType.DATETIME, FieldType.BOOLEAN

# The fields tasks.task.list filters and sorts by. STATUS is Bitrix24's subStatus (−1 overdue, −2 not viewed,
# −3 almost overdue, else the status); REAL_STATUS is the plain status.
FIELDS: dict[str, Field] = {
    "ID": Field(path="pk", type=_INT),
    "TITLE": Field(path="title"),
    "DESCRIPTION": Field(path="description"),
    "STATUS": Field(path="sub_status", type=_INT),
    "REAL_STATUS": Field(path="status", type=_INT),
    "PRIORITY": Field(path="priority", type=_INT),
    "RESPONSIBLE_ID": Field(path="responsible_id", type=_INT),
    "CREATED_BY": Field(path="created_by_id", type=_INT),
    "CLOSED_BY": Field(path="closed_by_id", type=_INT, zero_is_empty=True),
    "GROUP_ID": Field(path="project_id", type=_INT, zero_is_empty=True),
    "PARENT_ID": Field(path="parent_id", type=_INT, zero_is_empty=True),
    "STAGE_ID": Field(path="stage_id", type=_INT, zero_is_empty=True),
    "DEADLINE": Field(path="deadline", type=_DATE),
    "CREATED_DATE": Field(path="created_at", type=_DATE),
    "CHANGED_DATE": Field(path="updated_at", type=_DATE),
    "ACTIVITY_DATE": Field(path="updated_at", type=_DATE),
    "CLOSED_DATE": Field(path="closed_at", type=_DATE),
    "DATE_START": Field(path="date_start", type=_DATE),
    "START_DATE_PLAN": Field(path="start_date_plan", type=_DATE),
    "END_DATE_PLAN": Field(path="end_date_plan", type=_DATE),
    "STATUS_CHANGED_DATE": Field(path="status_changed_at", type=_DATE),
    "TIME_ESTIMATE": Field(path="time_estimate", type=_INT),
    "COMMENTS_COUNT": Field(path="comments_count", type=_INT),
    "ALLOW_CHANGE_DEADLINE": Field(path="allow_change_deadline", type=_BOOL),
    "TASK_CONTROL": Field(path="requires_control", type=_BOOL),
    "UF_CRM_TASK": Field(path="crm_links__code", like=False),
    "MEMBER": Field(path="members__user_id", type=_INT),  # co-executors and observers (see `member_filter`)
}
# Filter keys that carry no condition (Bitrix24's list options travel in the filter).
IGNORED_FILTER_KEYS = ("::", "CHECK_PERMISSIONS")

# tasks.task.getFields: name → (title, type, required)
DESCRIPTIONS: dict[str, tuple[str, str, bool]] = {
    "ID": ("ID", "integer", False), "PARENT_ID": ("Parent task ID", "integer", False),
    "TITLE": ("Name", "string", True), "DESCRIPTION": ("Description", "string", False),
    "MARK": ("Rating", "enum", False), "PRIORITY": ("Priority", "enum", False),
    "STATUS": ("Status", "enum", False), "MULTITASK": ("Multiple assignees", "enum", False),
    "NOT_VIEWED": ("Not viewed", "enum", False), "REPLICATE": ("Repeat", "enum", False),
    "GROUP_ID": ("Project", "integer", False), "STAGE_ID": ("Stage", "integer", False),
    "CREATED_BY": ("Created by", "integer", True), "CREATED_DATE": ("Created on", "datetime", False),
    "RESPONSIBLE_ID": ("Assignee", "integer", True), "ACCOMPLICES": ("Participants", "array", False),
    "AUDITORS": ("Observers", "array", False), "CHANGED_DATE": ("Modified on", "datetime", False),
    "STATUS_CHANGED_DATE": ("Status modified on", "datetime", False), "CLOSED_BY": ("Closed by", "integer", False),
    "CLOSED_DATE": ("Closed on", "datetime", False), "DATE_START": ("Started on", "datetime", False),
    "DEADLINE": ("Deadline", "datetime", False), "START_DATE_PLAN": ("Planned start", "datetime", False),
    "END_DATE_PLAN": ("Planned finish", "datetime", False), "COMMENTS_COUNT": ("Comments", "integer", False),
    "ALLOW_CHANGE_DEADLINE": ("Assignee can change deadline", "enum", False),
    "ALLOW_TIME_TRACKING": ("Track time", "enum", False),
    "TASK_CONTROL": ("Review task when completed", "enum", False),
    "TIME_ESTIMATE": ("Time estimate, seconds", "integer", False),
    "TIME_SPENT_IN_LOGS": ("Time spent, seconds", "integer", False),
    "TAGS": ("Tags", "array", False), "UF_CRM_TASK": ("CRM items", "array", False),
}  # fmt: skip
_VALUES = {
    "PRIORITY": {"0": "Low", "1": "Normal", "2": "High"},
    "STATUS": {"1": "New", "2": "Pending", "3": "In progress", "4": "Awaiting control", "5": "Completed",
               "6": "Deferred", "7": "Declined", "-1": "Overdue", "-2": "Not viewed", "-3": "Almost overdue"},
    "MARK": {"N": "Negative", "P": "Positive"},
}  # fmt: skip


def describe_fields() -> dict[str, Any]:
    fields = {}
    for name, (title, kind, required) in DESCRIPTIONS.items():
        entry: dict[str, Any] = {"title": title, "type": kind}
        if name == "ID":
            entry["primary"] = True
        if required:
            entry["required"] = True
        if name in _VALUES:
            entry["values"] = _VALUES[name]
        elif kind == "enum":
            entry["values"] = {"Y": "Yes", "N": "No"}
        fields[name] = entry
    return {"fields": fields}


# ---- reading -----------------------------------------------------------------------------------------------


def annotated(queryset: QuerySet[Task], user) -> QuerySet[Task]:
    """The caller's subStatus and whether he ever opened the task, and the time spent, per row."""
    now = timezone.now()
    seen = Exists(TaskView.objects.filter(task=OuterRef("pk"), user_id=user.pk))
    late = Q(status__in=OPEN_STATUSES)
    spent = TimeEntry.objects.filter(task=OuterRef("pk")).values("task").annotate(total=Sum("seconds")).values("total")
    return queryset.annotate(
        seen_by_caller=seen,
        sub_status=Case(
            When(late & Q(deadline__lt=now), then=Value(SUB_OVERDUE)),
            When(Q(status__in=[Status.NEW, Status.PENDING]) & ~Q(created_by_id=user.pk) & ~seen,
                 then=Value(SUB_UNVIEWED)),
            When(late & Q(deadline__gte=now, deadline__lt=now + timedelta(hours=24)), then=Value(SUB_ALMOST_OVERDUE)),
            default=F("status"), output_field=IntegerField(),
        ),
        time_spent=Coalesce(Subquery(spent, output_field=IntegerField()), Value(0)),
    ).select_related("created_by", "responsible", "project").prefetch_related("members", "crm_links")  # fmt: skip


def split_filter(filter: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(plain conditions, subStatus conditions, ACCOMPLICE/AUDITOR conditions); list options dropped."""
    plain, sub, roles = {}, {}, {}
    for key, value in (filter or {}).items():
        name = str(key).strip()
        bare = name.lstrip("!=<>@%").upper()
        if name.startswith(IGNORED_FILTER_KEYS) or bare in IGNORED_FILTER_KEYS:
            continue
        if bare == "STATUS":
            sub[name] = value
        elif bare in ("ACCOMPLICE", "AUDITOR"):
            roles[name] = value
        else:
            plain[name] = value
    return plain, sub, roles


def member_filter(queryset: QuerySet[Task], conditions: Mapping[str, Any]) -> QuerySet[Task]:
    """ACCOMPLICE / AUDITOR: the task has this co-executor (observer), or any of a list; "!" negates."""
    for key, value in conditions.items():
        role = MemberRole.ACCOMPLICE if key.lstrip("!=").upper() == "ACCOMPLICE" else MemberRole.AUDITOR
        ids = [integer(item, key) for item in _items(value)]
        condition = Q(pk__in=TaskMember.objects.filter(role=role, user_id__in=ids).values("task"))
        queryset = queryset.exclude(condition) if key.startswith("!") else queryset.filter(condition)
    return queryset


def person(user) -> dict[str, Any]:
    if user is None:
        return {}
    return {"id": str(user.pk), "name": user.full_name, "link": user.get_absolute_url(),
            "icon": user.photo.url if user.photo else "", "workPosition": user.position or ""}  # fmt: skip


def full(task: Task) -> dict[str, Any]:
    """Every field of a task as tasks.task.get writes it."""
    members = list(task.members.all())
    accomplices = sorted(member.user_id for member in members if member.role == MemberRole.ACCOMPLICE)
    auditors = sorted(member.user_id for member in members if member.role == MemberRole.AUDITOR)
    seen = getattr(task, "seen_by_caller", True)
    return {
        "id": str(task.pk), "parentId": link(task.parent_id), "title": task.title, "description": task.description,
        "mark": None, "priority": text(task.priority), "multitask": flag(accomplices), "notViewed": flag(not seen),
        "replicate": flag(task.template_id), "groupId": str(task.project_id or 0), "stageId": str(task.stage_id or 0),
        "createdBy": str(task.created_by_id), "createdDate": moment(task.created_at),
        "responsibleId": str(task.responsible_id), "changedDate": moment(task.updated_at),
        "statusChangedDate": moment(task.status_changed_at), "closedBy": link(task.closed_by_id),
        "closedDate": moment(task.closed_at), "activityDate": moment(task.updated_at),
        "dateStart": moment(task.date_start), "deadline": moment(task.deadline),
        "startDatePlan": moment(task.start_date_plan), "endDatePlan": moment(task.end_date_plan),
        "commentsCount": text(task.comments_count), "allowChangeDeadline": flag(task.allow_change_deadline),
        "allowTimeTracking": "Y", "taskControl": flag(task.requires_control),
        "forkedByTemplateId": link(task.template_id), "timeEstimate": text(task.time_estimate),
        "timeSpentInLogs": text(getattr(task, "time_spent", 0) or 0), "favorite": "N",
        "status": text(task.status), "subStatus": text(getattr(task, "sub_status", task.status)),
        "accomplices": [str(pk) for pk in accomplices], "auditors": [str(pk) for pk in auditors],
        "tags": list(task.tags or []), "ufCrmTask": sorted(item.code for item in task.crm_links.all()),
        "creator": person(task.created_by), "responsible": person(task.responsible),
        "group": {"id": str(task.project_id), "name": task.project.name} if task.project_id else [],
    }  # fmt: skip


# Selecting a field brings the objects Bitrix24 adds for it.
_COMPANIONS = {"createdBy": ("creator",), "responsibleId": ("responsible",), "groupId": ("group",),
               "status": ("subStatus",)}  # fmt: skip


def select(data: dict[str, Any], names: Iterable[Any]) -> dict[str, Any]:
    """The fields named in `select` (UPPER_SNAKE, "*" for all, "UF_*" for the CRM links), id always."""
    wanted = [str(name).strip() for name in names if str(name).strip()]
    if not wanted or "*" in wanted:
        return data
    keys = {"id"}
    for name in wanted:
        key = "ufCrmTask" if name.upper() == "UF_*" else camel(name)
        if key in data:
            keys.add(key)
            keys.update(_COMPANIONS.get(key, ()))
    return {key: value for key, value in data.items() if key in keys}


# ---- writing -----------------------------------------------------------------------------------------------

_PLAIN = {"TITLE": "title", "DESCRIPTION": "description"}
_MOMENTS = {"DEADLINE": "deadline", "START_DATE_PLAN": "start_date_plan", "END_DATE_PLAN": "end_date_plan"}
_FLAGS = {"ALLOW_CHANGE_DEADLINE": "allow_change_deadline", "TASK_CONTROL": "requires_control"}
_LINKS = {"RESPONSIBLE_ID": "responsible", "GROUP_ID": "project", "PARENT_ID": "parent", "STAGE_ID": "stage"}
_LISTS = {"ACCOMPLICES": "accomplices", "AUDITORS": "auditors", "UF_CRM_TASK": "crm", "TAGS": "tags"}


def changes(fields: Mapping[str, Any], *, caller) -> dict[str, Any]:
    """The services' keyword arguments from tasks.task.add/update `fields`; fields Bitrix24 keeps read-only or that
    Kontora has no place for are ignored, as Bitrix24 ignores unknown ones."""
    fields = upper_keys(fields)
    result: dict[str, Any] = {}
    for name, value in fields.items():
        if name in _PLAIN:
            result[_PLAIN[name]] = "" if value is None else str(value)
        elif name in _MOMENTS:
            result[_MOMENTS[name]] = read_when(value, name)
        elif name in _FLAGS:
            result[_FLAGS[name]] = read_flag(value)
        elif name in _LINKS:
            pk = integer(value, name) if value not in (None, "") else 0
            result[_LINKS[name]] = pk or None
        elif name in _LISTS:
            items = _items(value)
            if name == "TAGS" and isinstance(value, str):
                items = value.split(",")
            result[_LISTS[name]] = [str(item).strip() for item in items if str(item).strip()]
        elif name == "PRIORITY":
            result["priority"] = integer(value, name)
        elif name == "TIME_ESTIMATE":
            result["time_estimate"] = integer(value or 0, name)
        elif name == "CREATED_BY" and value not in (None, "") and integer(value, name) != caller.pk:
            raise Invalid("CREATED_BY", name, "A task is set by the caller; CREATED_BY cannot name someone else.")
    if "responsible" in result and result["responsible"] is None:
        raise Invalid("REQUIRED", "RESPONSIBLE_ID", "The assignee is required.")
    return result


def read_when(value: Any, name: str) -> datetime | None:
    if value in (None, "", "0", 0):
        return None
    found = parse_moment(value)
    if found is None:
        raise Invalid("NOT_A_DATE", name, f"The value {value!r} is not a date or a date and time.")
    if not isinstance(found, datetime):
        found = datetime.combine(found, time())
    return timezone.make_aware(found) if timezone.is_naive(found) else found


def _items(value: Any) -> list[Any]:
    if value in (None, "", [""]):
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value) if isinstance(value, list | tuple) else [value]


def integer(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid("NOT_A_NUMBER", name, f"The value {value!r} is not a number.") from None
