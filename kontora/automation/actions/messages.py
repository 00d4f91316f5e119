"""Writing to the client: an email from a template, sent through Django's mail backend and kept on the timeline."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext

from kontora.accounts.models import User
from kontora.automation import records
from kontora.automation.actions.common import crm_services
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.cards import can
from kontora.crm.choices import ActivityType, Direction, EntityType, MultiFieldType
from kontora.crm.models import CrmRecord, Lead, MultiField


def client_email(record: CrmRecord) -> str | None:
    """The client's address: a lead's own first email, else its contact's or company's; a deal's contacts' (in the
    order they were linked), else its company's."""
    if isinstance(record, Lead):
        owners = [(EntityType.LEAD, record.pk), (EntityType.CONTACT, record.contact_id)]
    else:
        owners = [(EntityType.CONTACT, pk) for pk in record.contacts.order_by("id").values_list("pk", flat=True)]
    owners.append((EntityType.COMPANY, record.company_id))
    for entity_type, pk in owners:
        if pk is None:
            continue
        value = (
            MultiField.objects.filter(entity_type=entity_type, entity_id=pk, type_id=MultiFieldType.EMAIL)
            .order_by("id")
            .values_list("value", flat=True)
            .first()
        )
        if value:
            return value
    return None


def send_email(record: CrmRecord, params: dict, *, actor: User) -> str:
    """Send `subject` and `body` (with `{{FIELD}}` placeholders) to the client and log it as a done outgoing email
    activity on the record; replies go to the robot's author. Fails when the client has no email.

    A robot's run commits the activity with its own "done" mark, so a run killed mid-way leaves no activity and is
    run again; the mail itself may then go out twice."""
    subject = records.substitute(record, params.get("subject") or "").strip()
    body = records.substitute(record, params.get("body") or "")
    if not subject:
        raise Invalid("REQUIRED", "subject", gettext("Write the subject of the email."))
    address = client_email(record)
    if not address:
        raise Invalid("NO_EMAIL", "to", gettext("The client has no email address."))
    if not can(actor, "update", record):
        raise Forbidden()
    message = EmailMessage(
        subject, body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address],
        reply_to=[actor.email] if actor.email else None,
    )  # fmt: skip
    message.send()  # before any write: a slow mail server holds no database lock
    services = crm_services()
    activity = services.plan_activity(
        record, by=actor, subject=subject[:255], type_id=ActivityType.EMAIL, description=body,
        direction=Direction.OUTGOING,
    )  # fmt: skip
    services.complete_activity(activity, by=actor)
    return gettext("Email sent to %(address)s (activity #%(id)s)") % {"address": address, "id": activity.pk}
