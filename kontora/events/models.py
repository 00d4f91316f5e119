"""Events, change sets, notifications and the realtime outbox."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontora.core.models import DurableWork


class Event(models.Model):
    """A domain event as emitted by a service; kept so that failed subscribers can be retried."""

    name = models.CharField(max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.object_id}"

    @property
    def target(self):
        if self.content_type_id is None:
            return None
        return self.content_type.model_class()._default_manager.filter(pk=self.object_id).first()


class SubscriberRetry(DurableWork):
    """A subscriber that failed on an event, retried with back-off until it succeeds or gives up."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="retries")
    handler = models.CharField(max_length=255)

    class Meta(DurableWork.Meta):
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.handler} on {self.event}"


class ChangeSet(models.Model):
    """One service write: which record, who, when, and each field's old and new value."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        ROBOT = "robot", _("automation ran")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action)
    changes = models.JSONField(default=dict, blank=True)  # {field: [old, new]}
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"]),
            models.Index(fields=["actor", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("message"))  # rendered in the recipient's language when created
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message[:80]


class NotificationEmail(DurableWork):
    """The email copy of a notification: durable, sent by a job, exactly once."""

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="email")

    class Meta(DurableWork.Meta):
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"email for {self.notification_id}"


class RealtimeMessage(models.Model):
    """Outbox for pushes raised outside the web process, read by the web process's poller (embedded mode)."""

    group = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.group}: {self.payload.get('kind')}"
