"""Changing and removing timeline comments and activities (the REST API's update/delete of both)."""

from django.db import transaction
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.core.errors import Forbidden
from kontora.crm.models import Activity, Comment
from kontora.crm.selectors import RECORD_MODELS
from kontora.crm.services.activities import push_counters
from kontora.crm.services.common import required_text, scope_for
from kontora.events import history


def _owner(entity_type: int, entity_id: int):
    return RECORD_MODELS[entity_type]._base_manager.filter(pk=entity_id).first()


def _may_change_comment(by, comment: Comment) -> bool:
    """Its author while they may still read the record, or anyone who may change the record."""
    record = _owner(comment.entity_type, comment.entity_id)
    if record is None:
        return False
    if comment.author_id == by.pk and access.can(by, "read", record, scope=scope_for(record)):
        return True
    return access.can(by, "update", record, scope=scope_for(record))


@transaction.atomic
def update_comment(comment: Comment, *, by, text: str) -> Comment:
    if not _may_change_comment(by, comment):
        raise Forbidden()
    text = required_text(text, "text", _("Write the comment."))
    if text == comment.text:
        return comment
    changes = {"text": [comment.text, text]}
    comment.text = text
    comment.save(update_fields=["text"])
    history.record(comment, by=by, action="update", changes=changes)
    events.emit("crm.comment.updated", comment, by=by, entity_type=comment.entity_type, entity_id=comment.entity_id)
    return comment


@transaction.atomic
def delete_comment(comment: Comment, *, by) -> None:
    if not _may_change_comment(by, comment):
        raise Forbidden()
    history.record(comment, by=by, action="delete", changes={"text": [comment.text, None]})
    events.emit("crm.comment.deleted", comment, by=by, entity_type=comment.entity_type, entity_id=comment.entity_id)
    comment.delete()


@transaction.atomic
def delete_activity(activity: Activity, *, by) -> None:
    """Whoever may delete the activity and change its record may remove it for good."""
    record = _owner(activity.owner_type, activity.owner_id)
    if not access.can(by, "delete", activity) or (
        record is not None and not access.can(by, "update", record, scope=scope_for(record))
    ):
        raise Forbidden()
    history.record(activity, by=by, action="delete", changes={"subject": [activity.subject, None]})
    events.emit("crm.activity.deleted", activity, by=by)
    responsible_id = activity.responsible_id
    activity.delete()
    push_counters(responsible_id)
