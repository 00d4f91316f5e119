"""Comments on tasks: @mentions notify (and add the person as an observer if they could not see the task),
files ride along, one comment may be marked as the result; reading a task marks its comments read."""

import re

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.core.html import plain_text, sanitize
from kontora.tasks.choices import MemberRole
from kontora.tasks.models import Task, TaskComment, TaskFile, TaskMember, TaskView
from kontora.tasks.services.rights import require_right, rights_for

MENTION = re.compile(r"\[USER=(\d+)\](.*?)\[/USER\]", re.IGNORECASE | re.DOTALL)
MAX_FILE_SIZE = 50 * 1024 * 1024


def mentioned_ids(text: str) -> list[int]:
    return sorted({int(pk) for pk, _name in MENTION.findall(text or "")})


@transaction.atomic
def add_comment(task: Task, *, by, text: str, is_result: bool = False, files: list[UploadedFile] = ()) -> TaskComment:
    require_right(by, task, "comment")
    text = sanitize(text or "")
    if not plain_text(text) and not files:
        raise Invalid("REQUIRED", "text", _("Write the comment."))
    if is_result and not (rights_for(by, task).complete or task.responsible_id == by.pk):
        raise Forbidden(_("Only the task's doers may mark a result."))
    comment = TaskComment.objects.create(task=task, author=by, text=text, is_result=is_result)
    for upload in files:
        attach_file(task, by=by, upload=upload, comment=comment)
    now = timezone.now()
    Task.objects.filter(pk=task.pk).update(
        comments_count=task.comments.count(), last_comment_at=now, last_comment_by=by,
        **({"result_comment": comment} if is_result else {}),
    )  # fmt: skip
    mentioned = list(User.objects.filter(pk__in=mentioned_ids(text), is_active=True).exclude(pk=by.pk))
    for user in mentioned:
        if not access.can(user, "read", task):
            TaskMember.objects.get_or_create(task=task, user=user, role=MemberRole.AUDITOR)
    mark_seen(task, by)
    events.emit(
        "tasks.comment.created", comment, by=by, task_id=task.pk, mentioned=[user.pk for user in mentioned],
        is_result=is_result,
    )  # fmt: skip
    return comment


@transaction.atomic
def update_comment(comment: TaskComment, *, by, text: str) -> TaskComment:
    if comment.author_id != by.pk:
        raise Forbidden()
    text = sanitize(text or "")
    if not plain_text(text):
        raise Invalid("REQUIRED", "text", _("Write the comment."))
    comment.text = text
    comment.save(update_fields=["text", "updated_at"])
    events.emit("tasks.comment.updated", comment, by=by, task_id=comment.task_id)
    return comment


@transaction.atomic
def delete_comment(comment: TaskComment, *, by) -> None:
    if comment.author_id != by.pk and not rights_for(by, comment.task).edit:
        raise NotFound()
    task = comment.task
    comment_id = comment.pk
    comment.delete()
    last = task.comments.order_by("-created_at", "-id").first()
    Task.objects.filter(pk=task.pk).update(
        comments_count=task.comments.count(), last_comment_at=last.created_at if last else None,
        last_comment_by=last.author_id if last else None,
    )  # fmt: skip
    events.emit("tasks.comment.deleted", task, by=by, comment_id=comment_id)


@transaction.atomic
def attach_file(task: Task, *, by, upload: UploadedFile, comment: TaskComment | None = None) -> TaskFile:
    rights = rights_for(by, task)
    if not (rights.comment if comment else rights.edit or rights.checklist):
        raise Forbidden()
    if upload.size > MAX_FILE_SIZE:
        raise Invalid("FILE_TOO_BIG", "file", _("A file may be at most 50 MB."))
    name = (upload.name or "file").rsplit("/", 1)[-1][:255]
    return TaskFile.objects.create(task=task, comment=comment, file=upload, name=name, size=upload.size,
                                   uploaded_by=by)  # fmt: skip


@transaction.atomic
def remove_file(task_file: TaskFile, *, by) -> None:
    if task_file.uploaded_by_id != by.pk and not rights_for(by, task_file.task).edit:
        raise NotFound()
    task_file.file.delete(save=False)
    task_file.delete()


def mark_seen(task: Task, user) -> None:
    """The user has read the task and its comments now."""
    updated = TaskView.objects.filter(task=task, user=user).update(seen_at=timezone.now())
    if not updated:
        TaskView.objects.get_or_create(task=task, user=user)
