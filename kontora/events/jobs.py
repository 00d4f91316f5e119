"""Background work of the events app: notification emails, subscriber retries, outbox pruning."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kontora.core import durable
from kontora.events import realtime
from kontora.events.models import Event, NotificationEmail, SubscriberRetry


@task
def send_notification_email(pk: int) -> bool:
    return durable.perform(NotificationEmail, pk, _send)


def _send(row: NotificationEmail) -> None:
    notification = row.notification
    recipient = notification.recipient
    with translation.override(recipient.language or "ru"):
        link = f"{settings.SITE_URL.rstrip('/')}{notification.link}" if notification.link else settings.SITE_URL
        send_mail(
            subject=_("Kontora: %(message)s") % {"message": notification.message[:60]},
            message=f"{notification.message}\n\n{link}\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )


@task
def retry_subscriber(pk: int) -> bool:
    return durable.perform(SubscriberRetry, pk, _rerun)


def _rerun(row: SubscriberRetry) -> None:
    with transaction.atomic():
        import_string(row.handler)(row.event)


def schedule_subscriber_retry(event: Event, path: str) -> None:
    row = SubscriberRetry.objects.create(event=event, handler=path, due_at=timezone.now() + timedelta(seconds=30))
    durable.schedule(row, retry_subscriber)


@db_periodic_task(crontab(minute="*/10"), name="kontora.prune_realtime_outbox")
def prune_realtime_outbox() -> int:
    return realtime.prune_outbox()


durable.register(NotificationEmail, send_notification_email)
durable.register(SubscriberRetry, retry_subscriber)
