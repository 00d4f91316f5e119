"""Merging duplicates: one record takes over everything of the other, which goes to the recycle bin."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kontora.core.errors import Invalid
from kontora.crm.models import (
    Activity,
    Comment,
    Company,
    Contact,
    CrmRecord,
    Deal,
    Lead,
    MultiField,
    ProductRow,
    StageHistory,
)
from kontora.crm.services.bin import delete_record
from kontora.crm.services.common import apply_changes, require, still_visible, updated
from kontora.crm.services.deals import DEAL_FIELDS
from kontora.crm.services.records import COMPANY_FIELDS, CONTACT_FIELDS, LEAD_FIELDS
from kontora.events import history

# The fields a merge lets people choose between; stages and statuses stay the kept record's.
MERGE_FIELDS: dict[type[CrmRecord], tuple[str, ...]] = {
    Lead: tuple(name for name in LEAD_FIELDS if name not in {"status", "custom"}),
    Deal: tuple(name for name in DEAL_FIELDS if name not in {"custom", "is_manual_amount"}),
    Contact: tuple(name for name in CONTACT_FIELDS if name != "custom"),
    Company: tuple(name for name in COMPANY_FIELDS if name != "custom"),
}
KEEP, DROP = "keep", "drop"


def merge_fields(model: type[CrmRecord]) -> tuple[str, ...]:
    return MERGE_FIELDS[model]


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def default_choices(keep: CrmRecord, drop: CrmRecord) -> dict[str, str]:
    """Keep every value of the kept record, except where it is empty and the other one is not."""
    choices = {}
    for name in MERGE_FIELDS[type(keep)]:
        mine, theirs = getattr(keep, name), getattr(drop, name)
        choices[name] = DROP if _is_empty(mine) and not _is_empty(theirs) else KEEP
    return choices


def _merged_custom(keep: CrmRecord, drop: CrmRecord, prefer_drop: bool) -> dict:
    """Custom fields are merged key by key: nothing either record had is lost."""
    first, second = (keep.custom, drop.custom) if prefer_drop else (drop.custom, keep.custom)
    merged = dict(first or {})
    merged.update({key: value for key, value in (second or {}).items() if not _is_empty(value)})
    return merged


@transaction.atomic
def merge_records(keep: CrmRecord, drop: CrmRecord, *, by, choices: dict[str, str] | None = None) -> CrmRecord:
    """Fold `drop` into `keep`: chosen field values, then everything that hangs on `drop`; `drop` goes to the bin.

    `choices` maps a field name to "keep" or "drop" (whose value survives); fields not named follow
    `default_choices`. Moves deals, lead links, activities, comments, phones/emails (without repeating a value
    already on `keep`), product rows and stage history. Needs update on `keep` and delete on `drop`.
    """
    model = type(keep)
    if type(drop) is not model or model not in MERGE_FIELDS:
        raise Invalid("DIFFERENT_TYPES", None, _("Only records of the same kind can be merged."))
    if keep.pk == drop.pk:
        raise Invalid("SAME_RECORD", None, _("A record cannot be merged with itself."))
    require(by, "update", keep)
    require(by, "delete", drop)
    if keep.deleted_at is not None or drop.deleted_at is not None:
        raise Invalid("IN_BIN", None, _("Records in the recycle bin cannot be merged."))
    wanted = default_choices(keep, drop) | (choices or {})
    unknown = set(wanted) - set(MERGE_FIELDS[model]) - {"custom"}
    if unknown or set(wanted.values()) - {KEEP, DROP}:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0] if unknown else None, _("This field cannot be merged."))

    changes = {name: getattr(drop, name) for name, side in wanted.items() if side == DROP and name != "custom"}
    changes["custom"] = _merged_custom(keep, drop, prefer_drop=wanted.get("custom") == DROP)
    diff = apply_changes(keep, changes, (*MERGE_FIELDS[model], "custom"))
    keep.modified_by = by
    keep.save()
    moved = _move_everything(keep, drop)
    still_visible(by, keep)
    diff["merged_from"] = [None, drop.pk]
    updated(keep, by=by, diff=diff)
    history.record(drop, by=by, action="update", changes={"merged_into": [None, keep.pk], **moved})
    delete_record(drop, by=by)
    return keep


def _move_everything(keep: CrmRecord, drop: CrmRecord) -> dict[str, list]:
    """Re-point every row that hangs on `drop`; returns how many of each moved, for the history."""
    entity_type = keep.entity_type
    moved = {
        "activities": Activity.objects.filter(owner_type=entity_type, owner_id=drop.pk).update(owner_id=keep.pk),
        "comments": Comment.objects.filter(entity_type=entity_type, entity_id=drop.pk).update(entity_id=keep.pk),
        "stage_history": StageHistory.objects.filter(entity_type=entity_type, entity_id=drop.pk).update(
            entity_id=keep.pk
        ),
        "communications": _move_multifields(keep, drop),
        "product_rows": _move_product_rows(keep, drop),
    }
    if isinstance(keep, Company):
        moved |= _move_company_links(keep, drop)
    elif isinstance(keep, Contact):
        moved |= _move_contact_links(keep, drop)
    elif isinstance(keep, Lead):
        moved |= _move_lead_links(keep, drop)
    elif isinstance(keep, Deal):
        moved |= _move_deal_links(keep, drop)
    return {name: [0, count] for name, count in moved.items() if count}


def _move_multifields(keep: CrmRecord, drop: CrmRecord) -> int:
    mine = MultiField.objects.filter(entity_type=keep.entity_type, entity_id=keep.pk)
    known = set(mine.values_list("type_id", "normalized"))
    theirs = MultiField.objects.filter(entity_type=drop.entity_type, entity_id=drop.pk).order_by("id")
    repeated, fresh = [], []
    for field in theirs:
        key = (field.type_id, field.normalized)
        (repeated if key in known else fresh).append(field.pk)
        known.add(key)
    MultiField.objects.filter(pk__in=repeated).delete()
    return MultiField.objects.filter(pk__in=fresh).update(entity_id=keep.pk)


def _move_product_rows(keep: CrmRecord, drop: CrmRecord) -> int:
    key = {"owner_type": keep.entity_type}
    theirs = list(ProductRow.objects.filter(**key, owner_id=drop.pk).order_by("sort", "id"))
    if not theirs:
        return 0
    had_rows = ProductRow.objects.filter(**key, owner_id=keep.pk).exists()
    last = ProductRow.objects.filter(**key, owner_id=keep.pk).aggregate(top=Max("sort"))["top"] or 0
    for position, row in enumerate(theirs, start=1):
        row.owner_id, row.sort = keep.pk, last + position * 10
    ProductRow.objects.bulk_update(theirs, ["owner_id", "sort"])
    if isinstance(keep, Deal) and (not keep.is_manual_amount or not had_rows):
        rows = ProductRow.objects.filter(**key, owner_id=keep.pk)
        keep.amount = sum((row.total for row in rows), Decimal(0))
        keep.is_manual_amount = False
        keep.save(update_fields=["amount", "is_manual_amount", "updated_at"])
    return len(theirs)


def _move_m2m(through, field: str, keep_id: int, drop_id: int, other: str) -> int:
    """Re-point a many-to-many link table column from drop to keep, without creating a second identical link."""
    already = set(through.objects.filter(**{field: keep_id}).values_list(other, flat=True))
    rows = through.objects.filter(**{field: drop_id})
    through.objects.filter(**{field: drop_id, f"{other}__in": already}).delete()
    return rows.update(**{field: keep_id})


def _move_company_links(keep: Company, drop: Company) -> dict[str, int]:
    return {
        "deals": Deal.all_objects.filter(company=drop).update(company=keep),
        "leads": Lead.all_objects.filter(company=drop).update(company=keep),
        "contacts": _move_m2m(Contact.companies.through, "company_id", keep.pk, drop.pk, "contact_id"),
    }


def _move_contact_links(keep: Contact, drop: Contact) -> dict[str, int]:
    moved = {
        "deals": _move_m2m(Deal.contacts.through, "contact_id", keep.pk, drop.pk, "deal_id"),
        "leads": Lead.all_objects.filter(contact=drop).update(contact=keep),
        "companies": _move_m2m(Contact.companies.through, "contact_id", keep.pk, drop.pk, "company_id"),
    }
    if keep.lead_id is None and drop.lead_id is not None:
        Contact.all_objects.filter(pk=keep.pk).update(lead=drop.lead_id)
        keep.lead_id = drop.lead_id
    return moved


def _move_lead_links(keep: Lead, drop: Lead) -> dict[str, int]:
    moved = {
        "deals": Deal.all_objects.filter(lead=drop).update(lead=keep),
        "contacts": Contact.all_objects.filter(lead=drop).update(lead=keep),
    }
    links = {
        name: getattr(drop, f"{name}_id") for name in ("contact", "company") if getattr(keep, f"{name}_id") is None
    }
    links = {name: pk for name, pk in links.items() if pk is not None}
    if links:
        Lead.all_objects.filter(pk=keep.pk).update(**{f"{name}_id": pk for name, pk in links.items()})
        for name, pk in links.items():
            setattr(keep, f"{name}_id", pk)
    return moved


def _move_deal_links(keep: Deal, drop: Deal) -> dict[str, int]:
    moved = {"contacts": _move_m2m(Deal.contacts.through, "deal_id", keep.pk, drop.pk, "contact_id")}
    if keep.lead_id is None and drop.lead_id is not None:
        Deal.all_objects.filter(pk=keep.pk).update(lead=drop.lead_id)
        keep.lead_id = drop.lead_id
    return moved
