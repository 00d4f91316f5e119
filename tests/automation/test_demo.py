"""The demo's robots serve the scenarios: new leads go round the managers and get a call-back task."""

from datetime import timedelta

from django.utils import timezone

from kontora.accounts import demo as people_demo
from kontora.accounts.models import User
from kontora.automation import demo
from kontora.automation.models import Robot, Trigger
from kontora.crm import services as crm
from kontora.crm.models import Lead
from kontora.tasks.models import Task
from tests.factories import make_absence


def test_new_leads_go_round_the_managers_skipping_the_absent_and_get_a_call_back_task(
    db, django_capture_on_commit_callbacks
):
    people_demo.build("Demo-pass-2026")
    demo.build("Demo-pass-2026")
    people = {user.username: user for user in User.objects.filter(username__in=["anna", "ekaterina", "elena", "irina"])}
    today = timezone.localdate()
    make_absence(people["ekaterina"], today - timedelta(days=1), today + timedelta(days=5))

    leads = []
    for number in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            leads.append(crm.create_lead(by=people["irina"], title=f"Заявка с лендинга {number}"))

    owners = [Lead.objects.get(pk=lead.pk).responsible.username for lead in leads]
    assert owners == ["anna", "elena", "anna", "elena"]
    for lead, owner in zip(leads, owners, strict=True):
        task = Task.objects.get(crm_links__code=f"L_{lead.pk}")
        assert task.title == f"Позвонить в течение 15 минут: {lead.title}"
        assert task.responsible.username == owner
        assert timedelta(minutes=14) < task.deadline - task.created_at <= timedelta(minutes=16)


def test_the_demo_pipeline_has_its_stage_robots_and_a_payment_webhook_trigger(db):
    people_demo.build("Demo-pass-2026")
    demo.build("Demo-pass-2026")

    assert set(Robot.objects.filter(entity="deal").values_list("stage", "action")) == {
        ("PREPARATION", "plan_activity"), ("PREPARATION", "send_email"), ("PREPAYMENT_INVOICE", "start_process"),
        ("EXECUTING", "create_task"),
    }  # fmt: skip
    webhook = Trigger.objects.get(kind=Trigger.Kind.WEBHOOK)
    assert webhook.stage == "EXECUTING" and webhook.params["code"]
