"""In-app notifications with a live unread counter and an email copy sent by a durable job."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from kontora.core import demo, durable
from kontora.events import realtime
from kontora.events.models import Notification, NotificationEmail


def notify(recipient, message: str, *, link: str = "", by=None, email: bool = True) -> Notification:
    """Tell one user something. `message` should already be in the recipient's language (see `render_for`)."""
    with transaction.atomic():
        notification = Notification.objects.create(recipient=recipient, actor=by, message=message, link=link)
        if email and recipient.email and not demo.building.get():
            row = NotificationEmail.objects.create(notification=notification)
            from kontora.events.jobs import send_notification_email

            transaction.on_commit(lambda: durable.schedule(row, send_notification_email))
        push_counter(recipient.pk, notification=notification)
    return notification


def render_for(recipient, text_factory) -> str:
    """Render a message in the recipient's language: `render_for(user, lambda: _("…") % {...})`."""
    with translation.override(recipient.language or "ru"):
        return str(text_factory())


def unread(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def unread_count(user) -> int:
    return unread(user).count() if user.is_authenticated else 0


def recent(user, limit: int = 20) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).select_related("actor")[:limit])


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; others' notifications are untouched."""
    queryset = unread(user)
    if notification_id is not None:
        queryset = queryset.filter(pk=notification_id)
    changed = queryset.update(read_at=timezone.now())
    if changed:
        push_counter(user.pk)
    return changed


def push_counter(user_id: int, notification: Notification | None = None) -> None:
    data: dict = {"unread": Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()}
    if notification is not None:
        data["notification"] = {"id": notification.pk, "message": notification.message, "link": notification.link}
    realtime.push([user_id], "notifications", data)
