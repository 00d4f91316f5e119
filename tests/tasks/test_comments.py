"""Comments: mentions, the result, unread counters, sanitizing."""

from django.urls import reverse

from kontora.accounts import access
from kontora.events.models import Notification
from kontora.tasks import selectors
from kontora.tasks.choices import MemberRole
from kontora.tasks.models import Task, TaskMember
from kontora.tasks.services import comments
from tests.factories import make_task


def test_mention_notifies_and_adds_an_outsider_as_observer(org, django_capture_on_commit_callbacks):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    assert not access.can(org.marketing_rep, "read", task)

    with django_capture_on_commit_callbacks(execute=True):
        comments.add_comment(task, by=org.sales_rep, text=f"Глянь, [USER={org.marketing_rep.pk}]Ирина[/USER]")

    assert TaskMember.objects.filter(task=task, user=org.marketing_rep, role=MemberRole.AUDITOR).exists()
    assert access.can(org.marketing_rep, "read", task)
    assert Notification.objects.filter(recipient=org.marketing_rep, link=f"/tasks/{task.pk}/").exists()


def test_result_comment_is_remembered_on_the_task(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)

    comment = comments.add_comment(task, by=org.sales_rep, text="КП отправлено", is_result=True)

    task.refresh_from_db()
    assert comment.is_result and task.result_comment == comment and task.comments_count == 1


def test_unread_comment_counter_drops_after_opening_the_card(client, org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    client.force_login(org.sales_rep)
    assert client.get(reverse("tasks:card", args=[task.pk])).status_code == 200  # she has seen the task
    comments.add_comment(task, by=org.sales_head, text="Как дела?")
    assert selectors.counters(org.sales_rep.pk)["unread_comments"] == 1

    assert client.get(reverse("tasks:card", args=[task.pk])).status_code == 200

    assert selectors.counters(org.sales_rep.pk)["unread_comments"] == 0
    assert selectors.counters(org.sales_head.pk)["unread_comments"] == 0


def test_sanitizing_strips_scripts_and_handlers(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)

    comment = comments.add_comment(
        task, by=org.sales_rep, text='<p onclick="steal()">Привет<script>alert(1)</script></p><img src=x onerror=1>'
    )
    described = Task.objects.get(pk=make_task(by=org.sales_head, description="<b>Жирно</b><script>x()</script>").pk)

    assert comment.text == "<p>Привет</p>"
    assert described.description == "<b>Жирно</b>"
