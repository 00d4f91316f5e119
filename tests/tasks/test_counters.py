"""Each task counter equals a count written by hand in SQL over the task, member and view tables."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kontora.core.registry import registry
from kontora.tasks import selectors
from kontora.tasks.choices import MemberRole, Status
from kontora.tasks.models import Task, TaskMember, TaskView
from kontora.tasks.services.tasks import delete_task
from tests.factories import make_task

OPEN = "1, 2, 3, 6"
DOING = (
    "(t.responsible_id = %(user)s OR EXISTS (SELECT 1 FROM tasks_taskmember m"
    " WHERE m.task_id = t.id AND m.user_id = %(user)s AND m.role = 'A'))"
)
PARTICIPANT = (
    "(t.responsible_id = %(user)s OR t.created_by_id = %(user)s OR EXISTS (SELECT 1 FROM tasks_taskmember m"
    " WHERE m.task_id = t.id AND m.user_id = %(user)s))"
)
SQL = {
    "new": f"t.status IN ({OPEN}) AND {DOING} AND t.created_by_id <> %(user)s"
    " AND NOT EXISTS (SELECT 1 FROM tasks_taskview v WHERE v.task_id = t.id AND v.user_id = %(user)s)",
    "overdue": f"t.status IN ({OPEN}) AND t.deadline < %(now)s AND {DOING}",
    "due_soon": f"t.status IN ({OPEN}) AND t.deadline >= %(now)s AND t.deadline < %(day)s AND {DOING}",
    "no_deadline": f"t.status IN ({OPEN}) AND t.deadline IS NULL AND t.responsible_id = %(user)s"
    " AND t.created_by_id <> %(user)s",
    "unread_comments": f"{PARTICIPANT} AND t.last_comment_at IS NOT NULL"
    " AND (t.last_comment_by_id IS NULL OR t.last_comment_by_id <> %(user)s)"
    " AND NOT EXISTS (SELECT 1 FROM tasks_taskview v WHERE v.task_id = t.id AND v.user_id = %(user)s"
    " AND v.seen_at >= t.last_comment_at)"
    f" AND NOT (t.status IN ({OPEN}) AND {DOING} AND t.created_by_id <> %(user)s"
    " AND NOT EXISTS (SELECT 1 FROM tasks_taskview v WHERE v.task_id = t.id AND v.user_id = %(user)s))",
    "awaiting_control": "t.created_by_id = %(user)s AND t.status = 4 AND t.responsible_id <> %(user)s",
}


def bare_count(name: str, user_id: int) -> int:
    now = timezone.now()
    params = {
        "user": user_id,
        "now": connection.ops.adapt_datetimefield_value(now),
        "day": connection.ops.adapt_datetimefield_value(now + timedelta(hours=24)),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM tasks_task t WHERE t.deleted_at IS NULL AND {SQL[name]}", params)
        return cursor.fetchone()[0]


def task(title: str, *, status: int | None = None, **fields) -> Task:
    """A task set through the service, then put straight into a status (the status machine is tested elsewhere)."""
    made = make_task(title, **fields)
    if status is not None:
        Task.objects.filter(pk=made.pk).update(status=status)
    return made


def set_comment(task: Task, author, *, minutes_ago: int) -> None:
    Task.objects.filter(pk=task.pk).update(
        last_comment_at=timezone.now() - timedelta(minutes=minutes_ago), last_comment_by=author, comments_count=1
    )


def saw(task: Task, user, *, minutes_ago: int) -> None:
    TaskView.objects.update_or_create(
        task=task, user=user, defaults={"seen_at": timezone.now() - timedelta(minutes=minutes_ago)}
    )


@pytest.fixture
def busy_company(org):
    """Tasks between anna, oleg, elena and irina in every state the counters tell apart."""
    anna, oleg, elena, irina = org.sales_rep, org.sales_head, org.kazan_rep, org.marketing_rep
    now = timezone.now()
    late = task("late", by=oleg, responsible=anna, deadline=now - timedelta(days=2))
    task("late but done", by=oleg, responsible=anna, deadline=now - timedelta(days=1), status=Status.COMPLETED)
    task("late, awaiting control", by=oleg, responsible=anna, deadline=now - timedelta(days=1),
              status=Status.AWAITING_CONTROL)  # fmt: skip
    task("late, deferred", by=anna, responsible=anna, deadline=now - timedelta(hours=3), status=Status.DEFERRED)
    helping = task("helping, late", by=oleg, responsible=elena, accomplices=[anna],
                        deadline=now - timedelta(hours=5))  # fmt: skip
    task("watching, late", by=oleg, responsible=elena, auditors=[anna], deadline=now - timedelta(hours=5))
    task("soon", by=oleg, responsible=anna, deadline=now + timedelta(hours=5))
    task("soon as helper", by=irina, responsible=irina, accomplices=[anna], deadline=now + timedelta(hours=20))
    task("not so soon", by=oleg, responsible=anna, deadline=now + timedelta(hours=30))
    task("no deadline", by=oleg, responsible=anna)
    task("no deadline, own", by=anna, responsible=anna)
    task("no deadline, closed", by=oleg, responsible=anna, status=Status.DECLINED)
    task("no deadline, elena", by=anna, responsible=elena)
    control = task("to control", by=anna, responsible=elena, status=Status.AWAITING_CONTROL)
    task("to control, own", by=anna, responsible=anna, status=Status.AWAITING_CONTROL)
    task("to control, oleg's", by=oleg, responsible=elena, status=Status.AWAITING_CONTROL)
    gone = task("deleted, late", by=anna, responsible=anna, deadline=now - timedelta(days=1))
    delete_task(gone, by=anna)
    set_comment(late, oleg, minutes_ago=10)  # anna has not opened it: unread
    set_comment(helping, elena, minutes_ago=30)
    saw(helping, anna, minutes_ago=5)  # read after the comment
    set_comment(control, elena, minutes_ago=30)
    saw(control, anna, minutes_ago=60)  # read before the comment: unread
    commented_by_anna = task("anna commented", by=oleg, responsible=anna)
    set_comment(commented_by_anna, anna, minutes_ago=3)
    outsider = task("irina's own", by=irina, responsible=irina)
    set_comment(outsider, irina, minutes_ago=3)
    TaskMember.objects.get_or_create(task=outsider, user=elena, role=MemberRole.AUDITOR)
    return org


def test_each_counter_equals_a_bare_sql_count_for_every_person(busy_company):
    for person in busy_company.people():
        values = selectors.counters(person.pk)
        for name in selectors.COUNTERS:
            assert values[name] == bare_count(name, person.pk), (person.username, name)


def test_the_data_makes_every_counter_count_something(busy_company):
    anna = busy_company.sales_rep
    assert selectors.counters(anna.pk) == {
        "new": 6, "overdue": 3, "due_soon": 2, "no_deadline": 2, "unread_comments": 1, "awaiting_control": 1,
    }  # fmt: skip


def test_the_header_count_is_not_opened_late_unread_and_to_control(busy_company):
    anna = busy_company.sales_rep
    values = selectors.counters(anna.pk)
    assert selectors.header_count(anna) == (
        values["new"] + values["overdue"] + values["unread_comments"] + values["awaiting_control"]
    )
    assert registry.get("counters", "tasks").count(anna) == selectors.header_count(anna)


def test_the_list_chips_show_the_counters_and_filter_to_exactly_their_tasks(client, busy_company):
    anna = busy_company.sales_rep
    client.force_login(anna)
    page = client.get(reverse("tasks:list"))
    assert page.status_code == 200
    html = page.content.decode()
    for name in selectors.COUNTERS:
        assert f'data-counter="tasks_{name}"' in html
        listed = client.get(reverse("tasks:list"), {"counter": name})
        pks = {task.pk for task in listed.context["page"].object_list}
        assert pks == set(selectors.counter_querysets(anna.pk)[name].values_list("pk", flat=True)), name
        assert len(pks) == bare_count(name, anna.pk)


def test_a_head_sees_his_peoples_counters_linking_to_their_lists(client, busy_company):
    oleg, anna, elena = busy_company.sales_head, busy_company.sales_rep, busy_company.kazan_rep
    client.force_login(oleg)
    page = client.get(reverse("tasks:team_counters"))
    assert page.status_code == 200
    rows = {row["person"].pk: row for row in page.context["rows"]}
    assert set(rows) >= {anna.pk, elena.pk}
    assert busy_company.marketing_rep.pk not in rows
    cells = {cell["key"]: cell for cell in rows[anna.pk]["cells"]}
    assert {key: cell["value"] for key, cell in cells.items()} == selectors.counters(anna.pk)
    listed = client.get(cells["overdue"]["url"])
    assert {task.pk for task in listed.context["page"].object_list} == set(
        selectors.counter_querysets(anna.pk)["overdue"].values_list("pk", flat=True)
    )


def test_an_employee_without_people_sees_an_empty_team_page(client, busy_company):
    client.force_login(busy_company.sales_rep)
    page = client.get(reverse("tasks:team_counters"))
    assert page.status_code == 200
    assert page.context["rows"] == []
    assert "empty-state" in page.content.decode()


def test_an_employee_cannot_list_someone_elses_counter(client, busy_company):
    client.force_login(busy_company.sales_rep)
    listed = client.get(reverse("tasks:list"), {"counter": "overdue", "person": busy_company.kazan_rep.pk})
    assert list(listed.context["page"].object_list) == []
