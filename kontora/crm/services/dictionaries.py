"""crm.status dictionaries as Bitrix24's REST API manages them: any dictionary's entries by code, pipelines' sort and
deletion, and a lead's product rows. Administrators only; stage and lead-status rules come from the pipeline services.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.choices import Dictionary, Semantics
from kontora.crm.models import Category, Deal, Lead, ProductRow, StageHistory, Status
from kontora.crm.services.common import require, required_text, updated
from kontora.crm.services.deals import replace_product_rows
from kontora.crm.services.pipelines import delete_stage, update_stage
from kontora.crm.services.pipelines_extra import delete_lead_status, update_lead_status
from kontora.events import history

# Dictionaries Kontora keeps besides deal stages (DEAL_STAGE, DEAL_STAGE_n) and lead statuses (STATUS).
PLAIN = (
    Dictionary.SOURCE, Dictionary.CONTACT_TYPE, Dictionary.COMPANY_TYPE, Dictionary.INDUSTRY, Dictionary.DEAL_TYPE,
)  # fmt: skip
_CODE = re.compile(r"^[A-Z0-9_:]+$")
_STAGE_ENTITY = re.compile(r"^DEAL_STAGE(?:_(\d+))?$")


def _require_admin(by) -> None:
    if by is not None and not is_administrator(by):
        raise Forbidden()


def stage_category(entity_id: str) -> Category | None:
    """The pipeline whose stages `entity_id` (DEAL_STAGE, DEAL_STAGE_3) names; None for other dictionaries."""
    match = _STAGE_ENTITY.match(entity_id or "")
    if not match:
        return None
    category = Category.objects.filter(pk=int(match[1] or 0)).first()
    if category is None:
        raise Invalid("BAD_VALUE", "ENTITY_ID", _("There is no such pipeline."))
    return category


def _code(entity_id: str, wanted: str, category: Category | None) -> str:
    taken = set(Status.objects.filter(entity_id=entity_id).values_list("status_id", flat=True))
    prefix = category.stage_prefix if category is not None else ""
    code = (wanted or "").strip().upper()
    if not code:
        number = len(taken) + 1
        while f"{prefix}UC_{number}" in taken:
            number += 1
        return f"{prefix}UC_{number}"
    if prefix and not code.startswith(prefix):
        code = f"{prefix}{code}"
    if not _CODE.match(code) or len(code) > 50:
        raise Invalid("BAD_VALUE", "STATUS_ID", _("Use Latin letters, digits and underscores for the code."))
    if code in taken:
        raise Invalid("DUPLICATE", "STATUS_ID", _("This dictionary already has an entry with this code."))
    return code


@transaction.atomic
def create_entry(
    *, by, entity_id: str, name: str, status_id: str = "", sort: int | None = None, color: str = "",
    semantics: str = Semantics.PROCESS,
) -> Status:  # fmt: skip
    """A new entry of a dictionary, a lead status or a stage of a pipeline (which has one successful stage)."""
    _require_admin(by)
    entity_id = (entity_id or "").strip().upper()
    category = stage_category(entity_id)
    if category is None and entity_id not in (*PLAIN, Dictionary.LEAD_STATUS):
        raise Invalid("BAD_VALUE", "ENTITY_ID", _("There is no such dictionary."))
    name = required_text(name, "NAME", _("Enter the name."))
    staged = category is not None or entity_id == Dictionary.LEAD_STATUS
    if not staged:
        semantics = Semantics.PROCESS
    elif semantics not in (Semantics.PROCESS, Semantics.FAILURE):
        raise Invalid("BAD_SEMANTICS", "SEMANTICS", _("A pipeline has one successful stage."))
    if sort is None:
        sort = (Status.objects.filter(entity_id=entity_id).aggregate(top=Max("sort"))["top"] or 0) + 10
    entry = Status.objects.create(
        entity_id=entity_id, status_id=_code(entity_id, status_id, category), name=name[:200], sort=max(0, sort),
        color=(color or "")[:7], semantics=semantics, category=category,
    )  # fmt: skip
    history.record(entry, by=by, action="create", changes={"name": [None, entry.name], "code": [None, entry.status_id]})
    return entry


@transaction.atomic
def update_entry(
    entry: Status, *, by, name: str | None = None, sort: int | None = None, color: str | None = None
) -> Status:
    """Rename, recolour or re-sort an entry; codes, dictionaries and semantics stay as they are."""
    _require_admin(by)
    if entry.category_id is not None and (name is not None or color is not None):
        update_stage(entry, by=by, name=name, color=color)
    elif entry.entity_id == Dictionary.LEAD_STATUS and (name is not None or color is not None):
        update_lead_status(entry, by=by, name=name, color=color)
    else:
        before = history.snapshot(entry, ["name", "color"])
        if name is not None:
            entry.name = required_text(name, "NAME", _("Enter the name."))[:200]
        if color is not None:
            entry.color = color[:7]
        entry.save()
        diff = history.diff(before, history.snapshot(entry, ["name", "color"]))
        if diff:
            history.record(entry, by=by, action="update", changes=diff)
    if sort is not None and sort != entry.sort:
        history.record(entry, by=by, action="update", changes={"sort": [entry.sort, max(0, sort)]})
        entry.sort = max(0, sort)
        entry.save(update_fields=["sort"])
    return entry


@transaction.atomic
def delete_entry(entry: Status, *, by) -> None:
    """Delete an entry. Stages and lead statuses that records stand in (or passed through) are refused; records
    that only mention a plain dictionary entry (a source, an industry) lose the value."""
    _require_admin(by)
    if entry.category_id is not None:
        delete_stage(entry, by=by)
        return
    if entry.entity_id == Dictionary.LEAD_STATUS:
        delete_lead_status(entry, by=by)
        return
    if entry.system:
        raise Invalid("SYSTEM_STATUS", None, _("This status is needed by the CRM and cannot be deleted."))
    history.record(entry, by=by, action="delete", changes={"name": [entry.name, None]})
    entry.delete()


@transaction.atomic
def update_category(category: Category, *, by, name: str | None = None, sort: int | None = None) -> Category:
    _require_admin(by)
    before = history.snapshot(category, ["name", "sort"])
    if name is not None:
        category.name = required_text(name, "name", _("Enter the pipeline's name."))[:200]
    if sort is not None:
        category.sort = max(0, sort)
    category.save()
    diff = history.diff(before, history.snapshot(category, ["name", "sort"]))
    if diff:
        history.record(category, by=by, action="update", changes=diff)
    return category


@transaction.atomic
def delete_category(category: Category, *, by) -> None:
    """Delete a pipeline with no deals (the bin included), with its stages; the default pipeline stays."""
    _require_admin(by)
    if category.is_default or category.pk == 0:
        raise Invalid("DEFAULT_CATEGORY", None, _("The default pipeline cannot be deleted."))
    if Deal.all_objects.filter(category=category).exists():
        raise Invalid("CATEGORY_IN_USE", None, _("The pipeline has deals: move or delete them first."))
    history.record(category, by=by, action="delete", changes={"name": [category.name, None]})
    StageHistory.objects.filter(category=category).delete()
    Status.objects.filter(category=category).delete()
    category.delete()


@transaction.atomic
def set_lead_product_rows(lead: Lead, rows: Iterable[dict], *, by) -> list[ProductRow]:
    """Replace every product row of a lead (crm.lead.productrows.set); with rows, the lead's amount is their sum."""
    require(by, "update", lead)
    new_rows = replace_product_rows(lead, rows)
    old_amount = lead.amount
    if new_rows:
        lead.amount = sum((row.total for row in new_rows), Decimal(0))
    lead.modified_by = by
    lead.save()
    diff = {"product_rows": [None, len(new_rows)]}
    if lead.amount != old_amount:
        diff["amount"] = [str(old_amount), str(lead.amount)]
    updated(lead, by=by, diff=diff)
    return new_rows
