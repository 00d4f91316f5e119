"""Actions that make other CRM records: a deal in another pipeline, a converted lead."""

from django.utils.translation import gettext

from kontora.accounts.models import User
from kontora.automation import records
from kontora.automation.actions.common import crm_services, flag
from kontora.core.errors import Invalid
from kontora.crm.models import Category, CrmRecord, Deal, Lead, Status


def deal_stage(code: str) -> Status:
    """A deal stage of any pipeline by its code ("NEW", "C2:NEW": Bitrix24's codes name their pipeline)."""
    stage = Status.objects.filter(entity_id__startswith="DEAL_STAGE", status_id=str(code or "")).first()
    if stage is None:
        raise Invalid("WRONG_STAGE", "stage", gettext("There is no such stage."))
    return stage


def _category_of(stage: Status) -> Category:
    suffix = stage.entity_id.removeprefix("DEAL_STAGE").removeprefix("_")
    return Category.objects.get(pk=int(suffix or 0))


def create_deal(record: CrmRecord, params: dict, *, actor: User) -> str:
    """A new deal at `stage` (of any pipeline) with the record's title (or `title`), amount, contact and company."""
    stage = deal_stage(params.get("stage"))
    title = records.substitute(record, params.get("title") or "").strip() or record.title
    if isinstance(record, Deal):
        contacts, extra = list(record.contacts.all()), {}
    else:
        contacts, extra = [record.contact] if record.contact_id else [], {"lead": record}
    deal = crm_services().create_deal(
        by=actor, title=title, category=_category_of(stage), stage=stage, amount=record.amount,
        currency=record.currency, company=record.company, contacts=contacts, responsible=record.responsible, **extra,
    )  # fmt: skip
    return gettext("Deal #%(id)s created in %(stage)s") % {"id": deal.pk, "stage": stage.name}


def convert_lead(record: CrmRecord, params: dict, *, actor: User) -> str:
    """Convert the lead by the CRM's conversion: a deal (in pipeline `category`), a contact, a company as chosen."""
    if not isinstance(record, Lead):
        raise Invalid("LEADS_ONLY", "action", gettext("Only a lead can be converted."))
    category = None
    if params.get("category") not in (None, ""):
        category = Category.objects.filter(pk=int(params["category"])).first()
        if category is None:
            raise Invalid("UNKNOWN_PIPELINE", "category", gettext("There is no such pipeline."))
    result = crm_services().convert_lead(
        record, by=actor, create_deal=flag(params.get("deal"), True), create_contact=flag(params.get("contact"), True),
        create_company=flag(params["company"]) if params.get("company") not in (None, "") else None,
        category=category,
    )  # fmt: skip
    made = [
        f"{label} #{item.pk}"
        for label, item in (
            (gettext("deal"), result.deal), (gettext("contact"), result.contact), (gettext("company"), result.company)
        )
        if item is not None
    ]  # fmt: skip
    return gettext("Lead converted: %(made)s") % {"made": ", ".join(made) or "—"}
