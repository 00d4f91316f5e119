"""The lists every company starts with, under stable codes that business processes bind to."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kontora.lists import services
from kontora.lists.models import FieldType, UniversalList

VACATION = "vacation"
CASH = "cash"
OUTGOING_DOCUMENTS = "outgoing_documents"
BUSINESS_TRIP = "business_trip"
DISMISSAL = "dismissal"


def _specs() -> list[dict]:
    return [
        {"code": VACATION, "name": _("Vacation requests"), "description": _("Ask for a vacation or a day off."),
         "fields": [
             {"code": "start", "name": _("First day"), "type": FieldType.DATE, "required": True},
             {"code": "end", "name": _("Last day"), "type": FieldType.DATE, "required": True},
             {"code": "kind", "name": _("Kind of leave"), "type": FieldType.SELECT, "required": True,
              "options": [_("Annual vacation"), _("Unpaid leave"), _("Day off"), _("Study leave")],
              "default": _("Annual vacation")},
             {"code": "comment", "name": _("Comment"), "type": FieldType.TEXT},
         ]},
        {"code": CASH, "name": _("Cash requests"), "description": _("Ask the accounting department for money."),
         "fields": [
             {"code": "amount", "name": _("Amount"), "type": FieldType.NUMBER, "required": True},
             {"code": "purpose", "name": _("Purpose"), "type": FieldType.TEXT, "required": True},
             {"code": "needed_on", "name": _("Needed by"), "type": FieldType.DATE},
         ]},
        {"code": OUTGOING_DOCUMENTS, "name": _("Outgoing documents"),
         "description": _("Letters and documents the company sends out."),
         "fields": [
             {"code": "title", "name": _("Document title"), "type": FieldType.STRING, "required": True},
             {"code": "recipient", "name": _("Recipient"), "type": FieldType.STRING, "required": True},
             {"code": "file", "name": _("File"), "type": FieldType.FILE},
             {"code": "comment", "name": _("Comment"), "type": FieldType.TEXT},
         ]},
        {"code": BUSINESS_TRIP, "name": _("Business trips"), "description": _("Ask to go on a business trip."),
         "fields": [
             {"code": "destination", "name": _("Destination"), "type": FieldType.STRING, "required": True},
             {"code": "start", "name": _("First day"), "type": FieldType.DATE, "required": True},
             {"code": "end", "name": _("Last day"), "type": FieldType.DATE, "required": True},
             {"code": "purpose", "name": _("Purpose"), "type": FieldType.TEXT, "required": True},
             {"code": "budget", "name": _("Budget"), "type": FieldType.NUMBER},
         ]},
        {"code": DISMISSAL, "name": _("Dismissal requests"), "description": _("Start the dismissal of an employee."),
         "fields": [
             {"code": "employee", "name": _("Employee"), "type": FieldType.USER, "required": True},
             {"code": "last_day", "name": _("Last working day"), "type": FieldType.DATE, "required": True},
             {"code": "reason", "name": _("Reason"), "type": FieldType.TEXT},
         ]},
    ]  # fmt: skip


def ensure_builtin_lists() -> dict[str, UniversalList]:
    """Create the built-in lists and any of their fields that are missing (named in the company's language).

    Idempotent: lists and fields that exist are left as the administrators changed them.
    """
    found: dict[str, UniversalList] = {}
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for sort, spec in enumerate(_specs(), start=1):
            lst = UniversalList.objects.filter(code=spec["code"]).first()
            if lst is None:
                lst = services.create_list(by=None, code=spec["code"], name=spec["name"],
                                           description=spec["description"], sort=sort * 10)  # fmt: skip
            existing = set(lst.fields.values_list("code", flat=True))
            for number, field in enumerate(spec["fields"], start=1):
                if field["code"] not in existing:
                    services.add_field(lst, by=None, sort=number * 10, **field)
            found[spec["code"]] = lst
    return found
