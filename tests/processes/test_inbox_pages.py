"""My approvals: the inbox shows one's own waiting approvals, the header counter counts them (and follows live), and
the approval page takes the assignee's decision — approve, reject with a reason, acknowledge, fill in fields."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from kontora import events
from kontora.accounts import services as accounts
from kontora.automation.processes import builtin, selectors, services, subscribers
from kontora.automation.processes.models import Approval, ProcessInstance, ProcessStep
from kontora.events.models import RealtimeMessage
from kontora.events.realtime import user_group
from tests.factories import make_deal, make_user

FILL_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="fill_numbers" name="Fill the numbers" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill" name="Numbers for the deal">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="kind" value="fill" />
        <spiffworkflow:property name="assignee" value="head" />
        <spiffworkflow:property name="fields" value="budget:number,note:text" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def accountant(org):
    return make_user("accountant", department=org.sales, preset="employee")


@pytest.fixture
def invoice(org, accountant, capture):
    with capture(execute=True):
        installed = builtin.install(by=org.admin, accountant="accountant")
    return next(template for template in installed if template.code == "invoice_approval")


def _start(template, document, by, capture, **parameters):
    with capture(execute=True):
        instance = services.start(template, document, by=by, parameters=parameters)
    instance.refresh_from_db()
    return instance


def _pending_by_sql(user) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM processes_approval a JOIN processes_processinstance i ON i.id = a.instance_id "
            "WHERE a.assignee_id = %s AND a.status = 'pending' AND i.status = 'running'",
            [user.pk],
        )
        return cursor.fetchone()[0]


def test_the_inbox_shows_only_the_users_own_pending_approvals(client, org, accountant, invoice, capture):
    big = make_deal("Кластер", by=org.sales_rep, amount=Decimal("800000"))
    small = make_deal("Мелочь", by=org.sales_rep, amount=Decimal("1000"))
    _start(invoice, big, org.sales_rep, capture)
    second = _start(invoice, small, org.sales_rep, capture)
    accountants = Approval.objects.get(assignee=accountant)

    client.force_login(org.sales_head)
    page = client.get(reverse("automation:approvals")).content.decode()

    heads = Approval.objects.filter(assignee=org.sales_head, status="pending")
    assert heads.count() == 2
    for approval in heads:
        assert f'data-approval="{approval.pk}"' in page
    assert f'data-approval="{accountants.pk}"' not in page
    assert "Кластер" in page and "Мелочь" in page

    _decide_as(client, heads.get(instance=second), capture, decision="approve")
    pending = client.get(reverse("automation:approvals")).content.decode()
    done = client.get(reverse("automation:approvals") + "?tab=done").content.decode()
    decided = Approval.objects.get(instance=second, assignee=org.sales_head)
    assert f'data-approval="{decided.pk}"' not in pending
    assert f'data-approval="{decided.pk}"' in done


def test_the_header_counter_counts_pending_approvals_and_follows_live(client, org, accountant, invoice, capture):
    for amount in ("800000", "900000", "100"):
        _start(invoice, make_deal(by=org.sales_rep, amount=Decimal(amount)), org.sales_rep, capture)

    assert selectors.header_count(org.sales_head) == _pending_by_sql(org.sales_head) == 3
    assert selectors.header_count(accountant) == _pending_by_sql(accountant) == 2
    assert selectors.header_count(org.marketing_rep) == _pending_by_sql(org.marketing_rep) == 0
    client.force_login(accountant)
    page = client.get(reverse("web:home")).content.decode()
    assert '<span class="badge" data-counter="processes">2</span>' in page

    instance = Approval.objects.filter(assignee=accountant).first().instance
    RealtimeMessage.objects.all().delete()
    with capture(execute=True):
        events.emit("processes.approval.changed", instance)
    pushes = {row.group: row.payload for row in RealtimeMessage.objects.filter(payload__kind="counters")}
    assert pushes[user_group(accountant.pk)]["data"] == {subscribers.COUNTER: 2}
    assert pushes[user_group(org.sales_head.pk)]["data"] == {subscribers.COUNTER: 3}
    assert user_group(org.marketing_rep.pk) not in pushes


def _decide_as(client, approval, capture, **data):
    with capture(execute=True):
        return client.post(reverse("automation:approval", args=[approval.pk]), data)


def test_the_head_approves_through_the_page(client, org, invoice, capture):
    instance = _start(invoice, make_deal("Мелочь", by=org.sales_rep, amount=Decimal("100")), org.sales_rep, capture)
    approval = Approval.objects.get(instance=instance)
    client.force_login(org.sales_head)

    page = client.get(reverse("automation:approval", args=[approval.pk])).content.decode()
    assert 'name="decision" value="reject"' in page and "Мелочь" in page

    response = _decide_as(client, approval, capture, decision="approve", comment="Согласовано")

    assert response.status_code == 302
    approval.refresh_from_db()
    instance.refresh_from_db()
    assert (approval.status, approval.comment) == ("approved", "Согласовано")
    assert instance.status == ProcessInstance.Status.COMPLETED
    assert ProcessStep.objects.filter(instance=instance, element="tell_ok").exists()


def test_a_rejection_needs_a_comment_shown_beside_the_field(client, org, invoice, capture):
    instance = _start(invoice, make_deal("Мелочь", by=org.sales_rep, amount=Decimal("100")), org.sales_rep, capture)
    approval = Approval.objects.get(instance=instance)
    accounts.set_language(org.sales_head, "en")
    client.force_login(org.sales_head)

    response = _decide_as(client, approval, capture, decision="reject", comment="  ")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["comment"] == ["Say why you reject it."]
    approval.refresh_from_db()
    assert approval.status == "pending"

    _decide_as(client, approval, capture, decision="reject", comment="Слишком дорого")
    approval.refresh_from_db()
    instance.refresh_from_db()
    assert (approval.status, approval.comment) == ("rejected", "Слишком дорого")
    assert instance.status == "completed"
    assert ProcessStep.objects.filter(instance=instance, element="tell_no").exists()
    history = client.get(reverse("automation:process_instance", args=[instance.pk])).content.decode()
    assert "Слишком дорого" in history


def test_fill_in_fields_through_the_page(client, org, capture):
    template = services.create_template(by=org.admin, bpmn=FILL_BPMN, document_type="deal", name="Numbers")
    instance = _start(template, make_deal(by=org.sales_rep), org.sales_rep, capture)
    approval = Approval.objects.get(instance=instance)
    assert approval.kind == "fill" and approval.assignee == org.sales_head
    accounts.set_language(org.sales_head, "en")
    client.force_login(org.sales_head)

    page = client.get(reverse("automation:approval", args=[approval.pk])).content.decode()
    assert 'name="budget"' in page and 'type="number"' in page and 'name="note"' in page

    missing = _decide_as(client, approval, capture, decision="done", budget="", note="x")
    assert missing.context["form"].errors["budget"] == ["Fill in this field."]
    _decide_as(client, approval, capture, decision="done", budget="12,5", note="на квартал")

    approval.refresh_from_db()
    instance.refresh_from_db()
    assert approval.status == "done" and approval.values == {"budget": 12.5, "note": "на квартал"}
    assert instance.status == "completed"


def test_only_the_assignee_decides_and_outsiders_get_404(client, org, invoice, capture):
    instance = _start(invoice, make_deal("Мелочь", by=org.sales_rep, amount=Decimal("100")), org.sales_rep, capture)
    approval = Approval.objects.get(instance=instance)
    url = reverse("automation:approval", args=[approval.pk])

    client.force_login(org.sales_rep)  # the starter sees it, read-only
    page = client.get(url).content.decode()
    assert 'name="decision"' not in page and escape(approval.title) in page
    _decide_as(client, approval, capture, decision="approve")
    approval.refresh_from_db()
    assert approval.status == "pending"

    client.force_login(org.marketing_rep)  # neither starter, assignee nor reader of the deal
    assert client.get(url).status_code == 404
    assert _decide_as(client, approval, capture, decision="approve").status_code == 404
    approval.refresh_from_db()
    assert approval.status == "pending"
