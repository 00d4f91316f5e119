"""Tasks REST methods: tasks.task.* (camelCase, string values, wrapped in {"task": …}); the legacy positional
task.commentitem.*, task.checklistitem.* and task.elapseditem.* live in `rest_items`."""

from typing import Any

from kontora.core import filters
from kontora.core.errors import NotFound
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.runner import page
from kontora.tasks import rest_format, selectors
from kontora.tasks.choices import Status
from kontora.tasks.models import Task
from kontora.tasks.services import status as status_service
from kontora.tasks.services import tasks as task_service

_ID_NAMES = ("taskId", "id", "TASK_ID")


def task_id(call: Call, names: tuple[str, ...] = _ID_NAMES) -> int:
    for name in names:
        value = call.params.get(name)
        if value not in (None, ""):
            try:
                return int(str(value).strip())
            except ValueError:
                break
    raise RestError("ERROR_CORE", "Wrong task ID.")


def found_task(call: Call, pk: int) -> Task:
    """A task the caller may see (missing and forbidden look the same)."""
    task = selectors.get_task(call.user, pk)
    if task is None:
        raise NotFound()
    return task


def answer(call: Call, pk: int) -> dict[str, Any]:
    """{"task": {…}} as the caller sees the task now."""
    task = rest_format.annotated(selectors.visible_tasks(call.user).filter(pk=pk), call.user).first()
    if task is None:
        raise NotFound()
    return {"task": rest_format.select(rest_format.full(task), call.params.list("select"))}


def _write(call: Call, task: Task | None, fields: dict[str, Any]) -> Task:
    values = rest_format.changes(fields, caller=call.user)
    people = {name: values.pop(name) for name in ("accomplices", "auditors", "crm") if name in values}
    if task is None:
        if not str(values.get("title") or "").strip():
            raise RestError("ERROR_CORE", "TITLE: the task's name is required.")
        if "responsible" not in values:
            raise RestError("ERROR_CORE", "RESPONSIBLE_ID: the assignee is required.")
        return task_service.create_task(by=call.user, **people, **values)
    if values or people:
        task = task_service.update_task(task, by=call.user, **people, **values)
    target = rest_format.upper_keys(fields).get("STATUS")
    if target not in (None, ""):
        action = _status_action(task, rest_format.integer(target, "STATUS"))
        if action:
            task = status_service.change_status(task, action, by=call.user)
    return task


def _status_action(task: Task, target: int) -> str | None:
    """The status machine's move that brings the task to `target` (STATUS set through tasks.task.update)."""
    current = task.status
    if target == current:
        return None
    if current == Status.AWAITING_CONTROL:
        moves = {Status.COMPLETED: "approve", Status.IN_PROGRESS: "disapprove", Status.PENDING: "disapprove"}
    elif current in (Status.COMPLETED, Status.DECLINED):
        moves = {Status.PENDING: "renew", Status.NEW: "renew", Status.IN_PROGRESS: "renew"}
    else:
        moves = {Status.IN_PROGRESS: "start", Status.PENDING: "pause" if current == Status.IN_PROGRESS else "renew",
                 Status.COMPLETED: "complete", Status.DEFERRED: "defer", Status.DECLINED: "decline"}  # fmt: skip
    action = moves.get(target)
    if action is None:
        raise RestError("ERROR_CORE", f"STATUS: the task cannot move from {current} to {target}.")
    return action


@method("tasks.task.add", "task")
def task_add(call: Call) -> dict[str, Any]:
    """Create a task: fields{TITLE, RESPONSIBLE_ID required, …}."""
    task = _write(call, None, call.params.map("fields"))
    return answer(call, task.pk)


@method("tasks.task.update", "task")
def task_update(call: Call) -> dict[str, Any]:
    """Change a task: taskId, fields{…}; STATUS moves it through the status machine."""
    task = _write(call, found_task(call, task_id(call)), call.params.map("fields"))
    return answer(call, task.pk)


@method("tasks.task.get", "task")
def task_get(call: Call) -> dict[str, Any]:
    """One task: taskId, select[]."""
    return answer(call, task_id(call))


@method("tasks.task.list", "task")
def task_list(call: Call) -> ListResult:
    """Tasks the caller may see: filter (STATUS is subStatus, REAL_STATUS the status), order, select, start."""
    user = call.user
    plain, sub, roles = rest_format.split_filter(call.params.map("filter"))
    queryset = rest_format.annotated(selectors.visible_tasks(user), user)
    queryset = rest_format.member_filter(filters.apply(queryset, plain, rest_format.FIELDS), roles)
    if sub:  # apart: a condition on a to-many field turns the rest into a subquery, which has no subStatus
        queryset = filters.apply(queryset, sub, {"STATUS": rest_format.FIELDS["STATUS"]})
    queryset = queryset.order_by(*filters.ordering(call.params.map("order"), rest_format.FIELDS), "pk")
    names = call.params.list("select")
    found = page(queryset, call, lambda task: rest_format.select(rest_format.full(task), names),
                 round_start=False)  # fmt: skip
    return ListResult({"tasks": found.result}, found.total, found.next)


@method("tasks.task.delete", "task")
def task_delete(call: Call) -> dict[str, bool]:
    task_service.delete_task(found_task(call, task_id(call)), by=call.user)
    return {"task": True}


@method("tasks.task.delegate", "task")
def task_delegate(call: Call) -> dict[str, Any]:
    """Hand the task to another assignee: taskId, userId (needs the right to change the task)."""
    task = found_task(call, task_id(call))
    user_id = call.params.get("userId")
    if user_id in (None, ""):
        raise RestError("ERROR_CORE", "userId: the new assignee is required.")
    task_service.update_task(task, by=call.user, responsible=rest_format.integer(user_id, "userId"))
    return answer(call, task.pk)


def _move(action: str):
    def handler(call: Call) -> dict[str, Any]:
        task = status_service.change_status(found_task(call, task_id(call)), action, by=call.user)
        return answer(call, task.pk)

    handler.__doc__ = f"The status machine's '{action}' move: taskId."
    return handler


for _action in ("start", "pause", "complete", "approve", "disapprove", "defer", "renew"):
    method(f"tasks.task.{_action}", "task")(_move(_action))


@method("tasks.task.getFields", "task")
def task_fields(call: Call) -> dict[str, Any]:
    return rest_format.describe_fields()


from kontora.tasks import rest_items  # noqa: E402, F401  the legacy positional methods register on import
