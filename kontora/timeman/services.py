"""Writes about absences: adding and removing them, checked by the gate, with history and events."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core.errors import Forbidden, Invalid
from kontora.events import history
from kontora.timeman.models import Absence, AbsenceKind

FIELDS = ("user", "kind", "start", "end", "note", "source")


def add_absence(
    user: User, start: date, end: date, kind: str = AbsenceKind.VACATION, *, by: User | None, note: str = "",
    source: str = "",
) -> Absence:  # fmt: skip
    """Put an absence on the chart. `by=None` is the system (a business process); people need the gate's "add"."""
    absence = Absence(user=user, kind=kind, start=start, end=end, note=note.strip(), source=source, created_by=by)
    if by is not None and not access.can(by, "add", absence):
        raise Forbidden()
    if kind not in AbsenceKind.values:
        raise Invalid("INVALID_KIND", "kind", _("Choose a kind of absence."))
    if not isinstance(start, date) or not isinstance(end, date):
        raise Invalid("REQUIRED", "start" if not isinstance(start, date) else "end", _("Enter the dates."))
    if end < start:
        raise Invalid("INVALID_PERIOD", "end", _("The last day cannot be before the first one."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one writer per person: no double booking
        clash = Absence.objects.filter(user=user, start__lte=end, end__gte=start).first()
        if clash is not None:
            raise Invalid("OVERLAP", "start", _("%(name)s is already away on these dates: %(absence)s.") % {
                "name": user.full_name, "absence": str(clash),
            })  # fmt: skip
        absence.save()
        history.record(absence, by=by, action="create", changes={
            name: [None, value] for name, value in history.snapshot(absence, FIELDS).items()
        })  # fmt: skip
        events.emit("timeman.absence.created", absence, by=by, user_id=user.pk, kind=kind, start=start, end=end)
    return absence


def delete_absence(absence: Absence, *, by: User | None) -> None:
    if by is not None and not access.can(by, "delete", absence):
        raise Forbidden()
    with transaction.atomic():
        data = {"user_id": absence.user_id, "kind": absence.kind, "start": absence.start, "end": absence.end}
        history.record(absence, by=by, action="delete")
        events.emit("timeman.absence.deleted", absence, by=by, **data)
        absence.delete()
