"""Reads of the crm.status dictionaries: entries, the dictionaries there are, and the default names of system entries.

Dictionaries are not gated: everyone who works in the CRM reads them (the pages show them in every form).
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kontora.crm.choices import Dictionary
from kontora.crm.defaults import DEAL_STAGES, DICTIONARIES
from kontora.crm.models import Category, Status

_INITIAL = {("DEAL_STAGE", code): name for code, name, *_rest in DEAL_STAGES} | {
    (entity_id, row[0]): row[1] for entity_id, rows in DICTIONARIES.items() for row in rows
}


def entries() -> QuerySet[Status]:
    return Status.objects.order_by("entity_id", "sort", "id")


def entry(pk: int) -> Status | None:
    return Status.objects.filter(pk=pk).first()


def initial_name(item: Status) -> str:
    """The name a system entry was installed with (Bitrix24's NAME_INIT); "" for entries people added."""
    return _INITIAL.get((item.entity_id, item.status_id), "") if item.system else ""


def dictionaries() -> list[dict]:
    """crm.status.entity.types: every dictionary, deal stages of each pipeline included."""
    result = [
        {"ID": choice.value, "NAME": str(choice.label)} for choice in Dictionary if choice != Dictionary.DEAL_STAGE
    ]
    for category in Category.objects.order_by("sort", "id"):
        item = {"ID": category.stage_entity, "NAME": _("Deal stages: %(name)s") % {"name": category.name},
                "PREFIX": category.stage_prefix.rstrip(":"), "ENTITY_TYPE_ID": 2, "CATEGORY_ID": category.pk,
                "SEMANTIC_INFO": {"START_FIELD": category.stage_prefix + "NEW", "FINAL_SUCCESS_FIELD":
                                  category.stage_prefix + "WON", "FINAL_UNSUCCESS_FIELD": category.stage_prefix
                                  + "LOSE"}}  # fmt: skip
        if category.pk:
            item["PARENT_ID"] = "DEAL_STAGE"
        result.append(item)
    return result


def items_of(entity_id: str) -> list[Status]:
    return list(Status.objects.filter(entity_id=entity_id).order_by("sort", "id"))
