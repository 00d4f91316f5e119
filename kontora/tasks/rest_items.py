"""Bitrix24's legacy positional task methods: task.commentitem.*, task.checklistitem.*, task.elapseditem.*.

Parameters come named (TASKID, ITEMID, FIELDS…) or by position (`0=13&1[POST_MESSAGE]=…`, or a JSON array);
rows are UPPER_SNAKE with string values. Every read starts from the task the caller may see."""

from collections.abc import Mapping
from typing import Any

from kontora.core import filters
from kontora.core.errors import Invalid, NotFound
from kontora.core.filters import Field, FieldType
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.values import flag, link, moment, read_flag, upper_keys
from kontora.tasks import selectors
from kontora.tasks.choices import TimeSource
from kontora.tasks.models import ChecklistItem, Task, TaskComment, TimeEntry
from kontora.tasks.rest import found_task
from kontora.tasks.rest_format import integer, read_when
from kontora.tasks.services import checklist, comments, timing


def arguments(call: Call, *names: str) -> dict[str, Any]:
    """The parameters by name, or else by position in the order Bitrix24 documents them."""
    values = {}
    for position, name in enumerate(names):
        if name in call.params:
            values[name] = call.params.get(name)
        elif str(position) in call.params:
            values[name] = call.params.get(str(position))
    return values


def _required_id(values: Mapping[str, Any], name: str) -> int:
    value = values.get(name)
    if value in (None, "", "0", 0):
        raise RestError("ERROR_CORE", f"Param {name} is required and must be a number.")
    return integer(value, name)


def _map(values: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = values.get(name)
    if value in (None, "", [], [""]):
        return {}
    if not isinstance(value, Mapping):
        raise RestError("ERROR_CORE", f"Param {name} must be an object.")
    return upper_keys(value)


def _task(call: Call, values: Mapping[str, Any]) -> Task:
    return found_task(call, _required_id(values, "TASKID"))


def _not_self(call: Call, value: Any, name: str) -> None:
    if value not in (None, "", 0, "0") and integer(value, name) != call.user.pk:
        raise Invalid("NOT_SELF", name, f"{name} can only be the caller.")


def _ordered(queryset, order: Any, fields: Mapping[str, Field]):
    order = upper_keys(order) if isinstance(order, Mapping) else {}
    return queryset.order_by(*filters.ordering(order, fields), "pk")


# ---- comments ---------------------------------------------------------------------------------------------

COMMENT_FIELDS = {
    "ID": Field(path="pk", type=FieldType.INTEGER),
    "AUTHOR_ID": Field(path="author_id", type=FieldType.INTEGER),
    "POST_DATE": Field(path="created_at", type=FieldType.DATETIME),
}


def comment_row(comment: TaskComment) -> dict[str, Any]:
    author = comment.author
    return {
        "ID": str(comment.pk), "AUTHOR_ID": link(comment.author_id), "AUTHOR_NAME": author.full_name if author else "",
        "AUTHOR_EMAIL": author.email if author else "", "POST_DATE": moment(comment.created_at),
        "POST_MESSAGE": comment.text, "POST_MESSAGE_HTML": comment.text,
    }  # fmt: skip


def _comment(call: Call, values: Mapping[str, Any]) -> TaskComment:
    task = _task(call, values)
    found = task.comments.select_related("author", "task").filter(pk=_required_id(values, "ITEMID")).first()
    if found is None:
        raise NotFound()
    return found


@method("task.commentitem.add", "task")
def comment_add(call: Call) -> int:
    """(TASKID, FIELDS{POST_MESSAGE}) → the comment's ID; the author is the caller."""
    values = arguments(call, "TASKID", "FIELDS")
    fields = _map(values, "FIELDS")
    _not_self(call, fields.get("AUTHOR_ID"), "AUTHOR_ID")
    if not str(fields.get("POST_MESSAGE") or "").strip():
        raise RestError("ERROR_CORE", "POST_MESSAGE is required.")
    return comments.add_comment(_task(call, values), by=call.user, text=str(fields["POST_MESSAGE"])).pk


@method("task.commentitem.getlist", "task")
def comment_list(call: Call) -> list[dict[str, Any]]:
    """(TASKID, ORDER, FILTER) → the task's comments."""
    values = arguments(call, "TASKID", "ORDER", "FILTER")
    queryset = filters.apply(_task(call, values).comments.select_related("author"), _map(values, "FILTER"),
                             COMMENT_FIELDS)  # fmt: skip
    return [comment_row(comment) for comment in _ordered(queryset, values.get("ORDER"), COMMENT_FIELDS)]


@method("task.commentitem.get", "task")
def comment_get(call: Call) -> dict[str, Any]:
    return comment_row(_comment(call, arguments(call, "TASKID", "ITEMID")))


@method("task.commentitem.update", "task")
def comment_update(call: Call) -> bool:
    """(TASKID, ITEMID, FIELDS{POST_MESSAGE}); only the author changes his comment."""
    values = arguments(call, "TASKID", "ITEMID", "FIELDS")
    comments.update_comment(_comment(call, values), by=call.user, text=str(_map(values, "FIELDS").get("POST_MESSAGE")
                                                                           or ""))  # fmt: skip
    return True


@method("task.commentitem.delete", "task")
def comment_delete(call: Call) -> bool:
    comments.delete_comment(_comment(call, arguments(call, "TASKID", "ITEMID")), by=call.user)
    return True


# ---- checklist --------------------------------------------------------------------------------------------

CHECKLIST_FIELDS = {
    "ID": Field(path="pk", type=FieldType.INTEGER),
    "PARENT_ID": Field(path="parent_id", type=FieldType.INTEGER, zero_is_empty=True),
    "TITLE": Field(path="title"),
    "SORT_INDEX": Field(path="sort_index", type=FieldType.INTEGER),
    "IS_COMPLETE": Field(path="is_complete", type=FieldType.BOOLEAN),
    "CREATED_BY": Field(path="created_by_id", type=FieldType.INTEGER),
}


def checklist_row(item: ChecklistItem) -> dict[str, Any]:
    responsible = item.responsible
    members = [{"ID": str(responsible.pk), "TYPE": "A", "NAME": responsible.full_name}] if responsible else []
    return {
        "ID": str(item.pk), "TASK_ID": str(item.task_id), "PARENT_ID": str(item.parent_id or 0),
        "CREATED_BY": link(item.created_by_id), "TITLE": item.title, "SORT_INDEX": str(item.sort_index),
        "IS_COMPLETE": flag(item.is_complete), "IS_IMPORTANT": "N", "TOGGLED_BY": link(item.toggled_by_id),
        "TOGGLED_DATE": "", "MEMBERS": members, "ATTACHMENTS": [],
    }  # fmt: skip


def _item(call: Call, values: Mapping[str, Any]) -> ChecklistItem:
    task = _task(call, values)
    found = task.checklist.select_related("task", "responsible").filter(pk=_required_id(values, "ITEMID")).first()
    if found is None:
        raise NotFound()
    return found


def _sort(item: ChecklistItem, fields: Mapping[str, Any], *, by) -> None:
    if fields.get("SORT_INDEX") not in (None, ""):
        checklist.move_item(item, by=by, position=integer(fields["SORT_INDEX"], "SORT_INDEX"))


@method("task.checklistitem.add", "task")
def checklist_add(call: Call) -> int:
    """(TASKID, FIELDS{TITLE, PARENT_ID, IS_COMPLETE, SORT_INDEX}) → the item's ID. Without PARENT_ID the item goes
    into the task's first checklist."""
    values = arguments(call, "TASKID", "FIELDS")
    task = _task(call, values)
    fields = _map(values, "FIELDS")
    parent_id = integer(fields.get("PARENT_ID") or 0, "PARENT_ID")
    group = None
    if parent_id:
        group = task.checklist.filter(pk=parent_id).first()
        if group is None:
            raise Invalid("UNKNOWN_GROUP", "PARENT_ID", "There is no such checklist item in the task.")
    item = checklist.add_item(task, by=call.user, title=str(fields.get("TITLE") or ""), group=group,
                              is_complete=read_flag(fields.get("IS_COMPLETE")))  # fmt: skip
    _sort(item, fields, by=call.user)
    return item.pk


@method("task.checklistitem.getlist", "task")
def checklist_list(call: Call) -> list[dict[str, Any]]:
    """(TASKID, ORDER) → every item, the checklists themselves (PARENT_ID 0) included."""
    values = arguments(call, "TASKID", "ORDER")
    queryset = _task(call, values).checklist.select_related("responsible")
    return [checklist_row(item) for item in _ordered(queryset, values.get("ORDER"), CHECKLIST_FIELDS)]


@method("task.checklistitem.get", "task")
def checklist_get(call: Call) -> dict[str, Any]:
    return checklist_row(_item(call, arguments(call, "TASKID", "ITEMID")))


@method("task.checklistitem.update", "task")
def checklist_update(call: Call) -> bool:
    """(TASKID, ITEMID, FIELDS{TITLE, IS_COMPLETE, SORT_INDEX})."""
    values = arguments(call, "TASKID", "ITEMID", "FIELDS")
    item = _item(call, values)
    fields = _map(values, "FIELDS")
    update = {}
    if "TITLE" in fields:
        update["title"] = str(fields["TITLE"] or "")
    if "IS_COMPLETE" in fields:
        update["is_complete"] = read_flag(fields["IS_COMPLETE"])
    if update:
        item = checklist.update_item(item, by=call.user, **update)
    _sort(item, fields, by=call.user)
    return True


@method("task.checklistitem.delete", "task")
def checklist_delete(call: Call) -> bool:
    checklist.delete_item(_item(call, arguments(call, "TASKID", "ITEMID")), by=call.user)
    return True


@method("task.checklistitem.complete", "task")
def checklist_complete(call: Call) -> bool:
    checklist.toggle_item(_item(call, arguments(call, "TASKID", "ITEMID")), by=call.user, done=True)
    return True


@method("task.checklistitem.renew", "task")
def checklist_renew(call: Call) -> bool:
    checklist.toggle_item(_item(call, arguments(call, "TASKID", "ITEMID")), by=call.user, done=False)
    return True


# ---- time spent -------------------------------------------------------------------------------------------

ELAPSED_FIELDS = {
    "ID": Field(path="pk", type=FieldType.INTEGER),
    "TASK_ID": Field(path="task_id", type=FieldType.INTEGER),
    "USER_ID": Field(path="user_id", type=FieldType.INTEGER),
    "SECONDS": Field(path="seconds", type=FieldType.INTEGER),
    "CREATED_DATE": Field(path="created_at", type=FieldType.DATETIME),
    "DATE_START": Field(path="started_at", type=FieldType.DATETIME),
    "DATE_STOP": Field(path="stopped_at", type=FieldType.DATETIME),
}
PAGE_SIZE = 50


def elapsed_row(entry: TimeEntry) -> dict[str, Any]:
    seconds = entry.elapsed()
    return {
        "ID": str(entry.pk), "TASK_ID": str(entry.task_id), "USER_ID": str(entry.user_id),
        "COMMENT_TEXT": entry.comment, "SECONDS": str(seconds), "MINUTES": str(seconds // 60),
        "SOURCE": "2" if entry.source == TimeSource.MANUAL else "3", "CREATED_DATE": moment(entry.created_at),
        "DATE_START": moment(entry.started_at), "DATE_STOP": moment(entry.stopped_at),
    }  # fmt: skip


def _entry(call: Call, values: Mapping[str, Any]) -> TimeEntry:
    task = _task(call, values)
    found = task.time_entries.select_related("task").filter(pk=_required_id(values, "ITEMID")).first()
    if found is None:
        raise NotFound()
    return found


@method("task.elapseditem.add", "task")
def elapsed_add(call: Call) -> int:
    """(TASKID, ARFIELDS{SECONDS, COMMENT_TEXT, USER_ID = the caller, CREATED_DATE}) → the record's ID."""
    values = arguments(call, "TASKID", "ARFIELDS")
    fields = _map(values, "ARFIELDS")
    _not_self(call, fields.get("USER_ID"), "USER_ID")
    if fields.get("SECONDS") in (None, ""):
        raise RestError("ERROR_CORE", "SECONDS is required.")
    if not str(fields.get("COMMENT_TEXT") or "").strip():
        raise RestError("ERROR_CORE", "COMMENT_TEXT is required.")
    started = read_when(fields.get("CREATED_DATE"), "CREATED_DATE")
    entry = timing.add_time(_task(call, values), by=call.user, seconds=integer(fields["SECONDS"], "SECONDS"),
                            comment=str(fields["COMMENT_TEXT"]), started_at=started)  # fmt: skip
    return entry.pk


@method("task.elapseditem.getlist", "task")
def elapsed_list(call: Call) -> ListResult:
    """([TASKID,] ORDER, FILTER, SELECT, PARAMS{NAV_PARAMS{nPageSize, iNumPage}}): without TASKID, the time spent on
    every task the caller may see."""
    first = call.params.get("0")
    with_task = "TASKID" in call.params or not isinstance(first, Mapping | list)
    names = ("TASKID", "ORDER", "FILTER", "SELECT", "PARAMS") if with_task else ("ORDER", "FILTER", "SELECT", "PARAMS")
    values = arguments(call, *names)
    if with_task:
        queryset = _task(call, values).time_entries.all()
    else:
        queryset = TimeEntry.objects.filter(task__in=selectors.visible_tasks(call.user).values("pk"))
    queryset = _ordered(filters.apply(queryset, _map(values, "FILTER"), ELAPSED_FIELDS), values.get("ORDER"),
                        ELAPSED_FIELDS)  # fmt: skip
    navigation = {str(key).lower(): value for key, value in _map(_map(values, "PARAMS"), "NAV_PARAMS").items()}
    size = max(1, min(PAGE_SIZE, integer(navigation.get("npagesize") or PAGE_SIZE, "nPageSize")))
    number = max(1, integer(navigation.get("inumpage") or 1, "iNumPage"))
    total = queryset.count()
    start = (number - 1) * size
    rows = [elapsed_row(entry) for entry in queryset[start : start + size]]
    following = start + len(rows)
    return ListResult(rows, total=total, next=following if following < total else None)


@method("task.elapseditem.get", "task")
def elapsed_get(call: Call) -> dict[str, Any]:
    return elapsed_row(_entry(call, arguments(call, "TASKID", "ITEMID")))


@method("task.elapseditem.update", "task")
def elapsed_update(call: Call) -> bool:
    """(TASKID, ITEMID, ARFIELDS{SECONDS, COMMENT_TEXT})."""
    values = arguments(call, "TASKID", "ITEMID", "ARFIELDS")
    entry = _entry(call, values)
    fields = _map(values, "ARFIELDS")
    seconds = integer(fields["SECONDS"], "SECONDS") if fields.get("SECONDS") not in (None, "") else None
    comment = str(fields["COMMENT_TEXT"]) if fields.get("COMMENT_TEXT") is not None else None
    timing.update_time(entry, by=call.user, seconds=seconds, comment=comment)
    return True


@method("task.elapseditem.delete", "task")
def elapsed_delete(call: Call) -> bool:
    timing.delete_time(_entry(call, arguments(call, "TASKID", "ITEMID")), by=call.user)
    return True
