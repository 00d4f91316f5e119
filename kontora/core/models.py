"""Base models shared by every app: timestamps and durable work items."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AliveManager(models.Manager):
    """The default manager of soft-deletable models: records in the recycle bin are not there."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeletable(models.Model):
    """Deleting moves a record to the recycle bin; `all_objects` still sees it, restoring clears the mark."""

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AliveManager()
    all_objects = models.Manager()  # noqa: DJ012  a second manager, not a field

    class Meta:
        abstract = True


class WorkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DurableWork(models.Model):
    """A unit of background work whose truth lives in Kontora's table, not in the queue.

    A job carries only the row's id. It claims the row with a lease (one UPDATE that only one worker can win,
    stamping a fresh token), does the work, and marks it done if it still holds that token. A killed worker
    leaves a RUNNING row whose lease expires; the sweeper re-enqueues it. A done row is never claimed again, so
    work is late at worst, never lost. Work that outlives its lease (JOB_LEASE_SECONDS) may be handed to a
    second worker, so the lease must be longer than the slowest honest run.
    """

    status = models.CharField(_("status"), max_length=16, choices=WorkStatus, default=WorkStatus.PENDING)
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    max_attempts = 5

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["status", "due_at"])]

    @classmethod
    def claimable(cls) -> models.Q:
        now = timezone.now()
        return models.Q(status=WorkStatus.PENDING, due_at__lte=now) | models.Q(
            status=WorkStatus.RUNNING, lease_until__lt=now
        )

    @classmethod
    def claim(cls, pk: int) -> str | None:
        """Take the row for this worker and return the lease token; None when it is taken, done or not due."""
        token = uuid.uuid4().hex
        lease = timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)
        won = cls.objects.filter(cls.claimable(), pk=pk).update(
            status=WorkStatus.RUNNING, lease_until=lease, lease_token=token, attempts=models.F("attempts") + 1
        )
        return token if won == 1 else None

    @classmethod
    def finish(cls, pk: int, token: str) -> bool:
        done = cls.objects.filter(pk=pk, status=WorkStatus.RUNNING, lease_token=token).update(
            status=WorkStatus.DONE, done_at=timezone.now(), lease_until=None, last_error=""
        )
        return done == 1

    @classmethod
    def fail(cls, pk: int, token: str, error: str) -> None:
        """Retry with exponential back-off, then give up and keep the error for people to see."""
        row = cls.objects.filter(pk=pk, lease_token=token, status=WorkStatus.RUNNING).first()
        if row is None:  # the lease ran out and another worker owns the row now
            return
        if row.attempts >= cls.max_attempts:
            row.status = WorkStatus.FAILED
        else:
            row.status = WorkStatus.PENDING
            row.due_at = timezone.now() + timedelta(seconds=30 * 2 ** (row.attempts - 1))
        row.lease_until = None
        row.last_error = error[:4000]
        row.save(update_fields=["status", "due_at", "lease_until", "last_error"])
