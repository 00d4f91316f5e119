"""Ready-to-start templates: invoice approval, outgoing document, vacation, dismissal, cash advance, business trip.

The diagrams live beside this file as `.bpmn` (drawn with element names in English); installing one translates its
element names and messages into the installing language and fills in who the accountant and HR are.
"""

import html
import re
from pathlib import Path
from xml.sax.saxutils import escape

from django.db import transaction
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from kontora.automation.processes import services
from kontora.automation.processes.models import ProcessTemplate

HERE = Path(__file__).resolve().parent / "builtin"

# (code, document type, list code, name, description, start on creation)
TEMPLATES = [
    ("invoice_approval", "deal", "", _("Invoice approval"),
     _("The head approves the invoice; over 500,000 the accountant approves it too, in parallel."), False),
    ("outgoing_document", "list", "outgoing_documents", _("Outgoing document approval"),
     _("The head approves a document before it is sent."), True),
    ("vacation_request", "list", "vacation", _("Vacation request"),
     _("The head approves, HR acknowledges, the vacation appears on the absence chart."), True),
    ("dismissal_request", "list", "dismissal", _("Dismissal request"),
     _("The head and the head's head approve a dismissal."), True),
    ("cash_request", "list", "cash", _("Cash-advance request"),
     _("The head and the accountant approve a cash advance."), True),
    ("business_trip", "list", "business_trip", _("Business trip"),
     _("The head and the accountant approve a trip; it appears on the absence chart."), True),
]  # fmt: skip

# The words inside the diagrams, so that they are translated like any other message (makemessages knows
# `gettext_noop` by its name only).
WORDS = [
    gettext_noop("Invoice to approve"), gettext_noop("Over the threshold?"), gettext_noop("Head's approval"),
    gettext_noop("Accountant's approval"), gettext_noop("Both approved?"), gettext_noop("Approved?"),
    gettext_noop("Tell the requester: approved"), gettext_noop("Tell the requester: rejected"),
    gettext_noop("Invoice approved"), gettext_noop("Invoice rejected"), gettext_noop("Approved"),
    gettext_noop("Rejected"), gettext_noop("Request"), gettext_noop("HR acknowledges"),
    gettext_noop("Top manager's approval"), gettext_noop("Put the vacation on the absence chart"),
    gettext_noop("Put the trip on the absence chart"), gettext_noop("Vacation approved"),
    gettext_noop("Vacation rejected"), gettext_noop("Cash advance approved"), gettext_noop("Cash advance rejected"),
    gettext_noop("Document approved"), gettext_noop("Document rejected"), gettext_noop("Business trip approved"),
    gettext_noop("Business trip rejected"), gettext_noop("Dismissal approved"), gettext_noop("Dismissal rejected"),
    gettext_noop("Approve the invoice for the deal."), gettext_noop("Approve the vacation request."),
    gettext_noop("Approve the cash advance."), gettext_noop("Approve the outgoing document."),
    gettext_noop("Approve the business trip."), gettext_noop("Approve the dismissal."),
    gettext_noop("Invoice approval"), gettext_noop("Vacation request"), gettext_noop("Cash-advance request"),
    gettext_noop("Outgoing document approval"), gettext_noop("Business trip"), gettext_noop("Dismissal request"),
]  # fmt: skip
_KNOWN = set(WORDS)
_NAME = re.compile(r'(name=")([^"]*)(")')
_TEXT = re.compile(r'(value="(?:&quot;|&#34;))([^&"]*)((?:&quot;|&#34;)")')  # a message: a quoted expression
_DOC = re.compile(r"(<bpmn:documentation>)([^<]*)(</bpmn:documentation>)")


def _translate(match: re.Match) -> str:
    text = html.unescape(match.group(2))  # "Head&#39;s approval" as well as &quot; and &amp;
    translated = gettext(text) if text in _KNOWN else text
    return match.group(1) + escape(translated, {'"': "&quot;", "'": "&#39;"}) + match.group(3)


def diagram(code: str, *, accountant: str, hr: str) -> str:
    """The built-in diagram in the current language, with the accountant's and HR's logins filled in."""
    text = (HERE / f"{code}.bpmn").read_text(encoding="utf-8")
    text = text.replace("{accountant}", accountant).replace("{hr}", hr)
    for pattern in (_NAME, _TEXT, _DOC):
        text = pattern.sub(_translate, text)
    return text


@transaction.atomic
def install(*, by, accountant: str = "", hr: str = "") -> list[ProcessTemplate]:
    """Create the built-in templates that are missing (by code); the accountant and HR default to the installer."""
    installed = []
    for code, document_type, list_code, name, description, on_create in TEMPLATES:
        if ProcessTemplate.objects.filter(code=code).exists():
            continue
        installed.append(
            services.create_template(
                by=by,
                code=code,
                name=str(name),
                description=str(description),
                document_type=document_type,
                list_code=list_code,
                start_on_create=on_create,
                bpmn=diagram(code, accountant=accountant or by.username, hr=hr or by.username),
            )  # fmt: skip
        )
    return installed
