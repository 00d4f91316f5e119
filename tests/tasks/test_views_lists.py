"""The task list (tabs, filters, saved filters, export), the deadline kanban, My plan and the calendar feed."""

import csv
import io
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kontora.accounts import access
from kontora.core.errors import Invalid
from kontora.core.registry import registry
from kontora.tasks import boards
from kontora.tasks.choices import Priority
from kontora.tasks.models import PlanColumn, PlanPlacement, Task, TaskFilter
from tests.factories import make_task

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def listed(client, **params) -> set[int]:
    response = client.get(reverse("tasks:list"), params)
    assert response.status_code == 200
    return {task.pk for task in response.context["page"].object_list}


@pytest.fixture
def tasks(org):
    anna, oleg, elena, irina = org.sales_rep, org.sales_head, org.kazan_rep, org.marketing_rep
    return {
        "own": make_task("Позвонить клиенту", by=anna, tags=["срочно"]),
        "from_oleg": make_task("Подготовить КП", by=oleg, responsible=anna, priority=Priority.HIGH),
        "helping": make_task("Выставить счёт", by=oleg, responsible=elena, accomplices=[anna]),
        "watching": make_task("Отгрузка", by=oleg, responsible=elena, auditors=[anna]),
        "set_for_elena": make_task("Сверка", by=anna, responsible=elena),
        "elenas": make_task("Отчёт Казани", by=elena),
        "irinas": make_task("Рассылка", by=irina),
    }


def test_each_tab_shows_the_tasks_of_its_role(client, org, tasks):
    client.force_login(org.sales_rep)
    assert listed(client) == {tasks["own"].pk, tasks["from_oleg"].pk}
    assert listed(client, role="doing") == {tasks["own"].pk, tasks["from_oleg"].pk}
    assert listed(client, role="assisting") == {tasks["helping"].pk}
    assert listed(client, role="set_by_me") == {tasks["set_for_elena"].pk}
    assert listed(client, role="following") == {tasks["watching"].pk}


def test_a_heads_department_tab_has_his_peoples_tasks_and_no_outsiders(client, org, tasks):
    client.force_login(org.sales_head)
    department = listed(client, role="department")
    assert {tasks["own"].pk, tasks["from_oleg"].pk, tasks["elenas"].pk} <= department
    assert tasks["irinas"].pk not in department


def test_outsiders_tasks_are_never_listed(client, org, tasks):
    client.force_login(org.sales_rep)
    seen = set()
    for role in ("doing", "assisting", "set_by_me", "following", "department", "all"):
        seen |= listed(client, role=role)
    for counter in ("overdue", "due_soon", "no_deadline", "unread_comments", "awaiting_control"):
        seen |= listed(client, counter=counter, person=org.marketing_rep.pk)
    assert tasks["irinas"].pk not in seen
    assert tasks["elenas"].pk not in seen
    assert seen <= set(access.visible(org.sales_rep, Task).values_list("pk", flat=True))


def test_filters_presets_and_search_narrow_the_list(client, org, tasks):
    anna = org.sales_rep
    Task.objects.filter(pk=tasks["own"].pk).update(deadline=datetime(2030, 3, 10, 12, tzinfo=MOSCOW))
    client.force_login(anna)
    assert listed(client, preset="high_priority") == {tasks["from_oleg"].pk}
    assert listed(client, q="клиенту") == {tasks["own"].pk}
    assert listed(client, tag="срочно") == {tasks["own"].pk}
    assert listed(client, creator=org.sales_head.pk) == {tasks["from_oleg"].pk}
    assert listed(client, role="set_by_me", responsible=org.kazan_rep.pk) == {tasks["set_for_elena"].pk}
    assert listed(client, deadline_from="2030-03-10", deadline_to="2030-03-10") == {tasks["own"].pk}
    assert listed(client, deadline_from="2030-03-11") == set()
    assert listed(client, status=2) == {tasks["own"].pk, tasks["from_oleg"].pk}
    assert listed(client, status=5) == set()


def test_a_saved_filter_keeps_the_parameters_lists_and_deletes(client, org, tasks):
    client.force_login(org.sales_rep)
    url = reverse("tasks:list") + "?role=doing&preset=high_priority&q=КП"
    response = client.post(url, {"save_filter": "1", "name": "Срочное"})
    assert response.status_code == 302
    saved = TaskFilter.objects.get(owner=org.sales_rep)
    assert saved.params == {"role": "doing", "preset": "high_priority", "q": "КП"}
    page = client.get(reverse("tasks:list"))
    links = page.context["saved_filters"]
    assert [item["filter"].name for item in links] == ["Срочное"]
    assert {task.pk for task in client.get(links[0]["url"]).context["page"].object_list} == {tasks["from_oleg"].pk}

    client.force_login(org.kazan_rep)
    client.post(reverse("tasks:list"), {"delete_filter": str(saved.pk)})
    assert TaskFilter.objects.filter(pk=saved.pk).exists()  # not hers: nothing happens

    client.force_login(org.sales_rep)
    client.post(reverse("tasks:list"), {"delete_filter": str(saved.pk)})
    assert not TaskFilter.objects.filter(pk=saved.pk).exists()


def test_quick_add_creates_a_task_for_the_chosen_responsible(client, org):
    client.force_login(org.sales_head)
    response = client.post(
        reverse("tasks:list"),
        {
            "quick_add": "1",
            "title": "Проверить договор",
            "responsible": org.sales_rep.pk,
            "deadline": "2030-05-01T18:00",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Проверить договор")
    assert (task.created_by, task.responsible) == (org.sales_head, org.sales_rep)
    assert timezone.localtime(task.deadline, MOSCOW) == datetime(2030, 5, 1, 18, tzinfo=MOSCOW)


def export_rows(client, fmt: str, **params) -> list[list]:
    response = client.get(reverse("tasks:list"), {**params, "export": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_export_has_the_lists_rows_that_the_user_may_export(client, org, tasks):
    oleg = org.sales_head
    client.force_login(oleg)
    shown = listed(client, role="department")
    allowed = set(access.visible(oleg, Task, "export").values_list("pk", flat=True))
    for fmt in ("csv", "xlsx"):
        ids = {int(row[0]) for row in export_rows(client, fmt, role="department")}
        assert ids == shown & allowed
        assert tasks["irinas"].pk not in ids
    assert {int(row[0]) for row in export_rows(client, "csv", role="department", q="Сверка")} == {
        tasks["set_for_elena"].pk
    }


def test_export_is_refused_to_those_who_may_not_export(client, org, tasks):
    client.force_login(org.nobody)
    assert client.get(reverse("tasks:list"), {"export": "csv"}).status_code == 404


# ---- the deadline kanban ----------------------------------------------------------------------------------


def test_deadline_columns_and_targets_in_the_readers_time_zone():
    with timezone.override(MOSCOW):
        wednesday = boards.bounds(datetime(2030, 1, 16, 10, tzinfo=MOSCOW))
        assert boards.deadline_for("today", wednesday) == datetime(2030, 1, 16, 19, tzinfo=MOSCOW)
        assert boards.deadline_for("this_week", wednesday) == datetime(2030, 1, 18, 19, tzinfo=MOSCOW)
        assert boards.deadline_for("next_week", wednesday) == datetime(2030, 1, 25, 19, tzinfo=MOSCOW)
        assert boards.deadline_for("later", wednesday) == datetime(2030, 2, 1, 19, tzinfo=MOSCOW)
        assert boards.deadline_for("no_deadline", wednesday) is None
        for column in ("today", "this_week", "next_week", "later", "no_deadline"):
            assert boards.column_of(boards.deadline_for(column, wednesday), wednesday) == column
        evening = boards.bounds(datetime(2030, 1, 16, 21, tzinfo=MOSCOW))
        assert boards.deadline_for("today", evening) == datetime(2030, 1, 16, 23, 59, tzinfo=MOSCOW)
        saturday = boards.bounds(datetime(2030, 1, 19, 10, tzinfo=MOSCOW))
        assert boards.deadline_for("this_week", saturday) == datetime(2030, 1, 20, 19, tzinfo=MOSCOW)
        sunday = boards.bounds(datetime(2030, 1, 20, 10, tzinfo=MOSCOW))
        with pytest.raises(Invalid):
            boards.deadline_for("this_week", sunday)
        with pytest.raises(Invalid):
            boards.deadline_for("overdue", wednesday)


def test_the_deadline_board_has_the_users_open_doing_tasks_in_columns(client, org, tasks):
    Task.objects.filter(pk=tasks["own"].pk).update(deadline=timezone.now() - timedelta(hours=1))
    client.force_login(org.sales_rep)
    response = client.get(reverse("tasks:deadline_board"))
    assert response.status_code == 200
    columns = {column["key"]: {task.pk for task in column["tasks"]} for column in response.context["columns"]}
    assert columns["overdue"] == {tasks["own"].pk}
    assert columns["no_deadline"] == {tasks["from_oleg"].pk, tasks["helping"].pk}
    assert tasks["watching"].pk not in set().union(*columns.values())


def test_moving_a_card_sets_the_deadline(client, org, tasks):
    anna = org.sales_rep
    client.force_login(anna)
    url = reverse("tasks:deadline_move", args=[tasks["own"].pk])
    response = client.post(url, {"column": "next_week"})
    assert response.status_code == 200
    assert response.json()["column"] == "next_week"
    today = timezone.localdate(timezone=MOSCOW)
    friday = today - timedelta(days=today.weekday()) + timedelta(days=11)
    deadline = timezone.localtime(Task.objects.get(pk=tasks["own"].pk).deadline, MOSCOW)
    assert (deadline.date(), deadline.hour, deadline.minute) == (friday, 19, 0)

    response = client.post(url, {"column": "today"})
    deadline = timezone.localtime(Task.objects.get(pk=tasks["own"].pk).deadline, MOSCOW)
    assert response.json()["column"] == "today" and deadline.date() == today and deadline > timezone.now()

    assert client.post(url, {"column": "no_deadline"}).json()["column"] == "no_deadline"
    assert Task.objects.get(pk=tasks["own"].pk).deadline is None


def test_refused_moves_leave_the_deadline(client, org, tasks):
    client.force_login(org.sales_rep)
    forbidden = client.post(reverse("tasks:deadline_move", args=[tasks["from_oleg"].pk]), {"column": "today"})
    assert forbidden.status_code == 403 and forbidden.json()["error"]
    overdue = client.post(reverse("tasks:deadline_move", args=[tasks["own"].pk]), {"column": "overdue"})
    assert overdue.status_code == 422
    outsider = client.post(reverse("tasks:deadline_move", args=[tasks["irinas"].pk]), {"column": "today"})
    assert outsider.status_code == 404
    assert not Task.objects.filter(pk__in=[t.pk for t in tasks.values()], deadline__isnull=False).exists()


def test_an_exact_deadline_from_the_calendar(client, org, tasks):
    client.force_login(org.sales_rep)
    url = reverse("tasks:deadline_move", args=[tasks["own"].pk])
    response = client.post(url, {"deadline": "2030-04-02T09:30:00Z"})
    assert response.status_code == 200
    assert Task.objects.get(pk=tasks["own"].pk).deadline == datetime(2030, 4, 2, 9, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert client.post(url, {"deadline": "tomorrow"}).status_code == 422


# ---- My plan ----------------------------------------------------------------------------------------------


def test_the_plan_starts_with_three_columns_and_unplaced_tasks_first(client, org, tasks):
    client.force_login(org.sales_rep)
    response = client.get(reverse("tasks:plan"))
    assert response.status_code == 200
    board = response.context["board"]
    with translation.override(org.sales_rep.language):
        assert [entry["column"].title for entry in board] == [_("Planned"), _("This week"), _("Today")]
    assert {task.pk for task in board[0]["tasks"]} == {tasks["own"].pk, tasks["from_oleg"].pk, tasks["helping"].pk}
    client.get(reverse("tasks:plan"))
    assert PlanColumn.objects.filter(user=org.sales_rep).count() == 3


def test_tasks_move_between_plan_columns_and_keep_their_order(client, org, tasks):
    anna = org.sales_rep
    client.force_login(anna)
    client.get(reverse("tasks:plan"))
    today = PlanColumn.objects.filter(user=anna).last()
    for pk in (tasks["own"].pk, tasks["from_oleg"].pk):
        assert client.post(reverse("tasks:plan_move", args=[pk]), {"column": today.pk, "position": "0"}).json()["ok"]
    board = client.get(reverse("tasks:plan")).context["board"]
    assert [task.pk for task in board[2]["tasks"]] == [tasks["from_oleg"].pk, tasks["own"].pk]
    assert [task.pk for task in board[0]["tasks"]] == [tasks["helping"].pk]
    client.post(reverse("tasks:plan_move", args=[tasks["from_oleg"].pk]), {"column": today.pk, "position": "1"})
    board = client.get(reverse("tasks:plan")).context["board"]
    assert [task.pk for task in board[2]["tasks"]] == [tasks["own"].pk, tasks["from_oleg"].pk]


def test_plan_moves_of_other_peoples_tasks_and_columns_are_not_found(client, org, tasks):
    client.force_login(org.kazan_rep)
    client.get(reverse("tasks:plan"))
    hers = PlanColumn.objects.filter(user=org.kazan_rep).first()
    client.force_login(org.sales_rep)
    client.get(reverse("tasks:plan"))
    mine = PlanColumn.objects.filter(user=org.sales_rep).first()
    assert client.post(reverse("tasks:plan_move", args=[tasks["own"].pk]), {"column": hers.pk}).status_code == 404
    assert client.post(reverse("tasks:plan_move", args=[tasks["irinas"].pk]), {"column": mine.pk}).status_code == 404
    assert not PlanPlacement.objects.exists()


def test_plan_columns_are_added_renamed_and_deleted(client, org, tasks):
    anna = org.sales_rep
    client.force_login(anna)
    client.get(reverse("tasks:plan"))
    client.post(reverse("tasks:plan"), {"add_column": "1", "title": "Когда-нибудь"})
    added = PlanColumn.objects.get(user=anna, title="Когда-нибудь")
    assert list(PlanColumn.objects.filter(user=anna).values_list("title", flat=True))[-1] == "Когда-нибудь"
    client.post(reverse("tasks:plan"), {"rename_column": "1", "column": added.pk, "title": "Потом"})
    added.refresh_from_db()
    assert added.title == "Потом"
    client.post(reverse("tasks:plan_move", args=[tasks["own"].pk]), {"column": added.pk, "position": "0"})
    client.post(reverse("tasks:plan"), {"delete_column": "1", "column": added.pk})
    assert not PlanColumn.objects.filter(pk=added.pk).exists()
    board = client.get(reverse("tasks:plan")).context["board"]
    assert tasks["own"].pk in {task.pk for task in board[0]["tasks"]}


# ---- the calendar -----------------------------------------------------------------------------------------


def test_the_calendar_feed_has_visible_tasks_in_the_range(client, org, tasks):
    march = datetime(2030, 3, 10, 12, tzinfo=MOSCOW)
    Task.objects.filter(pk=tasks["own"].pk).update(deadline=march)
    Task.objects.filter(pk=tasks["irinas"].pk).update(deadline=march)
    Task.objects.filter(pk=tasks["from_oleg"].pk).update(deadline=march + timedelta(days=60))
    Task.objects.filter(pk=tasks["helping"].pk).update(
        start_date_plan=march - timedelta(days=2), end_date_plan=march + timedelta(days=2)
    )
    client.force_login(org.sales_rep)
    assert client.get(reverse("tasks:calendar")).status_code == 200
    response = client.get(reverse("tasks:calendar_feed"), {"start": "2030-03-01T00:00:00+03:00", "end": "2030-04-01"})
    events = {int(event["id"]): event for event in response.json()}
    assert set(events) == {tasks["own"].pk, tasks["helping"].pk}
    assert events[tasks["own"].pk]["editable"] is True
    assert datetime.fromisoformat(events[tasks["own"].pk]["start"]) == march
    assert events[tasks["own"].pk]["extendedProps"]["moveUrl"] == reverse("tasks:deadline_move", args=[tasks["own"].pk])
    assert events[tasks["helping"].pk]["editable"] is False
    assert client.get(reverse("tasks:calendar_feed"), {"start": "x", "end": "y"}).status_code == 400


def test_the_menu_has_tasks(org):
    entry = registry.get("menu", "tasks")
    assert reverse(entry.url_name) == "/tasks/"
