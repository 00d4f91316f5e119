"""BPMN processes run by SpiffWorkflow: steps, approvals with voting, gateways with thresholds, timers, failures."""

from decimal import Decimal

import pytest

from kontora.automation.processes import builtin, services
from kontora.automation.processes.models import Approval, ProcessInstance, ProcessStep
from kontora.events.models import Notification
from tests.factories import make_deal, make_user


def _invoice(org, capture):
    with capture(execute=True):
        return builtin.install(by=org.admin, accountant="accountant")


@pytest.fixture
def accountant(org):
    return make_user("accountant", department=org.sales, preset="employee")


def _start(template, deal, by, capture):
    with capture(execute=True):
        instance = services.start(template, deal, by=by)
    instance.refresh_from_db()
    return instance


def _decide(approval, capture, **kwargs):
    with capture(execute=True):
        services.decide(approval, by=approval.assignee, **kwargs)


def test_invoice_over_the_threshold_needs_the_head_and_the_accountant_in_parallel(
    org, accountant, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    template = next(t for t in _invoice(org, capture) if t.code == "invoice_approval")
    deal = make_deal("Кластер", by=org.sales_rep, amount=Decimal("800000"))

    instance = _start(template, deal, org.sales_rep, capture)

    pending = Approval.objects.filter(instance=instance, status="pending")
    assert {row.assignee for row in pending} == {org.sales_head, accountant}
    assert sorted(instance.current) == ["approve_accountant", "approve_head"]
    assert Notification.objects.filter(recipient=accountant).exists()
    _decide(pending.get(assignee=org.sales_head), capture, approved=True)
    instance.refresh_from_db()
    assert instance.status == "running" and instance.current == ["approve_accountant"]
    _decide(Approval.objects.get(instance=instance, assignee=accountant), capture, approved=True)
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert ProcessStep.objects.filter(instance=instance, element="tell_ok").exists()
    assert not ProcessStep.objects.filter(instance=instance, element="tell_no").exists()


def test_invoice_under_the_threshold_needs_only_the_head_and_a_rejection_ends_it(
    org, accountant, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    template = next(t for t in _invoice(org, capture) if t.code == "invoice_approval")
    deal = make_deal("Мелочь", by=org.sales_rep, amount=Decimal("1000"))

    instance = _start(template, deal, org.sales_rep, capture)

    only = Approval.objects.get(instance=instance)
    assert only.assignee == org.sales_head and only.element == "approve_head_only"
    _decide(only, capture, approved=False, comment="Дорого")
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert ProcessStep.objects.filter(instance=instance, element="tell_no").exists()
    assert ProcessInstance.objects.get(pk=instance.pk).approvals.get().comment == "Дорого"
