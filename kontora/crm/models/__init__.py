"""CRM data: dictionaries and pipelines, the four entities, communications, activities, history, products."""

from kontora.crm.models.activities import Activity, Comment, StageHistory
from kontora.crm.models.dictionaries import Category, LossReason, Status
from kontora.crm.models.fields import FieldDefinition, SavedFilter
from kontora.crm.models.multifields import MultiField
from kontora.crm.models.products import Product, ProductRow, ProductSection
from kontora.crm.models.records import Company, Contact, CrmRecord, Deal, Lead

__all__ = [
    "Activity",
    "Category",
    "Comment",
    "Company",
    "Contact",
    "CrmRecord",
    "Deal",
    "FieldDefinition",
    "Lead",
    "LossReason",
    "MultiField",
    "Product",
    "ProductRow",
    "ProductSection",
    "SavedFilter",
    "StageHistory",
    "Status",
]
