"""What happens inside a task: checklist items, time spent, comments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontora.tasks.choices import TimeSource


class ChecklistItem(models.Model):
    """An item of a checklist; top-level items (no parent) are the checklists' group headings."""

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="checklist")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=1000)
    is_complete = models.BooleanField(_("done"), default=False)
    sort_index = models.PositiveIntegerField(default=0)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    toggled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sort_index", "id"]
        indexes = [models.Index(fields=["task", "parent", "sort_index"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_group(self) -> bool:
        return self.parent_id is None


class TimeEntry(models.Model):
    """Time someone spent on a task: a running timer (no `stopped_at`) or a finished or hand-entered span."""

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    seconds = models.PositiveIntegerField(_("seconds"), default=0)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    source = models.CharField(max_length=8, choices=TimeSource, default=TimeSource.TIMER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # one running timer per person: the database refuses a second even under a race
            models.UniqueConstraint(fields=["user"], condition=Q(stopped_at__isnull=True), name="tasks_one_timer"),
        ]
        indexes = [models.Index(fields=["task", "user"]), models.Index(fields=["user", "started_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.task_id}: {self.seconds}s"

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    def elapsed(self) -> int:
        if self.stopped_at is None:
            return self.seconds + max(0, int((timezone.now() - self.started_at).total_seconds()))
        return self.seconds


class TaskComment(models.Model):
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"))  # sanitized HTML
    is_result = models.BooleanField(_("result"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["task", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]
