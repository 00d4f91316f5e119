"""What service tasks call: the robots' action library on CRM documents, plus a few process operations.

A service task names an operator (`<spiffworkflow:serviceTaskOperator id="create_task">`) with parameters whose
values are expressions (already evaluated when they arrive here). Operators run as the template's author, like
robots; an author who is gone or deactivated makes the step fail visibly. Each returns {"result": text}.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kontora.accounts.models import User
from kontora.automation import actions
from kontora.automation.processes import documents
from kontora.automation.processes.models import ProcessInstance
from kontora.core.errors import Invalid
from kontora.core.registry import registry
from kontora.crm.models import Deal, Lead
from kontora.events import history, notifications


def _author(instance: ProcessInstance) -> User:
    author = User.objects.filter(pk=instance.template.created_by_id, is_active=True).first()
    if author is None:
        raise PermissionError(gettext("the process template's author is no longer an active employee"))
    return author


def _user(value: Any, instance: ProcessInstance) -> User:
    if value in (None, "", "starter"):
        return instance.started_by
    user = User.objects.filter(pk=int(value), is_active=True).first() if str(value).isdigit() else None
    user = user or User.objects.filter(username=str(value), is_active=True).first()
    if user is None:
        raise Invalid("UNKNOWN_USER", "user", gettext("There is no such active employee."))
    return user


def _date(value: Any, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Invalid("BAD_DATE", field, gettext("“%(value)s” is not a date.") % {"value": value}) from None


def add_absence(instance: ProcessInstance, document, params: dict, data: dict) -> str:
    """Put the requester (or `user`) on the absence chart from `start` to `end` (vacation unless `kind` says)."""
    from kontora.timeman.services import add_absence as add

    absence = add(
        _user(params.get("user"), instance), _date(params.get("start"), "start"), _date(params.get("end"), "end"),
        params.get("kind") or "vacation", by=None, note=str(params.get("note") or instance.name),
        source=f"process:{instance.pk}",
    )  # fmt: skip
    return gettext("Absence added: %(start)s – %(end)s") % {"start": absence.start, "end": absence.end}


def notify_users(instance: ProcessInstance, document, params: dict, data: dict) -> str:
    """Tell `users` (logins or ids, comma separated; "starter" for the requester) the `text`."""
    names = [item.strip() for item in str(params.get("users") or "starter").split(",") if item.strip()]
    people = {_user(name, instance) for name in names}
    for person in people:
        notifications.notify(person, str(params.get("text") or instance.name), link=documents.url(document))
    return gettext("Notified: %(names)s") % {"names": ", ".join(sorted(p.username for p in people))}


def create_task(instance: ProcessInstance, document, params: dict, data: dict) -> str:
    """A task for `responsible` (default: the requester) with `title`, `description`, deadline in `days`."""
    from kontora.tasks.services.tasks import create_task as create

    days = params.get("days")
    task = create(
        by=_author(instance), title=str(params.get("title") or instance.name),
        description=str(params.get("description") or ""), responsible=_user(params.get("responsible"), instance),
        deadline=timezone.now() + timezone.timedelta(days=float(days)) if days not in (None, "") else None,
    )  # fmt: skip
    return gettext("Task #%(id)s created") % {"id": task.pk}


OPERATORS: dict[str, tuple[Any, Callable[..., str]]] = {
    "add_absence": (_("Add an absence to the chart"), add_absence),
    "notify_users": (_("Notify employees"), notify_users),
    "create_personal_task": (_("Create a task"), create_task),
}


def run(instance: ProcessInstance, document, operation: str, params: dict, data: dict) -> dict:
    """Run one service task's operator; a robot action runs on the document when it is a deal or a lead."""
    if document is None:
        raise Invalid("NO_DOCUMENT", "document", gettext("The process's document no longer exists."))
    if operation in OPERATORS:
        return {"result": OPERATORS[operation][1](instance, document, params, data)}
    if operation in registry.items("robot_actions"):
        if not isinstance(document, Deal | Lead):
            raise Invalid(
                "WRONG_DOCUMENT", "operator",
                gettext("The action “%(action)s” runs only on deals and leads.") % {"action": operation},
            )  # fmt: skip
        text = actions.get(operation).run(document, {k: _text(v) for k, v in params.items()}, actor=_author(instance))
        return {"result": str(text)}
    raise Invalid("UNKNOWN_OPERATOR", "operator", gettext("Unknown action “%(action)s”.") % {"action": operation})


def _text(value: Any) -> Any:
    return value if isinstance(value, list | dict | bool) or value is None else str(value)


def choices() -> list[tuple[str, str]]:
    """Every operator a service task may name: the process operations and the robot actions."""
    items = [(key, str(label)) for key, (label, _run) in OPERATORS.items()]
    items += [(key, str(action.label)) for key, action in registry.items("robot_actions").items()]
    return items


def timeline(instance: ProcessInstance, text: str, *, by=None) -> None:
    """A line on the CRM record's history for the process (started, decided, completed)."""
    document = documents.load(instance.document_type, instance.document_id)
    if isinstance(document, models.Model) and instance.document_type in documents.CRM_MODELS:
        history.record(
            document, by=by, action="robot", changes={"process": [None, instance.name], "result": [None, text]}
        )


def on_finished(instance: ProcessInstance, data: dict) -> None:
    timeline(instance, gettext("completed"))
