"""Reactions to process events: the approvals counter of the people concerned follows live."""

from kontora.accounts.models import User
from kontora.automation.processes import selectors
from kontora.automation.processes.models import Approval
from kontora.events import realtime
from kontora.events.models import Event

COUNTER = "processes"


def push_counters(user_ids) -> None:
    """Send each person's pending-approvals count to their open tabs (the header's `data-counter="processes"`)."""
    for user in User.objects.filter(pk__in={pk for pk in user_ids if pk}):
        realtime.push([user.pk], "counters", {COUNTER: selectors.header_count(user)})


def on_approval_changed(event: Event) -> None:
    """`processes.approval.changed` (instance as object, optional `assignees=[ids]`): recount for those people, or
    for everyone with an approval in the instance."""
    people = event.data.get("assignees")
    if people is None:
        people = Approval.objects.filter(instance_id=event.object_id).values_list("assignee_id", flat=True)
    push_counters(people)
