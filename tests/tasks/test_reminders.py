"""Reminders fire once at their time, follow the deadline they count from, and skip closed tasks."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kontora.core.errors import Invalid
from kontora.core.models import WorkStatus
from kontora.events.models import Notification
from kontora.tasks.jobs import send_reminder
from kontora.tasks.models import Reminder
from kontora.tasks.services import reminders, status
from kontora.tasks.services.tasks import set_deadline
from tests.factories import make_task


def test_reminder_before_deadline_moves_with_the_deadline(org):
    deadline = timezone.now() + timedelta(days=2)
    task = make_task(by=org.sales_rep, deadline=deadline)

    reminder = reminders.add_reminder(task, by=org.sales_rep, before_deadline=3600)
    assert reminder.due_at == deadline - timedelta(hours=1)

    set_deadline(task, deadline + timedelta(days=1), by=org.sales_rep)
    reminder.refresh_from_db()
    assert reminder.due_at == deadline + timedelta(days=1) - timedelta(hours=1)


def test_due_reminder_notifies_once_with_an_email_copy(org, django_capture_on_commit_callbacks):
    task = make_task("Сдать отчёт", by=org.sales_rep)
    reminder = reminders.add_reminder(task, by=org.sales_rep, at=timezone.now() + timedelta(minutes=5), by_email=True)
    Reminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminder.call(reminder.pk) is True
    assert send_reminder.call(reminder.pk) is False  # a duplicate job finds it done

    assert Notification.objects.filter(recipient=org.sales_rep, message__contains="Сдать отчёт").count() == 1
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(pk=reminder.pk).status == WorkStatus.DONE


def test_reminder_of_a_completed_task_stays_silent(org):
    task = make_task(by=org.sales_rep)
    reminder = reminders.add_reminder(task, by=org.sales_rep, at=timezone.now() + timedelta(minutes=5))
    status.complete_task(task, by=org.sales_rep)
    Reminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now() - timedelta(seconds=1))

    send_reminder.call(reminder.pk)

    assert not Notification.objects.filter(recipient=org.sales_rep).exists()


@pytest.mark.parametrize(("kwargs", "code"), [
    ({}, "REMINDER_WHEN"),
    ({"before_deadline": 60}, "NO_DEADLINE"),
    ({"at": timezone.now() - timedelta(minutes=1)}, "IN_THE_PAST"),
])  # fmt: skip
def test_bad_reminders_are_refused(org, kwargs, code):
    task = make_task(by=org.sales_rep)

    with pytest.raises(Invalid) as error:
        reminders.add_reminder(task, by=org.sales_rep, **kwargs)

    assert error.value.code == code
