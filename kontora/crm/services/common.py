"""What every CRM service does the same way: check the gate, diff, record history, emit."""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.core.errors import Forbidden, Invalid
from kontora.events import history

EVENT_PREFIX = {"lead": "crm.lead", "deal": "crm.deal", "contact": "crm.contact", "company": "crm.company"}


def scope_for(record: models.Model) -> str:
    """Deals are granted per pipeline: the scope is "category:<id>"."""
    category_id = getattr(record, "category_id", None)
    return f"category:{category_id}" if category_id is not None else ""


def require(by, action: str, record: models.Model) -> None:
    if not access.can(by, action, record, scope=scope_for(record)):
        raise Forbidden()


def still_visible(by, record: models.Model) -> None:
    """After a write the record must still be the writer's to change (no handing it to where they can't see)."""
    if not access.can(by, "update", record, scope=scope_for(record)):
        raise Forbidden(_("After this change the record would be outside what you may edit."))


def apply_changes(record: models.Model, changes: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, list]:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be changed here."))
    before = history.snapshot(record, changes)
    for name, value in changes.items():
        setattr(record, name, value)
    return history.diff(before, history.snapshot(record, changes))


def clean_custom(entity_type: int, fields: dict[str, Any]) -> None:
    """Custom field values (UF_CRM_*) in `fields["custom"]`, typed into the stored format, whoever sends them.

    Values of defined fields are checked and converted, so that REST and imports cannot store what the pages could
    not show; keys without a definition are kept as they are (nothing shows or filters them). Required custom
    fields are enforced by the forms that ask for them.
    """
    if not fields.get("custom"):
        return
    from kontora.crm.custom import definitions, validate_custom

    known = {item.code for item in definitions(entity_type)}
    values = dict(fields["custom"])
    checked = validate_custom(entity_type, {code: values[code] for code in values if code in known}, partial=True)
    fields["custom"] = {**{code: value for code, value in values.items() if code not in known}, **checked}


def relink(record: models.Model, relation: str, targets, diff: dict[str, list]) -> None:
    """Replace a many-to-many link (a deal's contacts, a contact's companies), noting the change in `diff`."""
    if targets is None:
        return
    manager = getattr(record, relation)
    old = sorted(manager.values_list("pk", flat=True))
    manager.set(targets)
    new = sorted(target.pk for target in targets)
    if old != new:
        diff[relation] = [old, new]


def created(record: models.Model, *, by, fields: dict[str, Any]) -> None:
    name = record._meta.model_name
    values = history.snapshot(record, [field for field in fields if field not in {"contacts", "companies"}])
    history.record(record, by=by, action="create", changes={key: [None, value] for key, value in values.items()})
    events.emit(f"{EVENT_PREFIX[name]}.created", record, by=by)


def updated(record: models.Model, *, by, diff: dict[str, list]) -> None:
    if not diff:
        return
    history.record(record, by=by, action="update", changes=diff)
    events.emit(f"{EVENT_PREFIX[record._meta.model_name]}.updated", record, by=by, changes=diff)


def required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid("REQUIRED", field, message)
    return value


def seconds_since(moment) -> int:
    return max(0, int((timezone.now() - moment).total_seconds()))
