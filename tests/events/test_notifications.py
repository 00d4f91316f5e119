"""Notifications: in the recipient's language, counted, marked read, and copied by email exactly once."""

from django.core import mail
from django.utils.translation import gettext as _

from kontora.events import notifications
from kontora.events.jobs import send_notification_email
from kontora.events.models import NotificationEmail, RealtimeMessage


def test_notify_counts_unread_and_queues_a_realtime_push(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(org.sales_rep, "Plan next steps on your deals", link="/", by=org.sales_head)

    assert notifications.unread_count(org.sales_rep) == 1
    push = RealtimeMessage.objects.get(group=f"user.{org.sales_rep.pk}")
    assert push.payload["kind"] == "notifications"
    assert push.payload["data"]["unread"] == 1
    assert push.payload["data"]["notification"]["message"] == "Plan next steps on your deals"


def test_email_copy_is_sent_once_in_the_recipients_language(org, django_capture_on_commit_callbacks):
    org.sales_rep.language = "en"
    org.sales_rep.save()

    with django_capture_on_commit_callbacks(execute=True):
        notification = notifications.notify(org.sales_rep, "Your deal was won", link="/deals/1/")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [org.sales_rep.email]
    assert mail.outbox[0].subject == "Kontora: Your deal was won"
    assert "/deals/1/" in mail.outbox[0].body
    row = NotificationEmail.objects.get(notification=notification)
    assert row.status == "done"

    send_notification_email.call(row.pk)  # a duplicate job, as after a sweep

    assert len(mail.outbox) == 1


def test_render_for_uses_the_recipients_language(org):
    org.sales_rep.language = "en"

    assert notifications.render_for(org.sales_rep, lambda: _("Notifications")) == "Notifications"


def test_mark_read_touches_only_own_notifications(org):
    mine = notifications.notify(org.sales_rep, "one", email=False)
    notifications.notify(org.sales_rep, "two", email=False)
    theirs = notifications.notify(org.marketing_rep, "three", email=False)

    assert notifications.mark_read(org.sales_rep, theirs.pk) == 0
    assert notifications.mark_read(org.sales_rep, mine.pk) == 1
    assert notifications.unread_count(org.sales_rep) == 1
    assert notifications.mark_read(org.sales_rep) == 1
    assert notifications.unread_count(org.marketing_rep) == 1


def test_failed_email_is_retried_with_back_off_then_marked_failed(org, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.events.test_notifications.BrokenBackend"}}
    notification = notifications.notify(org.sales_rep, "x", email=False)
    row = NotificationEmail.objects.create(notification=notification)

    assert send_notification_email.call(row.pk) is False

    row.refresh_from_db()
    assert row.status == "pending"
    assert row.attempts == 1
    assert "SMTP is down" in row.last_error
    assert row.due_at > row.notification.created_at
    NotificationEmail.objects.filter(pk=row.pk).update(
        attempts=NotificationEmail.max_attempts - 1, due_at=row.notification.created_at
    )
    send_notification_email.call(row.pk)
    row.refresh_from_db()
    assert row.status == "failed"


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP is down")


def test_the_demo_company_is_built_without_mailing_its_made_up_history(org, django_capture_on_commit_callbacks):
    from kontora.core import demo

    token = demo.building.set(True)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notifications.notify(org.sales_rep, "Задача из демо-данных", link="/")
    finally:
        demo.building.reset(token)

    assert notifications.unread_count(org.sales_rep) == 1
    assert len(mail.outbox) == 0
