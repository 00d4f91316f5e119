"""Actions that hold the robot's chain: wait for a task to be completed, ask an employee to fill in fields.

They return an `Outcome` whose `hold` the robot's run keeps (`RobotRun.holding`); the runs marked "after the
previous" start when the task is completed or, for fields, when every field is filled in on the record.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kontora.accounts.models import User
from kontora.automation import records
from kontora.automation.actions.common import Outcome, lines, person, span
from kontora.core.errors import Invalid
from kontora.crm import schema
from kontora.crm.cards import record_url
from kontora.crm.models import CrmRecord


def _task(record: CrmRecord, params: dict, *, actor: User, title: str, description: str, checklist: list[str]):
    from kontora.tasks.services import checklist as checklists
    from kontora.tasks.services.tasks import create_task

    deadline = span(params, "deadline")
    with transaction.atomic():
        task = create_task(
            by=actor, title=title, description=description, responsible=person(params.get("responsible"), record),
            deadline=timezone.now() + deadline if deadline else None, crm=[records.code(record)],
        )  # fmt: skip
        for line in checklist:
            checklists.add_item(task, by=actor, title=line)
    return task


def wait_for_task(record: CrmRecord, params: dict, *, actor: User) -> str:
    """Set a task (as "create a task" does) and hold the chain until it is completed."""
    task = _task(
        record, params, actor=actor, title=records.substitute(record, params.get("title") or ""),
        description=records.substitute(record, params.get("description") or ""),
        checklist=[records.substitute(record, line) for line in lines(params.get("checklist"))],
    )  # fmt: skip
    return Outcome(gettext("Task #%(id)s set; waiting for it to be completed") % {"id": task.pk}, {"task": task.pk})


def requested_fields(record: CrmRecord, names: Any) -> list[schema.Field]:
    """The single-valued fields named (external names, a list or one per line); unknown ones are Invalid."""
    fields = schema.fields_of(records.entity_of(record))
    chosen = []
    for name in lines(names):
        field = fields.get(name.upper())
        if field is None or field.multiple:
            raise Invalid("UNKNOWN_FIELD", "fields", gettext("There is no such field: %(name)s") % {"name": name})
        chosen.append(field)
    if not chosen:
        raise Invalid("REQUIRED", "fields", gettext("Choose the fields to fill in."))
    return chosen


def is_filled(record: CrmRecord, field: schema.Field) -> bool:
    """Empty is no value, an empty text or list, or a zero amount."""
    value = records.raw_value(record, field)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return value != 0
    return value not in (None, "", [], {})


def request_fields(record: CrmRecord, params: dict, *, actor: User) -> str:
    """Ask an employee to fill in `fields`: a task with a checklist naming them and a link to the record; the chain
    waits until all of them are filled in on the record, or the task is completed."""
    fields = requested_fields(record, params.get("fields"))
    missing = [field for field in fields if not is_filled(record, field)]
    if not missing:
        return gettext("The fields are already filled in")
    labels = [str(field.label) for field in missing]
    title = records.substitute(record, params.get("title") or "").strip() or gettext(
        "Fill in the fields of %(record)s"
    ) % {"record": record.title}
    description = "\n".join([
        records.substitute(record, params.get("description") or ""),
        gettext("Fill in on the card %(url)s: %(fields)s")
        % {"url": record_url(record.entity_type, record.pk), "fields": ", ".join(labels)},
    ]).strip()  # fmt: skip
    task = _task(record, params, actor=actor, title=title, description=description, checklist=labels)
    hold = {"task": task.pk, "fields": [field.name for field in missing]}
    text = gettext("Task #%(id)s set to fill in: %(fields)s") % {"id": task.pk, "fields": ", ".join(labels)}
    return Outcome(text, hold)
