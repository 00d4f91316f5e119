"""Activities ("дела") and timeline comments on leads, deals, contacts and companies."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.choices import ActivityType, Direction
from kontora.crm.models import Activity, Comment, CrmRecord
from kontora.crm.services.common import require, required_text
from kontora.events import history, realtime

ACTIVITY_FIELDS = ("type_id", "subject", "description", "deadline", "responsible")


@transaction.atomic
def plan_activity(
    owner: CrmRecord,
    *,
    by,
    subject: str,
    type_id: int = ActivityType.TODO,
    deadline: datetime | None = None,
    responsible=None,
    description: str = "",
    direction: int = Direction.OUTGOING,
) -> Activity:
    """Plan a call, meeting, email or to-do on a record the planner may change."""
    require(by, "update", owner)
    subject = required_text(subject, "subject", _("Say what has to be done."))
    if type_id not in ActivityType.values:
        raise Invalid("UNKNOWN_TYPE", "type_id", _("Unknown activity type."))
    activity = Activity.objects.create(
        owner_type=owner.entity_type, owner_id=owner.pk, type_id=type_id, subject=subject, description=description,
        deadline=deadline, responsible=responsible or owner.responsible, author=by, direction=direction,
    )  # fmt: skip
    history.record(activity, by=by, action="create", changes={"subject": [None, subject]})
    events.emit("crm.activity.created", activity, by=by)
    push_counters(activity.responsible_id)
    return activity


@transaction.atomic
def update_activity(activity: Activity, *, by, **changes) -> Activity:
    if not access.can(by, "update", activity):
        raise Forbidden()
    unknown = set(changes) - set(ACTIVITY_FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be changed here."))
    if "subject" in changes:
        changes["subject"] = required_text(changes["subject"], "subject", _("Say what has to be done."))
    previous_responsible = activity.responsible_id
    before = history.snapshot(activity, changes)
    for name, value in changes.items():
        setattr(activity, name, value)
    activity.save()
    diff = history.diff(before, history.snapshot(activity, changes))
    if diff:
        history.record(activity, by=by, action="update", changes=diff)
        events.emit("crm.activity.updated", activity, by=by, changes=diff)
    push_counters(previous_responsible, activity.responsible_id)
    return activity


@transaction.atomic
def complete_activity(activity: Activity, *, by, done: bool = True) -> Activity:
    if not access.can(by, "update", activity):
        raise Forbidden()
    if activity.completed == done:
        return activity
    activity.completed = done
    activity.completed_at = timezone.now() if done else None
    activity.save(update_fields=["completed", "completed_at", "updated_at"])
    history.record(activity, by=by, action="update", changes={"completed": [not done, done]})
    events.emit("crm.activity.completed" if done else "crm.activity.updated", activity, by=by)
    push_counters(activity.responsible_id)
    return activity


@transaction.atomic
def add_comment(record: CrmRecord, *, by, text: str) -> Comment:
    """Anyone who may read a record may comment on it."""
    require(by, "read", record)
    comment = Comment.objects.create(
        entity_type=record.entity_type,
        entity_id=record.pk,
        author=by,
        text=required_text(text, "text", _("Write the comment.")),
    )
    events.emit("crm.comment.created", comment, by=by, entity_type=record.entity_type, entity_id=record.pk)
    return comment


def push_counters(*user_ids: int) -> None:
    """Tell the users' open tabs their new overdue-activities count."""
    from kontora.crm.selectors import overdue_activity_count

    for user_id in {pk for pk in user_ids if pk}:
        realtime.push([user_id], "counters", {"crm_activities": overdue_activity_count(user_id)})
