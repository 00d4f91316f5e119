"""Every CRM write, one function per business operation: validated, in a transaction, recorded, announced.

Import from here: `from kontora.crm import services; services.move_deal(deal, stage, by=user)`.
"""

from kontora.crm.services.activities import add_comment, complete_activity, plan_activity, update_activity
from kontora.crm.services.bin import delete_record, purge_record, restore_record
from kontora.crm.services.conversion import ConversionResult, convert_lead
from kontora.crm.services.deals import create_deal, move_deal, set_product_rows, update_deal
from kontora.crm.services.duplicates import merge_records
from kontora.crm.services.pipelines import (
    create_category,
    create_stage,
    delete_stage,
    reorder_stages,
    update_stage,
)
from kontora.crm.services.records import (
    create_company,
    create_contact,
    create_lead,
    set_multifields,
    update_company,
    update_contact,
    update_lead,
)

__all__ = [
    "ConversionResult",
    "convert_lead",
    "merge_records",
    "add_comment",
    "complete_activity",
    "create_category",
    "create_company",
    "create_contact",
    "create_deal",
    "create_lead",
    "create_stage",
    "delete_record",
    "delete_stage",
    "move_deal",
    "plan_activity",
    "purge_record",
    "reorder_stages",
    "restore_record",
    "set_multifields",
    "set_product_rows",
    "update_activity",
    "update_company",
    "update_contact",
    "update_deal",
    "update_lead",
    "update_stage",
]
