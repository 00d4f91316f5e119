"""The automation screen: administrators add, edit, switch, reorder and delete robots and triggers on stages."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kontora.accounts.services import update_user
from kontora.automation import services
from kontora.automation.models import Robot, RobotRun, Trigger
from kontora.core.models import WorkStatus
from kontora.crm import services as crm
from kontora.crm.models import Category, Status
from tests.factories import make_deal, stage

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_user(client, org):
    def login(user, language="en"):
        update_user(user, by=org.admin, language=language)
        client.force_login(user)
        return client

    return login


def _robot(org, title="Позвонить", code="PREPARATION", **fields):
    fields.setdefault("params", {"title": "Позвонить {{TITLE}}"})
    return services.add_robot(
        by=org.admin, entity="deal", category=Category.objects.get(pk=0), stage=code, title=title,
        action=fields.pop("action", "create_task"), **fields,
    )  # fmt: skip


def _add(client, **data):
    url = reverse("automation:robot_add") + "?entity=deal&category=0&stage=PREPARATION"
    return client.post(url, data, **HTMX)


def test_the_screen_is_for_administrators_only(as_user, org):
    for person in (org.sales_head, org.sales_rep, org.reader):
        client = as_user(person)
        assert client.get(reverse("automation:robots_deals", args=[0])).status_code == 403
        assert client.get(reverse("automation:robots_leads")).status_code == 403
        assert _add(client, action="create_task", title="Тайный").status_code == 403

    assert not Robot.objects.exists()


def test_the_board_shows_every_stage_with_its_robots_and_triggers(as_user, org):
    robot = _robot(org, delay={"mode": "after", "amount": 2, "unit": "hours"}, condition={">OPPORTUNITY": 1000})
    services.add_trigger(by=org.admin, stage="PREPAYMENT_INVOICE", kind="activity_completed", params={"type_id": 2})

    page = as_user(org.admin).get(reverse("automation:robots_deals", args=[0]))

    assert page.status_code == 200
    text = page.content.decode()
    stages = Status.objects.filter(entity_id="DEAL_STAGE").order_by("sort").values_list("status_id", flat=True)
    shown = re.findall(r'<section class="kanban-column robots-column" data-stage="([^"]+)"', text)
    assert shown == list(stages) and shown[0] == "NEW" and len(shown) == 8
    assert f'data-robot="{robot.pk}"' in text
    assert "After 2 h." in text and "Amount &gt; 1000" in text
    assert "Activity completed" in text and "Call" in text


def test_the_lead_board_lists_the_lead_statuses(as_user, org):
    page = as_user(org.admin).get(reverse("automation:robots_leads"))

    assert page.status_code == 200
    assert 'data-stage="NEW"' in page.content.decode() and 'data-stage="CONVERTED"' in page.content.decode()


def test_the_form_shows_the_fields_of_the_chosen_action(as_user, org):
    client = as_user(org.admin, language="ru")
    url = reverse("automation:robot_add") + "?entity=deal&category=0&stage=PREPARATION"

    task = client.get(url, **HTMX).content.decode()
    stage_change = client.get(url + "&action=change_stage", **HTMX).content.decode()

    assert 'name="p_checklist"' in task and 'name="p_deadline_unit"' in task
    assert 'name="p_stage"' in stage_change and 'name="p_checklist"' not in stage_change
    assert '<option value="EXECUTING"' in stage_change


def test_adding_a_robot_saves_its_parameters_condition_and_timing(as_user, org):
    response = _add(
        as_user(org.admin), action="create_task", title="Позвонить клиенту", p_title="Позвонить {{TITLE}}",
        p_responsible="responsible", p_deadline_amount="2", p_deadline_unit="hours", p_checklist="Цена\nСроки",
        condition_field=["OPPORTUNITY", "TITLE"], condition_op=[">", "%"], condition_value=["1000", "сайт"],
        delay_mode="after", delay_amount="30", delay_unit="minutes", working_hours="on",
    )  # fmt: skip

    assert response.status_code == 200 and response.headers["HX-Trigger"] == "robotsChanged"
    robot = Robot.objects.get()
    assert (robot.entity, robot.category_id, robot.stage, robot.action) == ("deal", 0, "PREPARATION", "create_task")
    assert robot.title == "Позвонить клиенту"
    assert robot.params == {
        "title": "Позвонить {{TITLE}}", "responsible": "responsible", "deadline_amount": 2,
        "deadline_unit": "hours", "checklist": "Цена\nСроки",
    }  # fmt: skip
    assert robot.condition == {">OPPORTUNITY": "1000", "%TITLE": "сайт"}
    assert robot.delay == {"mode": "after", "amount": 30, "unit": "minutes", "working_hours": True}
    assert robot.created_by == org.admin


def test_a_robot_added_through_the_page_runs_when_a_deal_arrives(as_user, org, django_capture_on_commit_callbacks):
    _add(as_user(org.admin), action="add_comment", title="Комментарий", p_text="Пришла {{TITLE}}", delay_mode="now")
    deal = make_deal("Кластер", by=org.sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        crm.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)

    run = RobotRun.objects.get()
    assert run.status == WorkStatus.DONE and run.record_id == deal.pk


def test_a_new_robot_goes_after_the_last_one_of_its_stage(as_user, org):
    first = _robot(org, "Первый", sort=10)
    second = _robot(org, "Второй", sort=40)

    _add(as_user(org.admin), action="add_comment", title="Третий", p_text="…")

    assert list(Robot.objects.filter(stage="PREPARATION").values_list("title", flat=True)) == [
        first.title, second.title, "Третий",
    ]  # fmt: skip


def test_errors_from_the_services_are_shown_beside_their_field_in_the_users_language(as_user, org):
    client = as_user(org.admin, language="ru")

    untitled = _add(client, action="add_comment", title=" ", p_text="…").content.decode()
    bad_condition = _add(
        client, action="add_comment", title="Крупные", condition_field=["OPPORTUNITY"], condition_op=[">"],
        condition_value=["много"],
    ).content.decode()  # fmt: skip
    no_field = _add(client, action="add_comment", title="К дате", delay_mode="before_field", delay_amount="1")

    assert 'has-error" data-field="title"' in untitled and "Назовите робота." in untitled
    condition = bad_condition.split('id="robot-condition"')[1].split("</fieldset>")[0]
    assert '<span class="error" role="alert">OPPORTUNITY — число.</span>' in condition
    assert "Выберите поле даты, от которого считается задержка." in no_field.content.decode()
    assert not Robot.objects.exists()


def test_editing_a_robot_leaves_scheduled_runs_alone_unless_asked(as_user, org, django_capture_on_commit_callbacks):
    robot = _robot(org, delay={"mode": "after", "amount": 1, "unit": "days"})
    deal = make_deal("Кластер", by=org.sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        crm.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)
    run = RobotRun.objects.get()
    assert run.status == WorkStatus.PENDING and run.due_at > timezone.now() + timedelta(hours=23)
    client = as_user(org.admin)
    url = reverse("automation:robot_edit", args=[robot.pk])
    form = {"action": "create_task", "p_title": "Перезвонить", "delay_mode": "after", "delay_amount": "1",
            "delay_unit": "days"}  # fmt: skip

    client.post(url, {**form, "title": "Перезвонить"}, **HTMX)
    run.refresh_from_db()
    assert run.config["title"] == "Позвонить"
    client.post(url, {**form, "title": "Перезвонить завтра", "reschedule": "on"}, **HTMX)
    run.refresh_from_db()

    robot.refresh_from_db()
    assert robot.title == "Перезвонить завтра" and robot.params == {"title": "Перезвонить"}
    assert run.config["title"] == "Перезвонить завтра" and run.config["params"] == {"title": "Перезвонить"}


def test_the_edit_panel_shows_the_robots_last_runs(as_user, org, django_capture_on_commit_callbacks):
    robot = _robot(org, action="add_comment", params={"text": "Привет"})
    deal = make_deal("Кластер", by=org.sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        crm.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)

    panel = as_user(org.admin).get(reverse("automation:robot_edit", args=[robot.pk]), **HTMX).content.decode()

    run = RobotRun.objects.get()
    assert f'data-run="{run.pk}"' in panel and f"/crm/deals/{deal.pk}/" in panel and run.result in panel
    assert 'name="reschedule"' in panel and 'value="Привет"' not in panel and "Привет</textarea>" in panel


def test_switching_and_deleting_robots(as_user, org):
    robot = _robot(org)
    client = as_user(org.admin)

    client.post(reverse("automation:robot_switch", args=[robot.pk]), {}, **HTMX)
    robot.refresh_from_db()
    assert robot.active is False
    client.post(reverse("automation:robot_switch", args=[robot.pk]), {"active": "1"}, **HTMX)
    robot.refresh_from_db()
    assert robot.active is True
    response = client.post(reverse("automation:robot_delete", args=[robot.pk]))

    assert response.status_code == 302 and response.url == reverse("automation:robots_deals", args=[0])
    assert not Robot.objects.exists()


def test_robots_are_reordered_by_dragging(as_user, org):
    first, second, third = (_robot(org, title, sort=sort) for title, sort in (("А", 10), ("Б", 20), ("В", 30)))
    other = _robot(org, "Другая стадия", code="EXECUTING", sort=5)

    as_user(org.admin).post(reverse("automation:robot_order"), {"robot": [third.pk, first.pk, second.pk]}, **HTMX)

    order = list(Robot.objects.filter(stage="PREPARATION").order_by("sort", "id").values_list("pk", flat=True))
    assert order == [third.pk, first.pk, second.pk]
    other.refresh_from_db()
    assert other.sort == 5


def test_adding_switching_and_deleting_triggers(as_user, org):
    client = as_user(org.admin)
    url = reverse("automation:trigger_add") + "?entity=deal&category=0&stage=EXECUTING"

    client.post(url, {"kind": "activity_completed", "p_type_id": "2"}, **HTMX)
    client.post(
        url, {"kind": "field_changed", "p_condition_field": ["OPPORTUNITY"], "p_condition_op": [">="],
              "p_condition_value": ["5000"]}, **HTMX,
    )  # fmt: skip
    missing = client.post(url, {"kind": "field_changed"}, **HTMX).content.decode()

    call, field = Trigger.objects.order_by("id")
    assert (call.kind, call.stage, call.params) == ("activity_completed", "EXECUTING", {"type_id": 2})
    assert field.params == {"condition": {">=OPPORTUNITY": "5000"}}
    assert 'role="alert"' in missing and Trigger.objects.count() == 2
    client.post(reverse("automation:trigger_switch", args=[call.pk]), {}, **HTMX)
    call.refresh_from_db()
    assert call.active is False
    client.post(reverse("automation:trigger_delete", args=[field.pk]), {}, **HTMX)
    assert list(Trigger.objects.values_list("pk", flat=True)) == [call.pk]


def test_the_boards_and_the_menu_link_to_the_screen_for_administrators(as_user, org):
    admin_board = as_user(org.admin).get(reverse("crm:deal_kanban")).content.decode()
    admin_leads = as_user(org.admin).get(reverse("crm:lead_list")).content.decode()
    rep_board = as_user(org.sales_rep).get(reverse("crm:deal_kanban")).content.decode()

    assert reverse("automation:robots_deals", args=[0]) in admin_board
    assert f'<a href="{reverse("automation:robots")}" class="nav-item"' in admin_board
    assert reverse("automation:robots_leads") in admin_leads
    assert "data-robots-link" not in rep_board and 'data-menu="automation_robots"' not in rep_board
