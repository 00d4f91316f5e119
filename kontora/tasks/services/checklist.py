"""Checklists: groups of items, each done or not, reorderable, optionally assigned to a person."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kontora import events
from kontora.core.errors import Invalid, NotFound
from kontora.tasks.models import ChecklistItem, Task
from kontora.tasks.services.rights import require_right
from kontora.tasks.services.tasks import _user


def _title(value: str) -> str:
    title = (value or "").strip()
    if not title:
        raise Invalid("REQUIRED", "title", _("Write the item."))
    return title[:1000]


def _next_sort(task: Task, parent: ChecklistItem | None) -> int:
    last = ChecklistItem.objects.filter(task=task, parent=parent).aggregate(last=Max("sort_index"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def add_group(task: Task, *, by, title: str = "") -> ChecklistItem:
    require_right(by, task, "checklist")
    count = ChecklistItem.objects.filter(task=task, parent=None).count()
    group = ChecklistItem.objects.create(
        task=task, title=(title or "").strip()[:1000] or _("Checklist %(number)s") % {"number": count + 1},
        sort_index=_next_sort(task, None), created_by=by,
    )  # fmt: skip
    events.emit("tasks.checklist.changed", task, by=by)
    return group


@transaction.atomic
def add_item(
    task: Task, *, by, title: str, group: ChecklistItem | None = None, responsible=None, is_complete: bool = False
) -> ChecklistItem:
    """Add an item; without a group it goes into the task's first checklist (created if there is none)."""
    require_right(by, task, "checklist")
    if group is None:
        group = ChecklistItem.objects.filter(task=task, parent=None).first() or add_group(task, by=by)
    elif group.task_id != task.pk or group.parent_id is not None:
        raise Invalid("UNKNOWN_GROUP", "group", _("This is not a checklist of the task."))
    item = ChecklistItem.objects.create(
        task=task, parent=group, title=_title(title), sort_index=_next_sort(task, group), created_by=by,
        responsible=_user(responsible, "responsible") if responsible else None, is_complete=is_complete,
    )  # fmt: skip
    events.emit("tasks.checklist.changed", task, by=by)
    return item


@transaction.atomic
def update_item(item: ChecklistItem, *, by, **changes) -> ChecklistItem:
    require_right(by, item.task, "checklist")
    unknown = set(changes) - {"title", "responsible", "is_complete"}
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be changed here."))
    if "title" in changes:
        item.title = _title(changes["title"])
    if "responsible" in changes:
        item.responsible = _user(changes["responsible"], "responsible") if changes["responsible"] else None
    if "is_complete" in changes:
        item.is_complete = bool(changes["is_complete"])
        item.toggled_by = by
    item.save()
    events.emit("tasks.checklist.changed", item.task, by=by)
    return item


def toggle_item(item: ChecklistItem, *, by, done: bool) -> ChecklistItem:
    return update_item(item, by=by, is_complete=done)


@transaction.atomic
def move_item(item: ChecklistItem, *, by, group: ChecklistItem | None = None, position: int = 0) -> ChecklistItem:
    """Put an item (or a group, among groups) at `position` of `group`; the others shift."""
    require_right(by, item.task, "checklist")
    target = None if item.parent_id is None else (group or item.parent)
    if target is not None and (target.task_id != item.task_id or target.parent_id is not None):
        raise Invalid("UNKNOWN_GROUP", "group", _("This is not a checklist of the task."))
    siblings = list(ChecklistItem.objects.filter(task=item.task, parent=target).exclude(pk=item.pk))
    siblings.insert(max(0, min(position, len(siblings))), item)
    item.parent = target
    for index, sibling in enumerate(siblings):
        sibling.sort_index = index
    item.save(update_fields=["parent", "sort_index"])
    ChecklistItem.objects.bulk_update([s for s in siblings if s.pk != item.pk], ["sort_index"])
    events.emit("tasks.checklist.changed", item.task, by=by)
    return item


@transaction.atomic
def delete_item(item: ChecklistItem, *, by) -> None:
    """Delete an item, or a group with its items."""
    if item.pk is None:
        raise NotFound()
    require_right(by, item.task, "checklist")
    task = item.task
    item.delete()
    events.emit("tasks.checklist.changed", task, by=by)


def progress(task: Task) -> tuple[int, int]:
    """(done, total) over the task's items (groups not counted)."""
    items = ChecklistItem.objects.filter(task=task, parent__isnull=False)
    return items.filter(is_complete=True).count(), items.count()
