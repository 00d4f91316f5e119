"""People hear what concerns them about tasks, and their counters follow live."""

from datetime import timedelta

from django.utils import timezone

from kontora.events.models import Notification, RealtimeMessage
from kontora.tasks.services import status
from kontora.tasks.services.tasks import set_deadline, update_task
from tests.factories import make_task


def messages(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("message", flat=True))


def test_assignment_notifies_the_people_but_not_the_setter(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_task("Позвонить клиенту", by=org.sales_head, responsible=org.sales_rep, auditors=[org.kazan_rep])

    [message] = messages(org.sales_rep)
    assert org.sales_head.full_name in message and "Позвонить клиенту" in message
    assert any("Позвонить клиенту" in message for message in messages(org.kazan_rep))
    assert messages(org.sales_head) == []


def test_control_loop_is_announced_to_creator_and_responsible(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task("Отчёт", by=org.sales_head, responsible=org.sales_rep, requires_control=True)
    with django_capture_on_commit_callbacks(execute=True):
        task = status.complete_task(task, by=org.sales_rep)
    assert len(messages(org.sales_head)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        status.return_task(task, by=org.sales_head)

    assert len(messages(org.sales_rep)) == 2  # the assignment, then the return


def test_deadline_change_notifies_and_pushes_counters(org, django_capture_on_commit_callbacks):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    RealtimeMessage.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        set_deadline(task, timezone.now() - timedelta(hours=1), by=org.sales_head)

    assert any(task.title in message for message in messages(org.sales_rep))
    pushes = [row.payload["data"] for row in RealtimeMessage.objects.filter(
        group=f"user.{org.sales_rep.pk}", payload__kind="counters")]  # fmt: skip
    assert pushes and pushes[-1]["tasks_overdue"] == 1 and pushes[-1]["tasks"] >= 1


def test_added_observer_is_told(org, django_capture_on_commit_callbacks):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        update_task(task, by=org.sales_head, auditors=[org.marketing_rep])

    assert len(messages(org.marketing_rep)) == 1
