"""The remaining robot actions: email the client, a deal in another pipeline, lead conversion, chains that wait for
a task or for fields, and distribution that skips absent employees."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from kontora.automation import actions, services
from kontora.automation.models import RobotRun
from kontora.core.errors import Invalid
from kontora.core.models import WorkStatus
from kontora.crm import selectors
from kontora.crm import services as crm
from kontora.crm.choices import ActivityType, Direction, EntityType
from kontora.crm.models import Activity, Category, Comment, Contact, Deal, Lead, Status
from kontora.tasks.models import ChecklistItem, Task
from kontora.tasks.services.status import complete_task
from tests.factories import make_company, make_contact, make_deal, make_lead, make_user, stage


def _robot(org, action, params, stage_code="PREPARATION", entity="deal", **fields):
    return services.add_robot(
        by=org.admin, entity=entity, category=Category.objects.get(pk=0) if entity == "deal" else None,
        stage=stage_code, title=fields.pop("title", action), action=action, params=params, **fields,
    )  # fmt: skip


def _move(deal, code, by, capture):
    with capture(execute=True):
        crm.move_deal(deal, stage(code), by=by)
    deal.refresh_from_db()
    return deal


def _lead_status(code):
    return Status.objects.get(entity_id="STATUS", status_id=code)


def _comments(record):
    return list(
        Comment.objects.filter(entity_type=record.entity_type, entity_id=record.pk).values_list("text", flat=True)
    )


# Email --------------------------------------------------------------------------------------------------------


def test_send_email_goes_to_the_deals_contact_and_is_an_outgoing_activity_on_the_timeline(
    org, django_capture_on_commit_callbacks
):
    contact = make_contact("Смирнов", by=org.sales_rep, emails=[("smirnov@client.test", "WORK")])
    _robot(org, "send_email", {"subject": "Предложение по {{TITLE}}", "body": "Сумма: {{OPPORTUNITY}} руб."})
    deal = make_deal("Поставка", by=org.sales_rep, amount=Decimal("1500"), contacts=[contact])

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["smirnov@client.test"] and sent.subject == "Предложение по Поставка"
    assert sent.body.startswith("Сумма: 1500") and sent.reply_to == [org.admin.email]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type_id, direction, completed, subject FROM crm_activity WHERE owner_type = %s AND owner_id = %s",
            [EntityType.DEAL, deal.pk],
        )
        rows = cursor.fetchall()
    assert [(row[0], row[1], bool(row[2]), row[3]) for row in rows] == [
        (ActivityType.EMAIL, Direction.OUTGOING, True, "Предложение по Поставка")
    ]
    timeline = [entry["item"] for entry in selectors.timeline(deal) if entry["kind"] == "activity"]
    assert [item.subject for item in timeline] == ["Предложение по Поставка"]
    assert "smirnov@client.test" in RobotRun.objects.get().result


def test_send_email_to_a_lead_uses_its_own_address(org):
    lead = make_lead("Заявка", by=org.sales_rep, emails=[("lead@client.test", "WORK")])

    text = actions.get("send_email").run(lead, {"subject": "Спасибо, {{TITLE}}", "body": "Ответим"}, actor=org.admin)

    assert isinstance(text, str) and "lead@client.test" in text
    assert [message.to for message in mail.outbox] == [["lead@client.test"]]
    assert Activity.objects.get(owner_type=EntityType.LEAD, owner_id=lead.pk).type_id == ActivityType.EMAIL


def test_send_email_without_an_address_fails_and_leaves_nothing(org, django_capture_on_commit_callbacks):
    _robot(org, "send_email", {"subject": "Привет", "body": "Текст"})
    deal = make_deal(by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    run = RobotRun.objects.get()
    assert run.status == WorkStatus.PENDING and run.attempts == 1 and "NO_EMAIL" in run.last_error
    assert mail.outbox == [] and not Activity.objects.exists()
    with pytest.raises(Invalid) as error:
        actions.get("send_email").run(deal, {"subject": "Привет"}, actor=org.admin)
    assert error.value.code == "NO_EMAIL"


# Records ------------------------------------------------------------------------------------------------------


def test_create_deal_in_another_pipeline_copies_the_deal(org, django_capture_on_commit_callbacks):
    service = crm.create_category(by=org.admin, name="Сервис")
    company = make_company("Ромашка", by=org.sales_rep)
    contact = make_contact(by=org.sales_rep)
    _robot(org, "create_deal", {"stage": f"C{service.pk}:NEW"})
    deal = make_deal("Монтаж", by=org.sales_rep, amount=Decimal("700"), company=company, contacts=[contact])

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    copy = Deal.objects.exclude(pk=deal.pk).get()
    assert (copy.category_id, copy.stage.status_id) == (service.pk, f"C{service.pk}:NEW")
    assert (copy.title, copy.amount, copy.company_id, copy.responsible_id) == (
        "Монтаж",
        Decimal("700"),
        company.pk,
        org.sales_rep.pk,
    )
    assert list(copy.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert Deal.objects.filter(category_id=0).count() == 1


def test_create_deal_with_an_unknown_stage_is_invalid(org):
    deal = make_deal(by=org.sales_rep)
    with pytest.raises(Invalid):
        actions.get("create_deal").run(deal, {"stage": "C99:NEW"}, actor=org.admin)


def test_convert_lead_makes_a_deal_in_the_chosen_pipeline_and_a_contact(org, django_capture_on_commit_callbacks):
    service = crm.create_category(by=org.admin, name="Сервис")
    _robot(
        org, "convert_lead", {"deal": True, "category": service.pk, "contact": True, "company": False},
        stage_code="IN_PROCESS", entity="lead",
    )  # fmt: skip
    lead = make_lead("Заявка", by=org.sales_rep, last_name="Орлов", amount=Decimal("300"))

    with django_capture_on_commit_callbacks(execute=True):
        crm.update_lead(lead, by=org.sales_rep, status=_lead_status("IN_PROCESS"))

    lead.refresh_from_db()
    deal = Deal.objects.get(lead=lead)
    assert lead.status.status_id == "CONVERTED" and lead.contact.last_name == "Орлов"
    assert (deal.category_id, deal.amount) == (service.pk, Decimal("300"))
    assert Contact.objects.count() == 1 and "#" in RobotRun.objects.get().result


def test_convert_lead_refuses_a_deal(org):
    with pytest.raises(Invalid):
        actions.get("convert_lead").run(make_deal(by=org.sales_rep), {}, actor=org.admin)


# Chains that wait ---------------------------------------------------------------------------------------------


def test_wait_for_task_holds_the_chain_until_the_task_is_completed(org, django_capture_on_commit_callbacks):
    _robot(org, "wait_for_task", {"title": "Согласовать {{TITLE}}", "responsible": "responsible"}, sort=10)
    _robot(org, "add_comment", {"text": "Согласовано"}, sort=20, after_previous=True)
    _robot(org, "add_comment", {"text": "Без ожидания"}, sort=30)
    deal = make_deal("Договор", by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    task = Task.objects.get(crm_links__code=f"D_{deal.pk}")
    first, second, third = RobotRun.objects.order_by("id")
    assert task.title == "Согласовать Договор" and task.responsible == org.sales_rep
    assert (first.status, first.holding, first.hold_task_id) == (WorkStatus.DONE, True, task.pk)
    assert second.waiting and second.status == WorkStatus.PENDING
    assert third.status == WorkStatus.DONE and _comments(deal) == ["Без ожидания"]

    with django_capture_on_commit_callbacks(execute=True):
        complete_task(task, by=org.sales_rep)

    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.holding and not second.waiting and second.status == WorkStatus.DONE
    assert sorted(_comments(deal)) == ["Без ожидания", "Согласовано"]


def test_a_wait_for_an_unrelated_task_does_not_release_the_chain(org, django_capture_on_commit_callbacks):
    from tests.factories import make_task

    _robot(org, "wait_for_task", {"title": "Ждём"}, sort=10)
    _robot(org, "add_comment", {"text": "Дальше"}, sort=20, after_previous=True)
    deal = make_deal(by=org.sales_rep)
    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)
    other = make_task(by=org.sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        complete_task(other, by=org.sales_rep)

    assert RobotRun.objects.filter(holding=True).count() == 1 and _comments(deal) == []


def test_request_fields_sets_a_checklist_and_waits_until_the_fields_are_filled(org, django_capture_on_commit_callbacks):
    _robot(org, "request_fields", {"fields": ["CLOSEDATE", "PROBABILITY"], "responsible": org.sales_head.pk}, sort=10)
    _robot(org, "add_comment", {"text": "Закроем {{CLOSEDATE}}"}, sort=20, after_previous=True)
    deal = make_deal("Сделка", by=org.sales_rep)

    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    task = Task.objects.get(crm_links__code=f"D_{deal.pk}")
    items = ChecklistItem.objects.filter(task=task).exclude(parent=None).order_by("sort_index")
    assert task.responsible == org.sales_head and f"/{deal.pk}/" in task.description
    assert len(items) == 2
    run = RobotRun.objects.order_by("id").first()
    assert run.holding and run.hold_fields == ["CLOSEDATE", "PROBABILITY"]

    with django_capture_on_commit_callbacks(execute=True):
        crm.update_deal(deal, by=org.sales_rep, probability=40)
    assert _comments(deal) == []

    close = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        crm.update_deal(deal, by=org.sales_rep, close_date=close)

    assert len(_comments(deal)) == 1 and _comments(deal)[0].startswith("Закроем")
    assert not RobotRun.objects.filter(holding=True).exists()


def test_request_fields_is_released_by_completing_its_task(org, django_capture_on_commit_callbacks):
    _robot(org, "request_fields", {"fields": "CLOSEDATE"}, sort=10)
    _robot(org, "add_comment", {"text": "Дальше"}, sort=20, after_previous=True)
    deal = make_deal(by=org.sales_rep)
    _move(deal, "PREPARATION", org.sales_rep, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        complete_task(Task.objects.get(), by=org.sales_rep)

    assert _comments(deal) == ["Дальше"]


def test_request_fields_already_filled_does_not_wait_and_unknown_fields_are_invalid(org):
    deal = make_deal(by=org.sales_rep, probability=10)

    text = actions.get("request_fields").run(deal, {"fields": ["PROBABILITY"]}, actor=org.admin)

    assert not getattr(text, "hold", None) and not Task.objects.exists()
    with pytest.raises(Invalid):
        actions.get("request_fields").run(deal, {"fields": ["NO_SUCH"]}, actor=org.admin)


# Distribution -------------------------------------------------------------------------------------------------


def test_in_turn_among_three_managers_is_fair_and_skips_the_absent_one(org, django_capture_on_commit_callbacks):
    from kontora.timeman.services import add_absence

    managers = [make_user(f"manager{n}", department=org.sales) for n in range(3)]
    _robot(org, "change_responsible", {"mode": "in_turn", "users": [manager.pk for manager in managers]})
    deals = [make_deal(by=org.admin) for _ in range(6)]
    for deal in deals[:3]:
        _move(deal, "PREPARATION", org.admin, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    add_absence(managers[1], today - timedelta(days=1), today + timedelta(days=5), kind="vacation", by=org.admin)
    for deal in deals[3:]:
        _move(deal, "PREPARATION", org.admin, django_capture_on_commit_callbacks)

    responsible = [deal.responsible_id for deal in deals]
    first, second, third = (manager.pk for manager in managers)
    assert responsible[:3] == [first, second, third]
    assert responsible[3:] == [first, third, first]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT responsible_id, COUNT(*) FROM crm_deal WHERE id IN %s GROUP BY responsible_id"
            % ("(" + ",".join(str(deal.pk) for deal in deals) + ")")
        )
        counts = dict(cursor.fetchall())
    assert counts == {first: 3, second: 1, third: 2}


def test_fixed_responsible_skips_an_absent_employee(org):
    from kontora.timeman.services import add_absence

    away, present = make_user("away", department=org.sales), make_user("present", department=org.sales)
    today = timezone.localdate()
    add_absence(away, today, today, kind="vacation", by=org.admin)
    deal = make_deal(by=org.admin)

    actions.get("change_responsible").run(deal, {"mode": "fixed", "users": [away.pk, present.pk]}, actor=org.admin)

    assert Deal.objects.get(pk=deal.pk).responsible == present


def test_every_action_declares_simple_params_and_returns_text(org):
    kinds = {
        "string", "text", "integer", "boolean", "url", "lines", "unit", "user_or_record", "users", "activity_type",
        "stage", "deal_stage", "category", "distribution", "field_values", "field_names",
    }  # fmt: skip
    for action in actions.ACTIONS:
        assert actions.get(action.key) is action
        assert all(len(param) == 3 and param[2] in kinds for param in action.params), action.key
    lead = make_lead(by=org.sales_rep)
    with translation.override("ru"):
        text = actions.get("add_comment").run(lead, {"text": "Привет"}, actor=org.admin)
    comment = Comment.objects.get(entity_type=EntityType.LEAD, entity_id=lead.pk)
    assert type(text) is str and text == f"Добавлен комментарий №{comment.pk}" and Lead.objects.count() == 1
