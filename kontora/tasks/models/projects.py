"""Projects (workgroups, Bitrix24's sonet groups): members with roles, visibility and kanban stages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.core.models import TimeStamped
from kontora.tasks.choices import ProjectRole, Visibility


class Project(TimeStamped):
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility, default=Visibility.OPEN)
    archived = models.BooleanField(_("archived"), default=False)
    files_folder = models.CharField(max_length=255, blank=True)  # the drive's folder key, once the drive exists

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name


class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships")
    role = models.CharField(_("role"), max_length=1, choices=ProjectRole, default=ProjectRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="tasks_project_member_once")]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.project_id}:{self.role}"


class ProjectStage(models.Model):
    """A column of a project's kanban; each project has its own."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages")
    title = models.CharField(_("title"), max_length=100)
    color = models.CharField(_("colour"), max_length=7, default="#00a2e8")
    sort = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["project", "sort", "id"]

    def __str__(self) -> str:
        return self.title
