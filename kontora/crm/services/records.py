"""Leads, contacts and companies: create, change, and their phones, emails, websites and messengers."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora.core.errors import Invalid
from kontora.crm.choices import Dictionary, MultiFieldType, Semantics, ValueType
from kontora.crm.communications import normalize
from kontora.crm.models import Company, Contact, CrmRecord, Lead, MultiField, StageHistory, Status
from kontora.crm.services.common import (
    apply_changes,
    clean_custom,
    created,
    relink,
    require,
    required_text,
    seconds_since,
    still_visible,
    updated,
)

LEAD_FIELDS = (
    "title",
    "honorific",
    "first_name",
    "middle_name",
    "last_name",
    "company_title",
    "position",
    "status",
    "source",
    "source_description",
    "amount",
    "currency",
    "address",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "comments",
    "responsible",
    "opened",
    "custom",
)
CONTACT_FIELDS = (
    "honorific",
    "first_name",
    "middle_name",
    "last_name",
    "position",
    "birthdate",
    "contact_type",
    "source",
    "address",
    "comments",
    "responsible",
    "opened",
    "custom",
)
COMPANY_FIELDS = (
    "title",
    "company_type",
    "industry",
    "employees",
    "revenue",
    "currency",
    "address",
    "comments",
    "responsible",
    "opened",
    "custom",
)


def _check_dictionary(value: Status | None, entity_id: str, field: str) -> None:
    if value is not None and value.entity_id != entity_id:
        raise Invalid("WRONG_DICTIONARY", field, _("This value does not belong here."))


def _check_amount(amount) -> None:
    if amount is not None and amount < 0:
        raise Invalid("NEGATIVE_AMOUNT", "amount", _("The amount cannot be negative."))


def _new(model: type[CrmRecord], *, by, fields: dict) -> CrmRecord:
    fields.setdefault("responsible", by)
    clean_custom(model.entity_type, fields)
    record = model(**{name: value for name, value in fields.items() if name not in {"contacts", "companies"}})
    record.created_by = record.modified_by = by
    require(by, "add", record)
    return record


@transaction.atomic
def create_lead(*, by, title: str = "", phones: Iterable = (), emails: Iterable = (), **fields) -> Lead:
    fields["status"] = fields.get("status") or Status.objects.get(entity_id=Dictionary.LEAD_STATUS, status_id="NEW")
    _check_dictionary(fields["status"], Dictionary.LEAD_STATUS, "status")
    _check_dictionary(fields.get("source"), Dictionary.SOURCE, "source")
    _check_amount(fields.get("amount"))
    name = " ".join(fields.get(part, "") for part in ("first_name", "last_name")).strip()
    fields["title"] = (title or "").strip() or name or fields.get("company_title", "")
    required_text(fields["title"], "title", _("Enter the lead's name, the person's name or the company."))
    lead = _new(Lead, by=by, fields=fields)
    lead.status_changed_at = timezone.now()
    lead.save()
    _replace_multifields(lead, phones, emails)
    StageHistory.objects.create(
        entity_type=lead.entity_type,
        entity_id=lead.pk,
        to_stage=lead.status,
        semantics=lead.status.semantics,
        moved_by=by,
        responsible=lead.responsible,
    )
    created(lead, by=by, fields=fields)
    return lead


@transaction.atomic
def update_lead(lead: Lead, *, by, converting: bool = False, **changes) -> Lead:
    """Change a lead. Only conversion (`convert_lead`, which passes `converting=True`) makes it qualified."""
    require(by, "update", lead)
    if "status" in changes and changes["status"] != lead.status:
        _check_dictionary(changes["status"], Dictionary.LEAD_STATUS, "status")
        if lead.status.semantics == Semantics.SUCCESS:
            raise Invalid("ALREADY_CONVERTED", "status", _("A converted lead keeps its status."))
        if changes["status"].semantics == Semantics.SUCCESS and not converting:
            raise Invalid("CONVERT_INSTEAD", "status", _("Convert the lead to qualify it: open it and press Convert."))
        StageHistory.objects.create(
            entity_type=lead.entity_type, entity_id=lead.pk, from_stage=lead.status, to_stage=changes["status"],
            semantics=changes["status"].semantics, moved_by=by, responsible=lead.responsible,
            seconds_in_previous=seconds_since(lead.status_changed_at or lead.created_at),
        )  # fmt: skip
        lead.status_changed_at = timezone.now()
    _check_dictionary(changes.get("source"), Dictionary.SOURCE, "source")
    _check_amount(changes.get("amount"))
    clean_custom(lead.entity_type, changes)
    diff = apply_changes(lead, changes, LEAD_FIELDS)
    lead.modified_by = by
    lead.save()
    still_visible(by, lead)
    updated(lead, by=by, diff=diff)
    return lead


@transaction.atomic
def create_contact(
    *, by, phones: Iterable = (), emails: Iterable = (), companies: Iterable[Company] = (), **fields
) -> Contact:
    if not any((fields.get(part) or "").strip() for part in ("first_name", "middle_name", "last_name")):
        raise Invalid("REQUIRED", "last_name", _("Enter the contact's first or last name."))
    _check_dictionary(fields.get("contact_type"), Dictionary.CONTACT_TYPE, "contact_type")
    _check_dictionary(fields.get("source"), Dictionary.SOURCE, "source")
    contact = _new(Contact, by=by, fields=fields)
    contact.save()
    contact.companies.set(companies)
    _replace_multifields(contact, phones, emails)
    created(contact, by=by, fields=fields)
    return contact


@transaction.atomic
def update_contact(contact: Contact, *, by, companies: Iterable[Company] | None = None, **changes) -> Contact:
    require(by, "update", contact)
    _check_dictionary(changes.get("contact_type"), Dictionary.CONTACT_TYPE, "contact_type")
    _check_dictionary(changes.get("source"), Dictionary.SOURCE, "source")
    clean_custom(contact.entity_type, changes)
    diff = apply_changes(contact, changes, CONTACT_FIELDS)
    if not any(part.strip() for part in (contact.first_name, contact.middle_name, contact.last_name)):
        raise Invalid("REQUIRED", "last_name", _("Enter the contact's first or last name."))
    contact.modified_by = by
    contact.save()
    relink(contact, "companies", companies, diff)
    still_visible(by, contact)
    updated(contact, by=by, diff=diff)
    return contact


@transaction.atomic
def create_company(*, by, title: str, phones: Iterable = (), emails: Iterable = (), **fields) -> Company:
    fields["title"] = required_text(title, "title", _("Enter the company's name."))
    _check_dictionary(fields.get("company_type"), Dictionary.COMPANY_TYPE, "company_type")
    _check_dictionary(fields.get("industry"), Dictionary.INDUSTRY, "industry")
    company = _new(Company, by=by, fields=fields)
    company.save()
    _replace_multifields(company, phones, emails)
    created(company, by=by, fields=fields)
    return company


@transaction.atomic
def update_company(company: Company, *, by, **changes) -> Company:
    require(by, "update", company)
    if "title" in changes:
        changes["title"] = required_text(changes["title"], "title", _("Enter the company's name."))
    _check_dictionary(changes.get("company_type"), Dictionary.COMPANY_TYPE, "company_type")
    _check_dictionary(changes.get("industry"), Dictionary.INDUSTRY, "industry")
    clean_custom(company.entity_type, changes)
    diff = apply_changes(company, changes, COMPANY_FIELDS)
    company.modified_by = by
    company.save()
    still_visible(by, company)
    updated(company, by=by, diff=diff)
    return company


def _as_items(type_id: str, values: Iterable) -> list[tuple[str, str, str]]:
    """Accept plain strings or (value, value_type) pairs."""
    items = []
    for entry in values:
        value, value_type = (entry, ValueType.WORK) if isinstance(entry, str) else entry
        if (value or "").strip():
            items.append((type_id, value_type, value.strip()))
    return items


def _replace_multifields(record: CrmRecord, phones: Iterable, emails: Iterable) -> None:
    items = _as_items(MultiFieldType.PHONE, phones) + _as_items(MultiFieldType.EMAIL, emails)
    _write_multifields(record, items, types=(MultiFieldType.PHONE, MultiFieldType.EMAIL))


def _write_multifields(record: CrmRecord, items: list[tuple[str, str, str]], types: Iterable[str]) -> None:
    for type_id, _value_type, value in items:
        if type_id == MultiFieldType.EMAIL:
            try:
                validate_email(value)
            except ValidationError as error:
                raise Invalid(
                    "INVALID_EMAIL", "emails", _("%(value)s is not an email address.") % {"value": value}
                ) from error
    MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk, type_id__in=list(types)).delete()
    MultiField.objects.bulk_create(
        MultiField(
            entity_type=record.entity_type,
            entity_id=record.pk,
            type_id=type_id,
            value_type=value_type,
            value=value,
            normalized=normalize(type_id, value),
        )
        for type_id, value_type, value in items
    )


@transaction.atomic
def set_multifields(record: CrmRecord, *, by, type_id: str, values: Iterable) -> None:
    """Replace one kind of communication (all phones, say) of a lead, contact or company."""
    require(by, "update", record)
    before = sorted(
        MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk, type_id=type_id).values_list(
            "value", flat=True
        )
    )
    items = _as_items(type_id, values)
    _write_multifields(record, items, types=(type_id,))
    after = sorted(value for _t, _v, value in items)
    if before != after:
        updated(record, by=by, diff={type_id.lower(): [before, after]})
