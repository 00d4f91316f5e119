"""Tasks: who answers for what by when, with the people around them, links, dependencies and files."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontora.core.models import SoftDeletable, TimeStamped
from kontora.tasks.choices import CLOSED_STATUSES, DependencyType, MemberRole, Priority, Status


class Task(TimeStamped, SoftDeletable):
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)  # sanitized HTML
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.PositiveSmallIntegerField(_("status"), choices=Status, default=Status.PENDING)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority, default=Priority.NORMAL)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    start_date_plan = models.DateTimeField(_("planned start"), null=True, blank=True)
    end_date_plan = models.DateTimeField(_("planned finish"), null=True, blank=True)
    date_start = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    requires_control = models.BooleanField(_("requires control"), default=False)
    allow_change_deadline = models.BooleanField(_("responsible may change the deadline"), default=False)
    time_estimate = models.PositiveIntegerField(_("time estimate, seconds"), default=0)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent task"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="subtasks",
    )  # fmt: skip
    project = models.ForeignKey(
        "tasks.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="tasks",
    )  # fmt: skip
    stage = models.ForeignKey(
        "tasks.ProjectStage", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    template = models.ForeignKey(
        "tasks.TaskTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    comments_count = models.PositiveIntegerField(default=0)
    last_comment_at = models.DateTimeField(null=True, blank=True)
    last_comment_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result_comment = models.ForeignKey(
        "tasks.TaskComment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["responsible", "status", "deadline"], name="tasks_resp_status_deadline"),
            models.Index(fields=["created_by", "status"], name="tasks_creator_status"),
            models.Index(fields=["project", "stage"], name="tasks_project_stage"),
            # "Doing", newest first: without it the database walks the primary key past other people's tasks
            models.Index(fields=["responsible", "-id"], name="tasks_resp_id", condition=Q(deleted_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.status not in (*CLOSED_STATUSES, Status.AWAITING_CONTROL)
            and self.deadline < timezone.now()
        )


class TaskMember(models.Model):
    """A co-executor or an observer of a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_memberships")
    role = models.CharField(max_length=1, choices=MemberRole)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "user", "role"], name="tasks_member_once")]
        indexes = [models.Index(fields=["user", "role", "task"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}@{self.task_id}"


class CrmLink(models.Model):
    """A link to a deal, lead, contact or company, stored as Bitrix24's UF_CRM_TASK codes ("D_12")."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="crm_links")
    code = models.CharField(max_length=24)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "code"], name="tasks_crm_link_once")]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return self.code


class Dependency(models.Model):
    """`successor` depends on `predecessor` (Gantt links)."""

    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="dependents")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="dependencies")
    type = models.PositiveSmallIntegerField(choices=DependencyType, default=DependencyType.FINISH_START)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="tasks_dependency_once"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="tasks_dependency_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id}->{self.successor_id}"


class TaskFile(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="files")
    comment = models.ForeignKey(
        "tasks.TaskComment", null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to="tasks/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class TaskView(models.Model):
    """When a user last opened a task: comments after it are unread."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "task"], name="tasks_view_once")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.task_id}"
