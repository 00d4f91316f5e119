"""The documents processes run on — CRM records and universal-list elements: loading, reading, linking, access."""

from typing import Any

from django.db import models
from django.urls import NoReverseMatch

from kontora.accounts import access
from kontora.automation import records
from kontora.crm import schema
from kontora.crm.models import Company, Contact, CrmRecord, Deal, Lead

CRM_MODELS: dict[str, type[CrmRecord]] = {"deal": Deal, "lead": Lead, "contact": Contact, "company": Company}


def _list_element_model():
    from kontora.lists.models import ListElement

    return ListElement


def model_of(document_type: str) -> type[models.Model]:
    return CRM_MODELS[document_type] if document_type in CRM_MODELS else _list_element_model()


def load(document_type: str, pk: int) -> models.Model | None:
    """The document unless it is gone (or in the recycle bin)."""
    return model_of(document_type).objects.filter(pk=pk).first()


def type_of(document: models.Model) -> str:
    for name, model in CRM_MODELS.items():
        if isinstance(document, model):
            return name
    return "list"


def list_code(document: models.Model) -> str:
    return "" if isinstance(document, CrmRecord) else document.list.code


def values(document: models.Model) -> dict[str, Any]:
    """The document's fields for expressions: CRM fields under their external names, or a list element's values."""
    if isinstance(document, CrmRecord):
        result = {}
        for name, field in schema.fields_of(type_of(document)).items():
            if not field.multiple:
                result[name] = records.raw_value(document, field)
        return result
    return {"ID": document.pk, "NAME": document.name, **(document.values or {})}


def title(document: models.Model) -> str:
    return str(document)


def url(document: models.Model) -> str:
    try:
        return document.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""


def responsible(document: models.Model):
    return getattr(document, "responsible", None) or getattr(document, "created_by", None)


def can_read(user, document: models.Model) -> bool:
    return access.can(user, "read", document)
