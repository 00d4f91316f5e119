"""Robots run when a record arrives at their stage, once, from their snapshot; triggers move deals forward."""

import zoneinfo
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kontora.automation import services
from kontora.automation.jobs import run_robot
from kontora.automation.models import RobotRun
from kontora.core.errors import Forbidden
from kontora.core.models import WorkStatus
from kontora.crm import services as crm
from kontora.crm.models import Category, Deal
from kontora.events.history import for_object
from kontora.tasks.models import ChecklistItem, Task
from kontora.tasks.services.status import complete_task
from tests.factories import make_deal, make_lead, make_user, stage


def _robot(org, stage_code="PREPARATION", action="create_task", params=None, **fields):
    params = params if params is not None else {"title": "Позвонить клиенту {{TITLE}}", "checklist": "Цена\nСроки"}
    return services.add_robot(
        by=org.admin, entity="deal", category=Category.objects.get(pk=0), stage=stage_code,
        title=fields.pop("title", "Позвонить"), action=action, params=params, **fields,
    )  # fmt: skip


def _move(deal, code, by, capture):
    with capture(execute=True):
        crm.move_deal(deal, stage(code), by=by)
    deal.refresh_from_db()
    return deal


def _robot_rows(deal):
    return [change.changes for change in for_object(deal) if change.action == "robot"]


def test_a_robot_on_a_stage_creates_a_linked_task_when_a_deal_arrives(org, django_capture_on_commit_callbacks):
    _robot(org)
    deal = make_deal("Кластер", by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    task = Task.objects.get(crm_links__code=f"D_{deal.pk}")
    assert task.title == "Позвонить клиенту Кластер"
    assert task.responsible == org.sales_rep
    assert [
        item.title for item in ChecklistItem.objects.filter(task=task).exclude(parent=None).order_by("sort_index")
    ] == ["Цена", "Сроки"]
    run = RobotRun.objects.get()
    assert run.status == WorkStatus.DONE and str(task.pk) in run.result
    assert _robot_rows(deal)[0]["robot"] == [None, "Позвонить"]


def test_a_robot_on_the_first_stage_runs_when_the_deal_is_created(org, django_capture_on_commit_callbacks):
    _robot(org, "NEW")

    with django_capture_on_commit_callbacks(execute=True):
        deal = make_deal("Новая", by=org.sales_rep)

    assert Task.objects.filter(crm_links__code=f"D_{deal.pk}").count() == 1


def test_a_condition_that_does_not_match_skips_the_robot(org, django_capture_on_commit_callbacks):
    _robot(org, condition={">OPPORTUNITY": 1000})
    small = make_deal("Малая", by=org.sales_rep, amount=Decimal("10"))
    big = make_deal("Крупная", by=org.sales_rep, amount=Decimal("5000"))

    _move(small, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)
    _move(big, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    assert list(RobotRun.objects.values_list("record_id", flat=True)) == [big.pk]
    assert not Task.objects.filter(crm_links__code=f"D_{small.pk}").exists()


def test_a_delayed_robot_is_persisted_and_runs_once(org, django_capture_on_commit_callbacks):
    _robot(org, delay={"mode": "after", "amount": 2, "unit": "hours"})
    deal = make_deal(by=org.sales_rep)
    before = timezone.now()

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    run = RobotRun.objects.get()
    assert run.status == WorkStatus.PENDING
    assert before + timedelta(hours=2) <= run.due_at <= timezone.now() + timedelta(hours=2)
    assert not Task.objects.exists()
    RobotRun.objects.filter(pk=run.pk).update(due_at=timezone.now())
    assert run_robot.call(run.pk) is True
    assert run_robot.call(run.pk) is False
    assert Task.objects.count() == 1


def test_a_delay_before_a_date_field_in_working_hours(org, django_capture_on_commit_callbacks):
    _robot(
        org, delay={"mode": "before_field", "field": "CLOSEDATE", "amount": 1, "unit": "days", "working_hours": True}
    )
    close = (timezone.now() + timedelta(days=30)).date()
    while close.weekday() != 6:  # a Sunday: the day before is a Saturday, pushed to Monday 09:00
        close += timedelta(days=1)
    deal = make_deal(by=org.sales_rep, close_date=close)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    local = RobotRun.objects.get().due_at.astimezone(zoneinfo.ZoneInfo(org.sales_rep.time_zone))
    assert local.weekday() == 0 and (local.hour, local.minute) == (9, 0)
    assert local.date() == close + timedelta(days=1)


def test_a_robot_of_a_stage_the_deal_left_is_skipped(org, django_capture_on_commit_callbacks):
    _robot(org, delay={"mode": "after", "amount": 1, "unit": "days"})
    deal = make_deal(by=org.sales_rep)
    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)
    _move(deal, "EXECUTING", org.sales_rep, django_capture_on_commit_callbacks)

    run = RobotRun.objects.get()
    RobotRun.objects.filter(pk=run.pk).update(due_at=timezone.now())
    run_robot.call(run.pk)

    run.refresh_from_db()
    assert run.status == WorkStatus.DONE and run.result.startswith("skipped")
    assert not Task.objects.exists()


def test_a_failing_robot_is_retried_then_failed_with_its_error_while_others_run(
    org, django_capture_on_commit_callbacks
):
    _robot(org, action="webhook", params={"url": "http://127.0.0.1:9/hook"}, title="Вебхук", sort=10)
    _robot(org, sort=20)
    deal = make_deal(by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    hook = RobotRun.objects.get(config__action="webhook")
    assert hook.status == WorkStatus.PENDING and hook.attempts == 1
    while hook.status == WorkStatus.PENDING:
        RobotRun.objects.filter(pk=hook.pk).update(due_at=timezone.now())
        run_robot.call(hook.pk)
        hook.refresh_from_db()
    assert hook.status == WorkStatus.FAILED and hook.attempts == RobotRun.max_attempts
    assert "refused" in hook.last_error.lower() or "error" in hook.last_error.lower()
    rows = _robot_rows(deal)
    failed = [row for row in rows if row["robot"][1] == "Вебхук"]
    assert len(failed) == 1 and failed[0]["result"][1].startswith("failed:")
    assert Task.objects.filter(crm_links__code=f"D_{deal.pk}").count() == 1


def test_editing_a_robot_keeps_scheduled_runs_unless_asked(org, django_capture_on_commit_callbacks):
    robot = _robot(org, delay={"mode": "after", "amount": 1, "unit": "hours"})
    deal = make_deal("Сделка", by=org.sales_rep)
    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)
    run = RobotRun.objects.get()

    services.update_robot(robot, by=org.admin, params={"title": "Новое"})
    run.refresh_from_db()
    assert run.config["params"]["title"] == "Позвонить клиенту {{TITLE}}"

    services.update_robot(robot, by=org.admin, reschedule=True, title="Другое")
    run.refresh_from_db()
    assert run.config["params"]["title"] == "Новое" and run.config["title"] == "Другое"


def test_a_switched_off_robot_does_not_run_and_only_admins_edit_robots(org, django_capture_on_commit_callbacks):
    robot = _robot(org)
    services.switch_robot(robot, False, by=org.admin)
    deal = make_deal(by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    assert not RobotRun.objects.exists()
    with pytest.raises(Forbidden):
        services.update_robot(robot, by=org.sales_head, active=True)


def test_after_previous_waits_for_the_previous_run(org, django_capture_on_commit_callbacks):
    _robot(org, delay={"mode": "after", "amount": 1, "unit": "hours"}, sort=10)
    _robot(
        org, action="add_comment", params={"text": "Задача поставлена"}, title="Коммент", after_previous=True, sort=20
    )
    deal = make_deal(by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    first, second = RobotRun.objects.order_by("id")
    assert second.waiting and second.previous == first
    with django_capture_on_commit_callbacks(execute=True):
        RobotRun.objects.filter(pk=first.pk).update(due_at=timezone.now())
        run_robot.call(first.pk)
    second.refresh_from_db()
    assert not second.waiting and second.status == WorkStatus.DONE
    assert [row["robot"][1] for row in _robot_rows(deal)] == ["Коммент", "Позвонить"]


def test_distribution_in_turn_is_fair_and_skips_inactive_users(org, django_capture_on_commit_callbacks):
    from kontora.accounts.services import update_user

    reps = [make_user(f"rep{n}", department=org.sales) for n in range(3)]
    update_user(reps[1], by=org.admin, is_active=False)
    _robot(org, action="change_responsible", params={"mode": "in_turn", "users": [rep.pk for rep in reps]})

    deals = [make_deal(by=org.admin) for _ in range(4)]
    for deal in deals:
        _move(deal, "PREPARATION", org.admin, django_capture_on_commit_callbacks)

    assert [deal.responsible_id for deal in deals] == [reps[0].pk, reps[2].pk, reps[0].pk, reps[2].pk]


def test_distribution_by_least_load(org, django_capture_on_commit_callbacks):
    busy, free = make_user("busy", department=org.sales), make_user("free", department=org.sales)
    make_deal(by=org.admin, responsible=busy)
    _robot(org, action="change_responsible", params={"mode": "least_load", "users": [busy.pk, free.pk]})
    deal = make_deal(by=org.admin)

    _move(deal, "PREPARATION", org.admin, django_capture_on_commit_callbacks)

    assert deal.responsible == free


def test_set_fields_substitutes_the_records_fields(org, django_capture_on_commit_callbacks):
    _robot(org, action="set_fields", params={"fields": {"TITLE": "{{TITLE}} (VIP)", "OPPORTUNITY": "999"}})
    deal = make_deal("Клиент", by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    assert (deal.title, deal.amount) == ("Клиент (VIP)", Decimal("999"))


def test_notify_plan_activity_comment_and_change_stage(org, django_capture_on_commit_callbacks):
    from kontora.crm.models import Activity, Comment
    from kontora.events.models import Notification

    _robot(org, action="notify", params={"message": "Сделка {{TITLE}} готова", "responsible": True}, sort=1)
    _robot(org, action="plan_activity", params={"subject": "Звонок", "deadline_amount": 1}, sort=2)
    _robot(org, action="add_comment", params={"text": "Сумма {{OPPORTUNITY}}"}, sort=3)
    _robot(org, action="change_stage", params={"stage": "EXECUTING"}, sort=4)
    deal = make_deal("Альфа", by=org.sales_rep, amount=Decimal("10"))

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    assert "Сделка Альфа готова" in Notification.objects.get(recipient=org.sales_rep).message
    assert Activity.objects.get(owner_id=deal.pk).subject == "Звонок"
    assert Comment.objects.get(entity_id=deal.pk).text.startswith("Сумма 10")
    assert deal.stage.status_id == "EXECUTING"


def test_lead_robots_run_on_a_status_change(org, django_capture_on_commit_callbacks):
    from kontora.crm.models import Comment, Status

    services.add_robot(
        by=org.admin, entity="lead", stage="IN_PROCESS", title="Коммент", action="add_comment",
        params={"text": "В работе: {{TITLE}}"},
    )  # fmt: skip
    lead = make_lead("Лид", by=org.sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        crm.update_lead(lead, by=org.sales_rep, status=Status.objects.get(entity_id="STATUS", status_id="IN_PROCESS"))

    assert Comment.objects.get(entity_id=lead.pk).text == "В работе: Лид"


def test_trigger_activity_completed_moves_the_deal_forward(org, django_capture_on_commit_callbacks):
    services.add_trigger(by=org.admin, stage="EXECUTING", kind="activity_completed")
    deal = make_deal(by=org.sales_rep)
    activity = crm.plan_activity(deal, by=org.sales_rep, subject="Звонок")

    with django_capture_on_commit_callbacks(execute=True):
        crm.complete_activity(activity, by=org.sales_rep)

    deal.refresh_from_db()
    assert deal.stage.status_id == "EXECUTING"


def test_trigger_never_moves_a_deal_back(org, django_capture_on_commit_callbacks):
    services.add_trigger(by=org.admin, stage="PREPARATION", kind="activity_completed")
    deal = _move(make_deal(by=org.sales_rep), "EXECUTING", org.sales_rep, django_capture_on_commit_callbacks)
    activity = crm.plan_activity(deal, by=org.sales_rep, subject="Звонок")

    with django_capture_on_commit_callbacks(execute=True):
        crm.complete_activity(activity, by=org.sales_rep)

    deal.refresh_from_db()
    assert deal.stage.status_id == "EXECUTING"


def test_trigger_task_completed_moves_the_linked_deal(org, django_capture_on_commit_callbacks):
    from tests.factories import make_task

    services.add_trigger(by=org.admin, stage="FINAL_INVOICE", kind="task_completed")
    deal = make_deal(by=org.sales_rep)
    task = make_task(by=org.sales_rep, crm=[f"D_{deal.pk}"])

    with django_capture_on_commit_callbacks(execute=True):
        complete_task(task, by=org.sales_rep)

    deal.refresh_from_db()
    assert deal.stage.status_id == "FINAL_INVOICE"


def test_trigger_field_changed_to_a_value(org, django_capture_on_commit_callbacks):
    services.add_trigger(
        by=org.admin, stage="PREPAYMENT_INVOICE", kind="field_changed", params={"condition": {">=OPPORTUNITY": 1000}}
    )
    deal = make_deal(by=org.sales_rep, amount=Decimal("10"))

    with django_capture_on_commit_callbacks(execute=True):
        crm.update_deal(deal, by=org.sales_rep, title="Другое имя")
    deal.refresh_from_db()
    assert deal.stage.status_id == "NEW"

    with django_capture_on_commit_callbacks(execute=True):
        crm.update_deal(deal, by=org.sales_rep, amount=Decimal("5000"))
    deal.refresh_from_db()
    assert deal.stage.status_id == "PREPAYMENT_INVOICE"
    assert Deal.objects.count() == 1
