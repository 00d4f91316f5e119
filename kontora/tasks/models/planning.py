"""Templates and recurrence, reminders, the personal "My plan" board and saved list filters."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.core.models import DurableWork, TimeStamped
from kontora.tasks.choices import Priority


class TaskTemplate(TimeStamped):
    """A task to create again: its fields, checklist and sub-templates, and optionally a recurrence rule.

    `rule`: {"frequency": daily|weekly|monthly|yearly, "interval": n, "weekdays": [0..6], "day": 1..31,
    "month": 1..12, "time": "HH:MM", "start": ISO date, "until": ISO date | null, "count": n | null}.
    """

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.CASCADE, related_name="+"
    )
    accomplices = models.JSONField(default=list, blank=True)  # user ids
    auditors = models.JSONField(default=list, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority, default=Priority.NORMAL)
    deadline_after = models.PositiveIntegerField(_("deadline after, seconds"), null=True, blank=True)
    requires_control = models.BooleanField(_("requires control"), default=False)
    allow_change_deadline = models.BooleanField(_("responsible may change the deadline"), default=False)
    time_estimate = models.PositiveIntegerField(default=0)
    project = models.ForeignKey(
        "tasks.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="templates"
    )
    tags = models.JSONField(default=list, blank=True)
    checklist = models.JSONField(default=list, blank=True)  # [{"title": group, "items": [{"title", "responsible"}]}]
    crm_links = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )  # a sub-template: created as a subtask of the parent's task
    rule = models.JSONField(_("recurrence"), null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    occurrences = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("task template")
        verbose_name_plural = _("task templates")

    def __str__(self) -> str:
        return self.title


class Occurrence(models.Model):
    """One run of a recurring template: the unique key makes two workers create it once."""

    template = models.ForeignKey(TaskTemplate, on_delete=models.CASCADE, related_name="runs")
    scheduled_for = models.DateTimeField()
    task = models.ForeignKey("tasks.Task", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "scheduled_for"], name="tasks_occurrence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id}@{self.scheduled_for:%Y-%m-%d %H:%M}"


class Reminder(DurableWork):
    """Remind a person of a task at a time, or some time before its deadline (kept in step with it)."""

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    before_deadline = models.PositiveIntegerField(null=True, blank=True)  # seconds; None: at `due_at`
    by_email = models.BooleanField(default=False)

    class Meta(DurableWork.Meta):
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"remind {self.user_id} of {self.task_id} at {self.due_at}"


class PlanColumn(models.Model):
    """A column of someone's own "My plan" board."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    sort = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["user", "sort", "id"]

    def __str__(self) -> str:
        return self.title


class PlanPlacement(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="+")
    column = models.ForeignKey(PlanColumn, on_delete=models.CASCADE, related_name="placements")
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "task"], name="tasks_plan_once")]

    def __str__(self) -> str:
        return f"{self.task_id} in {self.column_id}"


class TaskFilter(models.Model):
    """A task list filter someone named and kept."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    params = models.JSONField(_("filter"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
