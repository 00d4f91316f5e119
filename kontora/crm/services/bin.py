"""The recycle bin: deleting moves a record (with its activities) aside; restoring brings all of it back."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.models import Activity, Comment, CrmRecord, MultiField, ProductRow, StageHistory
from kontora.crm.services.common import EVENT_PREFIX, require
from kontora.events import history


@transaction.atomic
def delete_record(record: CrmRecord, *, by) -> None:
    require(by, "delete", record)
    if record.deleted_at is not None:
        raise Invalid("ALREADY_DELETED", None, _("The record is already in the recycle bin."))
    record.deleted_at, record.deleted_by = timezone.now(), by
    record.save(update_fields=["deleted_at", "deleted_by"])
    Activity.objects.filter(owner_type=record.entity_type, owner_id=record.pk).update(in_bin=True)
    history.record(record, by=by, action="delete")
    events.emit(f"{EVENT_PREFIX[record._meta.model_name]}.deleted", record, by=by)


@transaction.atomic
def restore_record(record: CrmRecord, *, by) -> None:
    """Whoever may delete a record may take it back out of the bin."""
    if record.deleted_at is None:
        raise Invalid("NOT_DELETED", None, _("The record is not in the recycle bin."))
    require(by, "delete", record)
    record.deleted_at, record.deleted_by = None, None
    record.save(update_fields=["deleted_at", "deleted_by"])
    Activity.objects.filter(owner_type=record.entity_type, owner_id=record.pk).update(in_bin=False)
    history.record(record, by=by, action="update", changes={"deleted_at": ["bin", None]})
    events.emit(f"{EVENT_PREFIX[record._meta.model_name]}.restored", record, by=by)


@transaction.atomic
def purge_record(record: CrmRecord, *, by) -> None:
    """Delete for good: only administrators, only from the bin."""
    if not is_administrator(by):
        raise Forbidden()
    if record.deleted_at is None:
        raise Invalid("NOT_DELETED", None, _("Only records in the recycle bin can be deleted for good."))
    key = {"owner_type": record.entity_type, "owner_id": record.pk}
    Activity.objects.filter(**key).delete()
    ProductRow.objects.filter(**key).delete()
    for model in (Comment, MultiField, StageHistory):
        model.objects.filter(entity_type=record.entity_type, entity_id=record.pk).delete()
    history.record(record, by=by, action="delete", changes={"purged": [False, True]})
    events.emit(
        f"{EVENT_PREFIX[record._meta.model_name]}.purged", None, by=by, id=record.pk, entity_type=record.entity_type
    )
    record.delete()
