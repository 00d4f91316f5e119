"""Robots (actions on a stage), their scheduled runs (durable work) and triggers (events that move a record)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.core.models import DurableWork, TimeStamped


class Entity(models.TextChoices):
    DEAL = "deal", _("Deal")
    LEAD = "lead", _("Lead")


class Robot(TimeStamped):
    """An action that runs when a record arrives at a stage, if its condition holds, after its delay.

    `stage` is the status code (`Status.status_id`: "NEW", "C1:NEW", a lead's "IN_PROCESS"); `category` is the
    deal pipeline (null for leads). `condition` is in the filter language (`kontora.core.filters`) over the
    entity's field map (`kontora.crm.schema.fields_of`). `delay`: {"mode": "now"|"after"|"before_field"|
    "after_field"|"at_field", "amount": n, "unit": "minutes"|"hours"|"days", "field": "CLOSEDATE",
    "working_hours": bool}.
    """

    entity = models.CharField(_("entity"), max_length=8, choices=Entity)
    category = models.ForeignKey(
        "crm.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("pipeline")
    )
    stage = models.CharField(_("stage"), max_length=50)
    title = models.CharField(_("title"), max_length=255)
    action = models.CharField(_("action"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    delay = models.JSONField(_("delay"), default=dict, blank=True)
    after_previous = models.BooleanField(_("after the previous robot"), default=False)
    sort = models.PositiveIntegerField(_("sort"), default=100)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sort", "id"]
        indexes = [models.Index(fields=["entity", "stage"])]
        verbose_name = _("robot")
        verbose_name_plural = _("robots")

    def __str__(self) -> str:
        return self.title

    def snapshot(self) -> dict:
        """What a run keeps of the robot when it is scheduled, so later edits do not change it."""
        return {
            "title": self.title, "action": self.action, "params": self.params, "condition": self.condition,
            "delay": self.delay, "after_previous": self.after_previous, "stage": self.stage,
            "category": self.category_id, "entity": self.entity, "created_by": self.created_by_id,
        }  # fmt: skip


class RobotRun(DurableWork):
    """One scheduled run of a robot on one record; the job carries its id (see `kontora.core.durable`).

    A run `waiting` for the previous robot of its chain has no job yet: the previous run schedules it when done.
    A run `holding` is done but holds its chain (the runs waiting for it) until the task `hold_task_id` is completed
    or every field of `hold_fields` is filled in on the record (actions "wait for a task", "ask to fill in fields").
    """

    robot = models.ForeignKey(Robot, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    config = models.JSONField(default=dict)
    entity = models.CharField(max_length=8, choices=Entity)
    record_id = models.PositiveBigIntegerField()
    event_id = models.PositiveBigIntegerField()
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_runs")
    waiting = models.BooleanField(default=False)
    result = models.TextField(blank=True)
    holding = models.BooleanField(default=False)
    hold_task_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    hold_fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    max_attempts = 4

    class Meta(DurableWork.Meta):
        constraints = [models.UniqueConstraint(fields=["robot", "event_id"], name="automation_run_once_per_event")]
        indexes = [
            *DurableWork.Meta.indexes,
            models.Index(fields=["entity", "record_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.config.get('title', '')} → {self.entity} {self.record_id}"

    @classmethod
    def claimable(cls) -> models.Q:
        """A run waiting for the previous robot of its chain is nobody's to take yet, not even the sweeper's."""
        return super().claimable() & models.Q(waiting=False)


class Trigger(TimeStamped):
    """An event that moves a deal or a lead to `stage` (only forward).

    `params` by kind: activity_completed {"type_id": n} (optional), field_changed {"condition": {filter}}, webhook
    {"code": "…"} (generated; the `crm.automation.trigger` REST method names it). Incoming email and calls are
    activities of that type with the incoming direction on the record; a missed call is an incoming call activity
    that is not done when it is recorded (an answered call is recorded as done). A client returned: a new record
    whose contact or company already has earlier deals.
    """

    class Kind(models.TextChoices):
        ACTIVITY_COMPLETED = "activity_completed", _("Activity completed")
        TASK_COMPLETED = "task_completed", _("Task completed")
        FIELD_CHANGED = "field_changed", _("Field changed to a value")
        INCOMING_EMAIL = "incoming_email", _("Incoming email")
        INCOMING_CALL = "incoming_call", _("Incoming call")
        MISSED_CALL = "missed_call", _("Missed call")
        WEBHOOK = "webhook", _("Webhook")
        CLIENT_RETURNED = "client_returned", _("Client returned")

    entity = models.CharField(_("entity"), max_length=8, choices=Entity, default=Entity.DEAL)
    category = models.ForeignKey(
        "crm.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("pipeline")
    )
    stage = models.CharField(_("stage"), max_length=50)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["entity", "kind"])]
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")

    def __str__(self) -> str:
        return f"{self.kind} → {self.stage}"


class Turn(models.Model):
    """Whose turn it is in a distribution among a set of users ("in turn"): keyed by the set, not by the robot."""

    key = models.CharField(max_length=255, unique=True)
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.key
