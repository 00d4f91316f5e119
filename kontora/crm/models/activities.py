"""Activities ("дела"), timeline comments and the stage history that analytics reads."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontora.core.models import TimeStamped
from kontora.crm.choices import ActivityType, Direction, EntityType, Semantics


class Activity(TimeStamped):
    owner_type = models.PositiveSmallIntegerField(choices=EntityType)
    owner_id = models.PositiveBigIntegerField()
    type_id = models.PositiveSmallIntegerField(_("type"), choices=ActivityType, default=ActivityType.TODO)
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    direction = models.PositiveSmallIntegerField(_("direction"), choices=Direction, default=Direction.OUTGOING)
    completed = models.BooleanField(_("done"), default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    in_bin = models.BooleanField(default=False)  # its record is in the recycle bin

    class Meta:
        ordering = ["completed", "deadline", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "completed"]),
            models.Index(fields=["responsible", "completed", "deadline"]),
            # Manager activity: each person's range of done or open activities, read from the index alone on
            # PostgreSQL (the gate passes the people as a list of ids); SQLite has no covering indexes and Django
            # skips these there.
            models.Index(
                fields=["responsible", "completed_at"],
                include=["type_id", "in_bin", "id"],
                condition=models.Q(completed=True),
                name="crm_activity_done",
            ),
            models.Index(
                fields=["responsible", "deadline"],
                include=["in_bin", "id"],
                condition=models.Q(completed=False),
                name="crm_activity_open",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_overdue(self) -> bool:
        return not self.completed and self.deadline is not None and self.deadline < timezone.now()


class Comment(models.Model):
    """A timeline comment on a lead, deal, contact or company (crm.timeline.comment)."""

    entity_type = models.PositiveSmallIntegerField(choices=EntityType)
    entity_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class StageHistory(models.Model):
    """Every move of a deal or lead between stages, with the time spent in the stage it left."""

    entity_type = models.PositiveSmallIntegerField(choices=EntityType)
    entity_id = models.PositiveBigIntegerField()
    category = models.ForeignKey("crm.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    from_stage = models.ForeignKey("crm.Status", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey("crm.Status", on_delete=models.PROTECT, related_name="+")
    semantics = models.CharField(max_length=1, choices=Semantics)
    moved_at = models.DateTimeField(default=timezone.now)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    seconds_in_previous = models.PositiveBigIntegerField(null=True, blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-moved_at", "-id"]
        indexes = [
            models.Index(fields=["entity_type", "entity_id", "moved_at"]),
            models.Index(fields=["category", "to_stage", "moved_at"]),
            # Moves in a period (manager activity, KPIs), answered from the index alone on PostgreSQL; SQLite
            # has no covering indexes and Django skips this one there.
            models.Index(
                fields=["entity_type", "moved_at"],
                include=["entity_id", "from_stage", "to_stage", "moved_by", "id"],
                name="crm_stagehistory_moved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_type}:{self.entity_id} → {self.to_stage_id}"
