"""The action library robots (and process service tasks) run: each calls only domain services.

`actions.get(key).run(record, params, actor=user)` runs one on a deal or lead and returns a result text (an
`Outcome`, a `str`, when it asks a robot's chain to wait). An action runs as the robot's author (an administrator
when the robot was added), so the permission gate applies as to any person; a robot whose author is gone or
deactivated fails with that error.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kontora.automation.actions.basic import (
    add_comment,
    change_responsible,
    change_stage,
    create_task,
    notify,
    plan_activity,
    set_fields,
    settable,
    webhook,
)
from kontora.automation.actions.common import Outcome
from kontora.automation.actions.messages import client_email, send_email
from kontora.automation.actions.records_flow import convert_lead, create_deal
from kontora.automation.actions.waiting import request_fields, wait_for_task
from kontora.core.errors import Invalid
from kontora.core.registry import registry

__all__ = [
    "ACTIONS", "Action", "Outcome", "add_comment", "change_responsible", "change_stage", "client_email",
    "convert_lead", "create_deal", "create_task", "get", "notify", "plan_activity", "register", "request_fields",
    "send_email", "set_fields", "settable", "wait_for_task", "webhook",
]  # fmt: skip


@dataclass(frozen=True)
class Action:
    """One action: its key, label, parameters as (name, label, type), and `run(record, params, *, actor) -> str`.

    Parameter types (the value kept in `params`):
    string, text (may hold `{{FIELD}}` placeholders) · integer · boolean · url · lines (a list of texts, or one
    text with one item per line) · unit ("minutes", "hours", "days") · user_or_record (a user id, or "responsible"
    for the record's responsible) · users (a list of user ids) · activity_type (crm ActivityType) · stage (a stage
    code of the robot's pipeline, or a lead status code) · deal_stage (a stage code of any deal pipeline: "NEW",
    "C2:NEW") · category (a deal pipeline id) · distribution ("fixed", "in_turn", "least_load") · field_values
    ({EXTERNAL_NAME: text}) · field_names (a list of external field names, or one per line).
    """

    key: str
    label: Any  # a lazy translation
    params: tuple[tuple[str, Any, str], ...]
    run: Callable[..., str]


def get(key: str) -> Action:
    try:
        return registry.get("robot_actions", key)
    except KeyError:
        raise Invalid("UNKNOWN_ACTION", "action", gettext("Unknown robot action.")) from None


_TASK_PARAMS = (
    ("title", _("Title"), "string"), ("description", _("Description"), "text"),
    ("responsible", _("Responsible"), "user_or_record"), ("deadline_amount", _("Deadline in"), "integer"),
    ("deadline_unit", _("Unit"), "unit"),
)  # fmt: skip

ACTIONS = (
    Action("create_task", _("Create a task"), (*_TASK_PARAMS, ("checklist", _("Checklist"), "lines")), create_task),
    Action("plan_activity", _("Plan an activity"), (
        ("subject", _("Subject"), "string"), ("type_id", _("Type"), "activity_type"),
        ("description", _("Description"), "text"), ("responsible", _("Responsible"), "user_or_record"),
        ("deadline_amount", _("Deadline in"), "integer"), ("deadline_unit", _("Unit"), "unit"),
    ), plan_activity),
    Action("notify", _("Send a notification"), (
        ("message", _("Message"), "text"), ("users", _("Employees"), "users"),
        ("responsible", _("Also the responsible"), "boolean"),
    ), notify),
    Action("change_stage", _("Change the stage"), (("stage", _("Stage"), "stage"),), change_stage),
    Action("change_responsible", _("Change the responsible"), (
        ("mode", _("How to choose"), "distribution"), ("users", _("Employees"), "users"),
    ), change_responsible),
    Action("set_fields", _("Change fields"), (("fields", _("Values"), "field_values"),), set_fields),
    Action("add_comment", _("Add a comment"), (("text", _("Text"), "text"),), add_comment),
    Action("webhook", _("Call a webhook"), (("url", _("Address"), "url"),), webhook),
    Action("send_email", _("Send an email to the client"), (
        ("subject", _("Subject"), "string"), ("body", _("Text"), "text"),
    ), send_email),
    Action("create_deal", _("Create a deal in another pipeline"), (
        ("stage", _("Pipeline and stage"), "deal_stage"), ("title", _("Title"), "string"),
    ), create_deal),
    Action("convert_lead", _("Convert the lead"), (
        ("deal", _("Create a deal"), "boolean"), ("category", _("Pipeline of the deal"), "category"),
        ("contact", _("Create a contact"), "boolean"), ("company", _("Create a company"), "boolean"),
    ), convert_lead),
    Action("wait_for_task", _("Set a task and wait for it"), (
        *_TASK_PARAMS, ("checklist", _("Checklist"), "lines"),
    ), wait_for_task),
    Action("request_fields", _("Ask an employee to fill in fields"), (
        ("fields", _("Fields"), "field_names"), ("responsible", _("Employee"), "user_or_record"),
        ("title", _("Task title"), "string"), ("description", _("Description"), "text"),
        ("deadline_amount", _("Deadline in"), "integer"), ("deadline_unit", _("Unit"), "unit"),
    ), request_fields),
)  # fmt: skip


def register() -> None:
    for action in ACTIONS:
        registry.register("robot_actions", action.key, action)
