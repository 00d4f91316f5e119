"""Ready-to-start templates: invoice approval, outgoing document, vacation, dismissal, cash advance, business trip.

The diagrams live beside this file as `.bpmn` (drawn with element names in English); installing one translates its
element names and messages into the installing language and fills in who the accountant and HR are.
"""

import re
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

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

# The words inside the diagrams, so that they are translated like any other message.
WORDS = [
    N_("Invoice to approve"), N_("Over the threshold?"), N_("Head's approval"), N_("Accountant's approval"),
    N_("Both approved?"), N_("Approved?"), N_("Tell the requester: approved"), N_("Tell the requester: rejected"),
    N_("Invoice approved"), N_("Invoice rejected"), N_("Approved"), N_("Rejected"), N_("Request"),
    N_("HR acknowledges"), N_("Top manager's approval"), N_("Put the vacation on the absence chart"),
    N_("Put the trip on the absence chart"), N_("Vacation approved"), N_("Vacation rejected"),
    N_("Cash advance approved"), N_("Cash advance rejected"), N_("Document approved"), N_("Document rejected"),
    N_("Business trip approved"), N_("Business trip rejected"), N_("Dismissal approved"), N_("Dismissal rejected"),
    N_("Approve the invoice for the deal."), N_("Approve the vacation request."), N_("Approve the cash advance."),
    N_("Approve the outgoing document."), N_("Approve the business trip."), N_("Approve the dismissal."),
    N_("Invoice approval"), N_("Vacation request"), N_("Cash-advance request"), N_("Outgoing document approval"),
    N_("Business trip"), N_("Dismissal request"),
]  # fmt: skip
_KNOWN = set(WORDS)
_NAME = re.compile(r'(name=")([^"]*)(")')
_TEXT = re.compile(r'(value="&quot;)([^&]*)(&quot;")')
_DOC = re.compile(r"(<bpmn:documentation>)([^<]*)(</bpmn:documentation>)")


def _translate(match: re.Match) -> str:
    text = unescape(match.group(2), {"&quot;": '"'})
    translated = gettext(text) if text in _KNOWN else text
    return match.group(1) + escape(translated, {'"': "&quot;"}) + match.group(3)


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
