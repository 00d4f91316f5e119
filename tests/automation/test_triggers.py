"""Triggers move deals and leads forward: incoming email and calls, webhooks (crm.automation.trigger), a client
who returns, and the deal triggers on leads' statuses."""

import json
from decimal import Decimal

import pytest

from kontora.automation import services, triggers
from kontora.automation.models import Trigger
from kontora.core.errors import Invalid
from kontora.crm import services as crm
from kontora.crm.choices import ActivityType, Direction
from kontora.crm.models import Category, Deal, Lead
from kontora.rest import services as rest
from kontora.tasks.services.status import complete_task
from tests.factories import make_company, make_contact, make_deal, make_lead, make_task


def _trigger(org, kind, stage_code, entity="deal", **params):
    category = Category.objects.get(pk=0) if entity == "deal" else None
    return services.add_trigger(
        by=org.admin, stage=stage_code, kind=kind, entity=entity, category=category, params=params
    )


def _stage_code(record):
    model = type(record)
    fresh = model.objects.select_related("stage" if model is Deal else "status").get(pk=record.pk)
    return fresh.stage.status_id if model is Deal else fresh.status.status_id


def _incoming(record, by, type_id, capture, completed=False):
    with capture(execute=True):
        activity = crm.plan_activity(record, by=by, subject="Входящее", type_id=type_id, direction=Direction.INCOMING)
        if completed:
            crm.complete_activity(activity, by=by)
    return activity


def test_incoming_email_moves_the_deal_and_an_outgoing_one_does_not(org, django_capture_on_commit_callbacks):
    _trigger(org, "incoming_email", "PREPARATION")
    deal = make_deal(by=org.sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        crm.plan_activity(deal, by=org.sales_rep, subject="Исходящее", type_id=ActivityType.EMAIL)
    assert _stage_code(deal) == "NEW"

    _incoming(deal, org.sales_rep, ActivityType.EMAIL, django_capture_on_commit_callbacks)
    assert _stage_code(deal) == "PREPARATION"


def test_an_answered_call_is_incoming_and_a_call_not_done_is_missed(org, django_capture_on_commit_callbacks):
    _trigger(org, "missed_call", "PREPARATION")
    _trigger(org, "incoming_call", "PREPAYMENT_INVOICE")
    answered, missed = make_deal(by=org.sales_rep), make_deal(by=org.sales_rep)
    only_missed = make_deal(by=org.sales_rep)
    Trigger.objects.filter(kind="incoming_call").update(active=False)
    _incoming(only_missed, org.sales_rep, ActivityType.CALL, django_capture_on_commit_callbacks)
    Trigger.objects.filter(kind="incoming_call").update(active=True)

    with django_capture_on_commit_callbacks(execute=True):  # as crm.activity.add with COMPLETED=Y records it
        from django.db import transaction

        with transaction.atomic():
            activity = crm.plan_activity(
                answered, by=org.sales_rep, subject="Звонок", type_id=ActivityType.CALL, direction=Direction.INCOMING
            )
            crm.complete_activity(activity, by=org.sales_rep)
    _incoming(missed, org.sales_rep, ActivityType.CALL, django_capture_on_commit_callbacks)

    assert _stage_code(only_missed) == "PREPARATION"
    assert _stage_code(answered) == "PREPAYMENT_INVOICE"
    assert _stage_code(missed) == "PREPAYMENT_INVOICE"  # missed moves it, then the later incoming-call stage


def test_an_incoming_email_through_rest_moves_a_lead(org, client, django_capture_on_commit_callbacks):
    _trigger(org, "incoming_email", "IN_PROCESS", entity="lead")
    lead = make_lead(by=org.sales_rep)
    _webhook, code = rest.create_webhook(org.sales_rep, by=org.sales_rep, scopes=["crm"])
    fields = {"OWNER_TYPE_ID": 1, "OWNER_ID": lead.pk, "TYPE_ID": 4, "SUBJECT": "Вопрос", "DIRECTION": 1}

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/rest/{org.sales_rep.pk}/{code}/crm.activity.add", data=json.dumps({"fields": fields}),
            content_type="application/json",
        )  # fmt: skip

    assert answer.status_code == 200, answer.content
    assert _stage_code(lead) == "IN_PROCESS"


def test_webhook_trigger_by_rest_moves_the_record_with_its_code_only(org, client, django_capture_on_commit_callbacks):
    trigger = _trigger(org, "webhook", "EXECUTING")
    lead_trigger = _trigger(org, "webhook", "PROCESSED", entity="lead")
    code = trigger.params["code"]
    assert len(code) == 8 and code != lead_trigger.params["code"]
    deal, lead = make_deal(by=org.sales_rep), make_lead(by=org.sales_rep)
    _webhook, secret = rest.create_webhook(org.sales_rep, by=org.sales_rep, scopes=["crm"])

    def fire(target, with_code):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/rest/{org.sales_rep.pk}/{secret}/crm.automation.trigger",
                data=json.dumps({"target": target, "code": with_code}), content_type="application/json",
            )  # fmt: skip

    assert fire(f"DEAL_{deal.pk}", "wrong").json()["result"] is True
    assert _stage_code(deal) == "NEW"
    assert fire(f"DEAL_{deal.pk}", code).json()["result"] is True
    assert _stage_code(deal) == "EXECUTING"
    fire(f"LEAD_{lead.pk}", lead_trigger.params["code"])
    assert _stage_code(lead) == "PROCESSED"
    assert fire("CONTACT_1", code).status_code == 400


def test_webhook_trigger_needs_the_right_to_change_the_record(org, client):
    trigger = _trigger(org, "webhook", "EXECUTING")
    deal = make_deal(by=org.sales_rep)
    _webhook, secret = rest.create_webhook(org.marketing_rep, by=org.marketing_rep, scopes=["crm"])
    _webhook, no_scope = rest.create_webhook(org.sales_rep, by=org.sales_rep, scopes=["task"])
    body = json.dumps({"target": f"DEAL_{deal.pk}", "code": trigger.params["code"]})

    refused = client.post(
        f"/rest/{org.marketing_rep.pk}/{secret}/crm.automation.trigger", data=body, content_type="application/json"
    )
    scoped = client.post(
        f"/rest/{org.sales_rep.pk}/{no_scope}/crm.automation.trigger", data=body, content_type="application/json"
    )

    assert refused.status_code >= 400 and scoped.status_code >= 400
    assert _stage_code(deal) == "NEW"


def test_a_returning_client_moves_the_new_deal_and_a_new_client_does_not(org, django_capture_on_commit_callbacks):
    _trigger(org, "client_returned", "PREPARATION")
    regular, newcomer = make_contact("Старый", by=org.sales_rep), make_contact("Новый", by=org.sales_rep)
    company = make_company("Постоянная", by=org.sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        first = make_deal("Первая", by=org.sales_rep, contacts=[regular])
        by_company = make_deal("По компании", by=org.sales_rep, company=company)
    assert _stage_code(first) == "NEW" and _stage_code(by_company) == "NEW"

    with django_capture_on_commit_callbacks(execute=True):
        again = make_deal("Вторая", by=org.sales_rep, contacts=[regular])
        fresh = make_deal("Чужая", by=org.sales_rep, contacts=[newcomer])
        company_again = make_deal("Снова компания", by=org.sales_rep, company=company)

    assert _stage_code(again) == "PREPARATION" and _stage_code(company_again) == "PREPARATION"
    assert _stage_code(fresh) == "NEW"


def test_a_lead_from_a_returning_company_moves(org, django_capture_on_commit_callbacks):
    _trigger(org, "client_returned", "IN_PROCESS", entity="lead")
    company = make_company("Постоянная", by=org.sales_rep)
    make_deal(by=org.sales_rep, company=company)

    with django_capture_on_commit_callbacks(execute=True):
        returning = make_lead("Снова", by=org.sales_rep, company=company)
        newcomer = make_lead("Впервые", by=org.sales_rep)

    assert _stage_code(returning) == "IN_PROCESS" and _stage_code(newcomer) == "NEW"


def test_lead_triggers_activity_task_and_field_move_the_status_forward_only(org, django_capture_on_commit_callbacks):
    _trigger(org, "activity_completed", "IN_PROCESS", entity="lead")
    _trigger(org, "task_completed", "PROCESSED", entity="lead")
    services.add_trigger(
        by=org.admin, entity="lead", stage="IN_PROCESS", kind="field_changed",
        params={"condition": {">=OPPORTUNITY": 100}},
    )  # fmt: skip
    lead = make_lead(by=org.sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        crm.update_lead(lead, by=org.sales_rep, amount=Decimal("500"))
    assert _stage_code(lead) == "IN_PROCESS"

    task = make_task(by=org.sales_rep, crm=[f"L_{lead.pk}"])
    with django_capture_on_commit_callbacks(execute=True):
        complete_task(task, by=org.sales_rep)
    assert _stage_code(lead) == "PROCESSED"

    activity = crm.plan_activity(Lead.objects.get(pk=lead.pk), by=org.sales_rep, subject="Звонок")
    with django_capture_on_commit_callbacks(execute=True):
        crm.complete_activity(activity, by=org.sales_rep)
    assert _stage_code(lead) == "PROCESSED"  # IN_PROCESS lies behind: triggers never move back


def test_fire_webhook_ignores_inactive_triggers_and_other_pipelines(org):
    other = crm.create_category(by=org.admin, name="Другая")
    trigger = _trigger(org, "webhook", "EXECUTING")
    deal_elsewhere = make_deal(by=org.sales_rep, category=other)
    deal = make_deal(by=org.sales_rep)

    triggers.fire_webhook(deal_elsewhere, trigger.params["code"])
    services.switch_trigger(trigger, False, by=org.admin)
    triggers.fire_webhook(deal, trigger.params["code"])

    assert _stage_code(deal) == "NEW" and _stage_code(deal_elsewhere) == f"C{other.pk}:NEW"


def test_lead_triggers_refuse_a_pipeline_and_unknown_kinds(org):
    with pytest.raises(Invalid):
        services.add_trigger(by=org.admin, entity="lead", stage="IN_PROCESS", kind="payment_received")
    with pytest.raises(Invalid):
        services.add_trigger(
            by=org.admin, entity="lead", stage="IN_PROCESS", kind="webhook", category=Category.objects.get(pk=0)
        )
