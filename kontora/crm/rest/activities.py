"""crm.activity.* and crm.timeline.comment.*: activities and timeline comments of leads, deals, contacts, companies.

An activity is seen by whoever the gate lets read it (`crm.activity`) *and* may read its record; a comment by
whoever may read its record. Kontora keeps one moment per activity (DEADLINE; START_TIME and END_TIME report and
set the same), no priority and no communications: those are accepted and answered with what Kontora has.
"""

from typing import Any

from django.db.models import Q, QuerySet

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core import filters
from kontora.core.errors import Invalid, NotFound
from kontora.core.filters import FieldType
from kontora.crm import selectors, services
from kontora.crm.choices import ActivityType, Direction, EntityType
from kontora.crm.models import Activity, Comment
from kontora.crm.services import comments as comment_services
from kontora.rest import values
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.runner import page

PROVIDER_TYPE = 6  # Bitrix24's "provider" activities (crm.activity.todo.add makes them): Kontora's to-dos
PROVIDERS = {
    ActivityType.MEETING: ("CRM_MEETING", "MEETING"),
    ActivityType.CALL: ("VOXIMPLANT_CALL", "CALL"),
    ActivityType.TODO: ("CRM_TODO", "TODO"),
    ActivityType.EMAIL: ("CRM_EMAIL", "EMAIL"),
}
ENTITY_NAMES = {EntityType.LEAD: "lead", EntityType.DEAL: "deal", EntityType.CONTACT: "contact",
                EntityType.COMPANY: "company"}  # fmt: skip
WAITING, DONE = 1, 2
MEDIUM_PRIORITY = 2


def _f(path: str, kind: FieldType = FieldType.INTEGER, **options) -> filters.Field:
    return filters.Field(path=path, type=kind, **options)


ACTIVITY_FILTER = {
    "ID": _f("id"),
    "OWNER_TYPE_ID": _f("owner_type"),
    "OWNER_ID": _f("owner_id"),
    "TYPE_ID": _f(
        "type_id",
        FieldType.ENUM,
        choices={**{str(v): v for v in ActivityType.values}, str(PROVIDER_TYPE): ActivityType.TODO},
    ),  # fmt: skip
    "PROVIDER_ID": _f("type_id", FieldType.ENUM, choices={code: kind for kind, (code, _t) in PROVIDERS.items()}),
    "SUBJECT": _f("subject", FieldType.STRING),
    "DESCRIPTION": _f("description", FieldType.STRING),
    "RESPONSIBLE_ID": _f("responsible_id"),
    "AUTHOR_ID": _f("author_id"),
    "EDITOR_ID": _f("author_id"),
    "COMPLETED": _f("completed", FieldType.BOOLEAN),
    "STATUS": _f("completed", FieldType.ENUM, choices={"1": False, "2": True, "3": True}),
    "DIRECTION": _f("direction"),
    "DEADLINE": _f("deadline", FieldType.DATETIME),
    "START_TIME": _f("deadline", FieldType.DATETIME),
    "END_TIME": _f("deadline", FieldType.DATETIME),
    "CREATED": _f("created_at", FieldType.DATETIME),
    "LAST_UPDATED": _f("updated_at", FieldType.DATETIME),
}
COMMENT_FILTER = {
    "ID": _f("id"),
    "ENTITY_ID": _f("entity_id"),
    "ENTITY_TYPE": _f("entity_type", FieldType.ENUM, choices={**{name: kind for kind, name in ENTITY_NAMES.items()},
                                                              **{str(kind.value): kind for kind in ENTITY_NAMES}}),
    "AUTHOR_ID": _f("author_id"),
    "COMMENT": _f("text", FieldType.STRING),
    "CREATED": _f("created_at", FieldType.DATETIME),
}  # fmt: skip


def _describe(spec: dict[str, tuple[str, str, bool, bool]]) -> dict[str, dict]:
    """name → (type, title, required, read-only) as the seven keys crm.*.fields gives."""
    return {
        name: {"type": kind, "isRequired": required, "isReadOnly": read_only, "isImmutable": False,
               "isMultiple": name in ("COMMUNICATIONS", "BINDINGS", "FILES"), "isDynamic": False, "title": title}
        for name, (kind, title, required, read_only) in spec.items()
    }  # fmt: skip


ACTIVITY_FIELDS = _describe({
    "ID": ("integer", "ID", False, True),
    "OWNER_ID": ("integer", "Owner ID", True, False),
    "OWNER_TYPE_ID": ("crm_enum_ownertype", "Owner type", True, False),
    "TYPE_ID": ("crm_enum_activitytype", "Type", True, False),
    "PROVIDER_ID": ("string", "Provider", False, False),
    "PROVIDER_TYPE_ID": ("string", "Provider type", False, False),
    "SUBJECT": ("string", "Subject", True, False),
    "CREATED": ("datetime", "Created", False, True),
    "LAST_UPDATED": ("datetime", "Last updated", False, True),
    "START_TIME": ("datetime", "Start time", False, False),
    "END_TIME": ("datetime", "End time", False, False),
    "DEADLINE": ("datetime", "Deadline", False, False),
    "COMPLETED": ("char", "Completed", False, False),
    "STATUS": ("crm_enum_activitystatus", "Status", False, False),
    "RESPONSIBLE_ID": ("user", "Responsible", True, False),
    "PRIORITY": ("crm_enum_activitypriority", "Priority", False, False),
    "DESCRIPTION": ("string", "Description", False, False),
    "DESCRIPTION_TYPE": ("crm_enum_contenttype", "Description type", False, False),
    "DIRECTION": ("crm_enum_activitydirection", "Direction", False, False),
    "AUTHOR_ID": ("user", "Author", False, True),
    "EDITOR_ID": ("user", "Editor", False, True),
    "BINDINGS": ("crm_activity_binding", "Bindings", False, True),
    "COMMUNICATIONS": ("crm_activity_communication", "Communications", True, False),
})  # fmt: skip
COMMENT_FIELDS = _describe({
    "ID": ("integer", "ID", False, True),
    "CREATED": ("datetime", "Created", False, True),
    "ENTITY_ID": ("integer", "Entity ID", True, False),
    "ENTITY_TYPE": ("string", "Entity type", True, False),
    "AUTHOR_ID": ("integer", "Author", False, True),
    "COMMENT": ("string", "Comment", False, False),
    "FILES": ("attached_diskfile", "Files", False, False),
})  # fmt: skip


# Reads, each from the gate ---------------------------------------------------------------------------------------


def _records_visible(user, type_field: str, id_field: str) -> Q:
    condition = Q(pk__in=[])
    for entity_type, model in selectors.RECORD_MODELS.items():
        ids = selectors.visible_records(user, model).values("pk")
        condition |= Q(**{type_field: entity_type, f"{id_field}__in": ids})
    return condition


def visible_activities(user) -> QuerySet[Activity]:
    """Activities the gate lets the user read, on records the user may read."""
    return access.visible(user, Activity).filter(_records_visible(user, "owner_type", "owner_id"), in_bin=False)


def visible_comments(user) -> QuerySet[Comment]:
    return Comment.objects.filter(_records_visible(user, "entity_type", "entity_id"))


def _activity(call: Call) -> Activity:
    found = visible_activities(call.user).filter(pk=call.params.integer("id", required=True)).first()
    if found is None:
        raise NotFound()
    return found


def _comment(call: Call) -> Comment:
    found = visible_comments(call.user).filter(pk=call.params.integer("id", required=True)).first()
    if found is None:
        raise NotFound()
    return found


def _record_of(call: Call, entity_type: Any, entity_id: Any, field: str):
    """The record an activity or comment is on, if the caller may read it (missing and forbidden: Not found)."""
    kind = _entity_type(entity_type, field)
    try:
        pk = int(str(entity_id).strip())
    except ValueError:
        raise RestError("", f"{field}: the record is not given.") from None
    record = selectors.get_record(call.user, kind, pk)
    if record is None:
        raise NotFound()
    return record


def _entity_type(value: Any, field: str) -> EntityType:
    text = str(value if value is not None else "").strip().lower()
    for kind, name in ENTITY_NAMES.items():
        if text in (name, str(kind.value)):
            return kind
    raise RestError("", f"{field}: unknown CRM entity type {value!r}.")


def _person(call: Call, value: Any, field: str) -> User:
    try:
        pk = int(str(value).strip())
    except ValueError:
        raise RestError("", f"{field}: no such user.") from None
    person = access.visible(call.user, User).filter(pk=pk, is_active=True).first()
    if person is None:
        raise RestError("", f"{field}: no such user.")
    return person


# Activities ---------------------------------------------------------------------------------------------------


def activity_row(activity: Activity) -> dict[str, Any]:
    provider, provider_type = PROVIDERS.get(activity.type_id, ("CRM_TODO", "TODO"))
    moment = values.moment(activity.deadline)
    return {
        "ID": str(activity.pk),
        "OWNER_ID": str(activity.owner_id),
        "OWNER_TYPE_ID": str(activity.owner_type),
        "TYPE_ID": str(activity.type_id),
        "PROVIDER_ID": provider,
        "PROVIDER_TYPE_ID": provider_type,
        "ASSOCIATED_ENTITY_ID": "0",
        "SUBJECT": activity.subject,
        "CREATED": values.moment(activity.created_at),
        "LAST_UPDATED": values.moment(activity.updated_at),
        "START_TIME": moment,
        "END_TIME": moment,
        "DEADLINE": moment,
        "COMPLETED": values.flag(activity.completed),
        "STATUS": str(DONE if activity.completed else WAITING),
        "RESPONSIBLE_ID": values.link(activity.responsible_id),
        "PRIORITY": str(MEDIUM_PRIORITY),
        "DESCRIPTION": activity.description,
        "DESCRIPTION_TYPE": "1",
        "DIRECTION": str(activity.direction),
        "LOCATION": "",
        "AUTHOR_ID": values.link(activity.author_id),
        "EDITOR_ID": values.link(activity.author_id),
        "ORIGINATOR_ID": None,
        "ORIGIN_ID": None,
    }


def _select(row: dict[str, Any], select: list[Any]) -> dict[str, Any]:
    names = {str(name).upper() for name in select if name not in (None, "")}
    if not names or "*" in names:
        return row
    return {key: value for key, value in row.items() if key in names or key == "ID"}


def _type_id(value: Any) -> int:
    try:
        kind = int(str(value).strip())
    except ValueError:
        kind = -1
    if kind == PROVIDER_TYPE:
        return ActivityType.TODO
    if kind not in ActivityType.values:
        raise RestError("", f"TYPE_ID: unknown activity type {value!r}.")
    return kind


def _deadline(fields: dict[str, Any]) -> tuple[bool, Any]:
    for name in ("DEADLINE", "END_TIME", "START_TIME"):
        if name in fields:
            return True, values.read_moment(fields[name], name)
    return False, None


def _done(fields: dict[str, Any]) -> bool | None:
    if "COMPLETED" in fields:
        return values.read_flag(fields["COMPLETED"])
    if "STATUS" in fields and str(fields["STATUS"]).strip():
        return str(fields["STATUS"]).strip() in (str(DONE), "3")
    return None


@method("crm.activity.fields", "crm")
def activity_fields(call: Call) -> dict[str, dict]:
    """The activity's fields."""
    return ACTIVITY_FIELDS


@method("crm.activity.add", "crm")
def activity_add(call: Call) -> int:
    """Plan an activity on a record the caller may change; returns its ID."""
    fields = values.upper_keys(call.params.map("fields"))
    record = _record_of(call, fields.get("OWNER_TYPE_ID"), fields.get("OWNER_ID"), "OWNER_ID")
    _has_deadline, deadline = _deadline(fields)
    direction = fields.get("DIRECTION")
    if direction not in (None, "") and str(direction).strip() not in {str(v) for v in Direction.values}:
        raise RestError("", f"DIRECTION: unknown direction {direction!r}.")
    activity = services.plan_activity(
        record, by=call.user, subject=str(fields.get("SUBJECT") or ""),
        type_id=_type_id(fields.get("TYPE_ID", ActivityType.TODO)), deadline=deadline,
        responsible=_person(call, fields["RESPONSIBLE_ID"], "RESPONSIBLE_ID") if fields.get("RESPONSIBLE_ID") else None,
        description=str(fields.get("DESCRIPTION") or ""),
        direction=int(str(direction).strip()) if direction not in (None, "") else Direction.OUTGOING,
    )  # fmt: skip
    if _done(fields):
        services.complete_activity(activity, by=call.user)
    return activity.pk


@method("crm.activity.update", "crm")
def activity_update(call: Call) -> bool:
    """Change an activity; COMPLETED (or STATUS) marks it done or open again."""
    activity = _activity(call)
    fields = values.upper_keys(call.params.map("fields"))
    changes: dict[str, Any] = {}
    if "SUBJECT" in fields:
        changes["subject"] = str(fields["SUBJECT"] or "")
    if "DESCRIPTION" in fields:
        changes["description"] = str(fields["DESCRIPTION"] or "")
    if "TYPE_ID" in fields:
        changes["type_id"] = _type_id(fields["TYPE_ID"])
    if fields.get("RESPONSIBLE_ID"):
        changes["responsible"] = _person(call, fields["RESPONSIBLE_ID"], "RESPONSIBLE_ID")
    has_deadline, deadline = _deadline(fields)
    if has_deadline:
        changes["deadline"] = deadline
    if changes:
        services.update_activity(activity, by=call.user, **changes)
    done = _done(fields)
    if done is not None:
        services.complete_activity(activity, by=call.user, done=done)
    return True


@method("crm.activity.get", "crm")
def activity_get(call: Call) -> dict[str, Any]:
    """One activity the caller may see."""
    activity = _activity(call)
    row = activity_row(activity)
    row["BINDINGS"] = [{"OWNER_ID": row["OWNER_ID"], "OWNER_TYPE_ID": row["OWNER_TYPE_ID"]}]
    row["COMMUNICATIONS"] = []
    return row


@method("crm.activity.list", "crm")
def activity_list(call: Call) -> ListResult:
    """Activities the caller may see: filter, order, select, start."""
    queryset = filters.apply(visible_activities(call.user), call.params.map("filter"), ACTIVITY_FILTER)
    queryset = queryset.order_by(*filters.ordering(call.params.map("order"), ACTIVITY_FILTER), "id")
    select = call.params.list("select")
    return page(queryset, call, lambda activity: _select(activity_row(activity), select))


@method("crm.activity.delete", "crm")
def activity_delete(call: Call) -> bool:
    """Delete an activity for good."""
    comment_services.delete_activity(_activity(call), by=call.user)
    return True


@method("crm.activity.todo.add", "crm")
def todo_add(call: Call) -> dict[str, int]:
    """A to-do on a record: {ownerTypeId, ownerId, deadline, title, description, responsibleId} → {"id": n}."""
    params = call.params
    record = _record_of(call, params.get("ownerTypeId"), params.get("ownerId"), "ownerId")
    description = str(params.get("description") or "")
    lines = description.strip().splitlines()
    title = str(params.get("title") or "").strip() or (lines[0][:255] if lines else "")
    responsible = params.get("responsibleId")
    activity = services.plan_activity(
        record, by=call.user, subject=title, type_id=ActivityType.TODO,
        deadline=values.read_moment(params.get("deadline"), "deadline"),
        responsible=_person(call, responsible, "responsibleId") if responsible not in (None, "", "0", 0) else None,
        description=description,
    )  # fmt: skip
    return {"id": activity.pk}


# Timeline comments -------------------------------------------------------------------------------------------


def comment_row(comment: Comment) -> dict[str, Any]:
    return {
        "ID": str(comment.pk),
        "CREATED": values.moment(comment.created_at),
        "ENTITY_ID": str(comment.entity_id),
        "ENTITY_TYPE": ENTITY_NAMES.get(comment.entity_type, str(comment.entity_type)),
        "AUTHOR_ID": values.link(comment.author_id),
        "COMMENT": comment.text,
        "FILES": [],
    }


@method("crm.timeline.comment.fields", "crm")
def comment_fields(call: Call) -> dict[str, dict]:
    """The timeline comment's fields."""
    return COMMENT_FIELDS


@method("crm.timeline.comment.add", "crm")
def comment_add(call: Call) -> int:
    """Comment on a record the caller may read; returns the comment's ID."""
    fields = values.upper_keys(call.params.map("fields"))
    record = _record_of(call, fields.get("ENTITY_TYPE"), fields.get("ENTITY_ID"), "ENTITY_ID")
    return services.add_comment(record, by=call.user, text=str(fields.get("COMMENT") or "")).pk


@method("crm.timeline.comment.update", "crm")
def comment_update(call: Call) -> int:
    """Change a comment's text (its author, or whoever may change the record); returns its ID."""
    comment = _comment(call)
    fields = values.upper_keys(call.params.map("fields"))
    if "COMMENT" not in fields:
        raise Invalid("REQUIRED", "COMMENT", "COMMENT is not given.")
    comment_services.update_comment(comment, by=call.user, text=str(fields["COMMENT"] or ""))
    return comment.pk


@method("crm.timeline.comment.get", "crm")
def comment_get(call: Call) -> dict[str, Any]:
    """One comment on a record the caller may read."""
    return comment_row(_comment(call))


@method("crm.timeline.comment.list", "crm")
def comment_list(call: Call) -> ListResult:
    """Comments on records the caller may read (filter by ENTITY_TYPE and ENTITY_ID)."""
    queryset = filters.apply(visible_comments(call.user), call.params.map("filter"), COMMENT_FILTER)
    queryset = queryset.order_by(*filters.ordering(call.params.map("order") or {"CREATED": "DESC"},
                                                   COMMENT_FILTER), "-id")  # fmt: skip
    select = call.params.list("select")
    return page(queryset, call, lambda comment: _select(comment_row(comment), select))


@method("crm.timeline.comment.delete", "crm")
def comment_delete(call: Call) -> bool:
    """Delete a comment (its author, or whoever may change the record)."""
    comment_services.delete_comment(_comment(call), by=call.user)
    return True
