"""Lead conversion: a lead becomes a contact, a company and a deal (new or existing ones), once."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.core.errors import Invalid
from kontora.crm.choices import Dictionary, EntityType, MultiFieldType, Semantics
from kontora.crm.models import Category, Company, Contact, Deal, Lead, MultiField, ProductRow, Status
from kontora.crm.services.common import require
from kontora.crm.services.deals import create_deal, set_product_rows
from kontora.crm.services.records import create_company, create_contact, set_multifields, update_contact, update_lead
from kontora.events import history

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
PRODUCT_ROW_FIELDS = (
    "product",
    "product_name",
    "price",
    "quantity",
    "discount_rate",
    "tax_rate",
    "tax_included",
    "unit",
)


@dataclass
class ConversionResult:
    """What a conversion produced or linked; `created_*` tell new records from existing ones."""

    lead: Lead
    contact: Contact | None = None
    company: Company | None = None
    deal: Deal | None = None
    created_contact: bool = False
    created_company: bool = False


def converted_status() -> Status:
    return Status.objects.get(entity_id=Dictionary.LEAD_STATUS, status_id="CONVERTED")


def has_person(lead: Lead) -> bool:
    return any((getattr(lead, part) or "").strip() for part in ("first_name", "middle_name", "last_name"))


def _communications(lead: Lead) -> dict[str, list[tuple[str, str]]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for field in MultiField.objects.filter(entity_type=EntityType.LEAD, entity_id=lead.pk).order_by("id"):
        grouped.setdefault(field.type_id, []).append((field.value, field.value_type))
    return grouped


def _copy_other_communications(record, grouped: dict[str, list[tuple[str, str]]], *, by) -> None:
    """Websites and messengers; phones and emails are passed to the create service itself."""
    for type_id in (MultiFieldType.WEB, MultiFieldType.IM):
        if grouped.get(type_id):
            set_multifields(record, by=by, type_id=type_id, values=grouped[type_id])


def _deal_comments(lead: Lead) -> str:
    """The lead's comment, source details and UTM tags: deals have no UTM fields of their own."""
    parts = [lead.comments.strip(), lead.source_description.strip()]
    parts.append(
        "\n".join(
            f"{Lead._meta.get_field(name).verbose_name}: {getattr(lead, name)}"
            for name in UTM_FIELDS
            if getattr(lead, name)
        )
    )
    return "\n\n".join(part for part in parts if part)


def _lead_rows(lead: Lead) -> list[dict]:
    rows = ProductRow.objects.filter(owner_type=EntityType.LEAD, owner_id=lead.pk).order_by("sort", "id")
    return [{name: getattr(row, name) for name in PRODUCT_ROW_FIELDS} for row in rows]


@transaction.atomic
def convert_lead(
    lead: Lead,
    *,
    by,
    create_contact: bool = True,
    contact: Contact | None = None,
    create_company: bool | None = None,
    company: Company | None = None,
    create_deal: bool = True,
    category: Category | None = None,
) -> ConversionResult:
    """Turn a lead into a contact, a company (when it names one) and a deal, or link existing ones; only once.

    New records copy the lead's names, phones, emails, source and responsible person; the deal also takes its
    amount, product rows, comment and UTM tags. The lead moves to the CONVERTED status and keeps links to what
    it produced. Linking an existing contact or company needs the right to read it.
    """
    require(by, "update", lead)
    lead = Lead.objects.select_for_update().filter(pk=lead.pk).first()  # one conversion at a time
    if lead is None:
        raise Invalid("IN_BIN", None, _("The lead is in the recycle bin."))
    if lead.status.semantics == Semantics.SUCCESS:
        raise Invalid("ALREADY_CONVERTED", None, _("This lead has already been converted."))
    for existing in (contact, company):
        if existing is not None:
            if existing.deleted_at is not None:
                raise Invalid("IN_BIN", None, _("The chosen record is in the recycle bin."))
            require(by, "read", existing)
    if create_company is None:
        create_company = bool(lead.company_title.strip())
    make_contact = contact is None and create_contact
    make_company = company is None and create_company
    if make_contact and not has_person(lead):
        if make_company or company is not None:
            make_contact = False  # a company-only lead: nobody to make a contact of
        else:
            raise Invalid(
                "NO_CONTACT_NAME", "contact",
                _("The lead names no person: add a name to the lead or choose an existing contact."),
            )  # fmt: skip
    if make_company and not lead.company_title.strip():
        raise Invalid("NO_COMPANY_TITLE", "company", _("The lead names no company: choose an existing one."))
    if not (make_contact or contact or make_company or company or create_deal):
        raise Invalid("NOTHING_TO_CREATE", None, _("Choose at least one thing to create or link."))

    grouped = _communications(lead)
    result = ConversionResult(lead=lead, contact=contact, company=company)
    if make_company:
        result.company = create_company_from(lead, by=by, grouped=grouped, with_communications=not make_contact)
        result.created_company = True
    if make_contact:
        result.contact = create_contact_from(lead, by=by, grouped=grouped, company=result.company)
        result.created_contact = True
    elif result.contact is not None and result.company is not None:
        _join_company(result.contact, result.company, by=by)
    if create_deal:
        result.deal = create_deal_from(lead, by=by, category=category, contact=result.contact, company=result.company)

    links = {"contact": [lead.contact_id, None], "company": [lead.company_id, None]}
    lead.contact = result.contact or lead.contact
    lead.company = result.company or lead.company
    links["contact"][1], links["company"][1] = lead.contact_id, lead.company_id
    update_lead(lead, by=by, converting=True, status=converted_status())
    changes = {name: pair for name, pair in links.items() if pair[0] != pair[1]}
    if result.deal is not None:
        changes["deal"] = [None, result.deal.pk]
    history.record(lead, by=by, action="update", changes=changes)
    events.emit(
        "crm.lead.converted", lead, by=by, contact_id=lead.contact_id, company_id=lead.company_id,
        deal_id=result.deal.pk if result.deal else None,
    )  # fmt: skip
    return result


def create_company_from(lead: Lead, *, by, grouped: dict, with_communications: bool) -> Company:
    extra = grouped if with_communications else {}
    company = create_company(
        by=by,
        title=lead.company_title,
        responsible=lead.responsible,
        phones=extra.get(MultiFieldType.PHONE, []),
        emails=extra.get(MultiFieldType.EMAIL, []),
    )
    _copy_other_communications(company, extra, by=by)
    return company


def create_contact_from(lead: Lead, *, by, grouped: dict, company: Company | None) -> Contact:
    contact = create_contact(
        by=by,
        honorific=lead.honorific,
        first_name=lead.first_name,
        middle_name=lead.middle_name,
        last_name=lead.last_name,
        position=lead.position,
        address=lead.address,
        source=lead.source,
        responsible=lead.responsible,
        lead=lead,
        companies=[company] if company is not None else [],
        phones=grouped.get(MultiFieldType.PHONE, []),
        emails=grouped.get(MultiFieldType.EMAIL, []),
    )
    _copy_other_communications(contact, grouped, by=by)
    return contact


def _join_company(contact: Contact, company: Company, *, by) -> None:
    """An existing contact joins the company when the converter may change it; otherwise it is left as it is."""
    if contact.companies.filter(pk=company.pk).exists() or not access.can(by, "update", contact):
        return
    update_contact(contact, by=by, companies=[*contact.companies.all(), company])


def create_deal_from(
    lead: Lead, *, by, category: Category | None, contact: Contact | None, company: Company | None
) -> Deal:
    deal = create_deal(
        by=by,
        title=lead.title,
        category=category,
        amount=lead.amount,
        currency=lead.currency,
        source=lead.source,
        responsible=lead.responsible,
        company=company,
        contacts=[contact] if contact is not None else [],
        comments=_deal_comments(lead),
        lead=lead,
    )
    rows = _lead_rows(lead)
    if rows:
        set_product_rows(deal, rows, by=by)
    return deal
