"""Reads behind the task card and form: one task's checklist, time, comments, files, links, people and history.
Every entry point takes a task the caller already got through the gate (`selectors.get_task`)."""

from django.db.models import QuerySet

from kontora.accounts.models import User
from kontora.events import history
from kontora.tasks import selectors
from kontora.tasks.choices import MemberRole
from kontora.tasks.models import ChecklistItem, Reminder, Task, TaskComment, TaskFile, TaskMember, TimeEntry
from kontora.tasks.services.reminders import my_reminders


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")


def members(task: Task) -> dict[str, list[User]]:
    """Co-executors and observers, by role."""
    result: dict[str, list[User]] = {"accomplices": [], "auditors": []}
    for member in TaskMember.objects.filter(task=task).select_related("user").order_by("user__last_name", "id"):
        result["accomplices" if member.role == MemberRole.ACCOMPLICE else "auditors"].append(member.user)
    return result


def crm_codes(task: Task) -> list[str]:
    return sorted(task.crm_links.values_list("code", flat=True))


def crm_links(user, task: Task) -> list[dict]:
    """The task's CRM links as the viewer sees them: a title and a card link, or just the code when hidden."""
    from kontora.crm.cards import record_url
    from kontora.crm.selectors import record_by_code

    links = []
    for code in crm_codes(task):
        record = record_by_code(user, code)
        if record is None:
            links.append({"code": code, "title": None, "url": None})
        else:
            links.append({"code": code, "title": str(record), "url": record_url(record.entity_type, record.pk)})
    return links


def subtasks(user, task: Task) -> QuerySet[Task]:
    return selectors.visible_tasks(user).filter(parent=task).select_related("responsible").order_by("id")


def checklist(task: Task) -> list[dict]:
    """The checklists: each group with its items, in order."""
    rows = list(ChecklistItem.objects.filter(task=task).select_related("responsible"))
    groups = [{"group": row, "items": []} for row in rows if row.parent_id is None]
    by_id = {entry["group"].pk: entry for entry in groups}
    for row in rows:
        if row.parent_id is not None and row.parent_id in by_id:
            by_id[row.parent_id]["items"].append(row)
    for entry in groups:
        entry["done"] = sum(1 for item in entry["items"] if item.is_complete)
    return groups


def checklist_item(task: Task, pk) -> ChecklistItem | None:
    return ChecklistItem.objects.filter(task=task, pk=pk).select_related("task").first() if _id(pk) else None


def time_entries(task: Task) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(task=task).select_related("user")


def time_entry(task: Task, pk) -> TimeEntry | None:
    return TimeEntry.objects.filter(task=task, pk=pk).select_related("task").first() if _id(pk) else None


def comments(task: Task) -> QuerySet[TaskComment]:
    return TaskComment.objects.filter(task=task).select_related("author").prefetch_related("files")


def files(task: Task) -> QuerySet[TaskFile]:
    """Files attached to the task itself (comments' files are shown with their comments)."""
    return TaskFile.objects.filter(task=task, comment__isnull=True).select_related("uploaded_by")


def task_file(task: Task, pk) -> TaskFile | None:
    return TaskFile.objects.filter(task=task, pk=pk).select_related("task").first() if _id(pk) else None


def reminders(user, task: Task) -> QuerySet[Reminder]:
    return my_reminders(user, task)


def reminder(user, task: Task, pk) -> Reminder | None:
    return my_reminders(user, task).filter(pk=pk).first() if _id(pk) else None


def changes(task: Task, limit: int = 50) -> list:
    return list(history.for_object(task)[:limit])


def _id(value) -> bool:
    return str(value or "").isdigit()
