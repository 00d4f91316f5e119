"""Diagrams from elsewhere, group voting, timers, failing actions and the restricted expression language."""

import time
from pathlib import Path

import pytest
from django.utils import timezone

from kontora.automation.processes import engine, expressions, services
from kontora.automation.processes.jobs import advance_process
from kontora.automation.processes.models import Approval, ProcessInstance, ProcessStep, ProcessWake
from kontora.core.errors import Invalid
from kontora.crm.models import Comment
from tests.factories import make_deal, make_user

FILES = Path(__file__).parent / "files"

GROUP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="board" name="Board" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="vote" name="Board votes">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="assignee" value="users:b1,b2,b3"/>
        <spiffworkflow:property name="voting" value="{voting}"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="no"/>
    <bpmn:scriptTask id="yes_script" name="Mark yes"><bpmn:script>result = "yes"</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="no_script" name="Mark no"><bpmn:script>result = "no"</bpmn:script></bpmn:scriptTask>
    <bpmn:serviceTask id="act" name="Comment">
      <bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="add_comment" resultVariable="">
        <spiffworkflow:parameters>
          <spiffworkflow:parameter id="text" type="str" value="'Board said ' + result"/>
        </spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vote"/>
    <bpmn:sequenceFlow id="f2" sourceRef="vote" targetRef="gw"/>
    <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="yes_script">
      <bpmn:conditionExpression>vote.approved</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="no_script"/>
    <bpmn:sequenceFlow id="f3" sourceRef="yes_script" targetRef="act"/>
    <bpmn:sequenceFlow id="f4" sourceRef="no_script" targetRef="act"/>
    <bpmn:sequenceFlow id="f5" sourceRef="act" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def board(org):
    return [make_user(name, department=org.sales, preset="employee") for name in ("b1", "b2", "b3")]


def _run(capture, work):
    with capture(execute=True):
        return work()


def _board_instance(org, voting, capture):
    template = services.create_template(by=org.admin, bpmn=GROUP.replace("{voting}", voting), document_type="deal")
    deal = make_deal("Сделка", by=org.sales_rep)
    instance = _run(capture, lambda: services.start(template, deal, by=org.sales_rep))
    return instance, deal


def _vote(instance, user, approved, capture):
    approval = Approval.objects.get(instance=instance, assignee=user)
    _run(capture, lambda: services.decide(approval, by=user, approved=approved, comment="" if approved else "нет"))
    instance.refresh_from_db()


@pytest.mark.parametrize(
    ("voting", "votes", "steps_to_decide", "outcome"),
    [
        ("any", [True], 1, "yes"),
        ("all", [True, True, True], 3, "yes"),
        ("all", [True, False], 2, "no"),
        ("majority", [True, False, True], 3, "yes"),
        ("majority", [False, True, False], 3, "no"),
    ],
)
def test_a_group_decides_by_its_voting_rule(
    org, board, voting, votes, steps_to_decide, outcome, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    instance, deal = _board_instance(org, voting, capture)
    assert Approval.objects.filter(instance=instance).count() == 3

    for number, (user, approved) in enumerate(zip(board, votes, strict=False), start=1):
        _vote(instance, user, approved, capture)
        assert (instance.status == "completed") == (number == steps_to_decide)

    assert ProcessStep.objects.filter(instance=instance, element=f"{outcome}_script").exists()
    assert not Approval.objects.filter(instance=instance, status="pending").exists()
    assert Comment.objects.filter(entity_id=deal.pk, text=f"Board said {outcome}").count() == 1


def test_a_diagram_drawn_in_camunda_modeler_imports_and_runs_with_its_timer(org, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    boss = make_user("boss", department=org.sales, preset="employee")
    deputy = make_user("deputy", department=org.sales, preset="employee")
    template = services.create_template(
        by=org.admin, bpmn=(FILES / "camunda_leave.bpmn").read_text(), document_type="deal",
        parameters=[{"code": "days", "name": "Days", "type": "number", "required": True}],
    )  # fmt: skip
    assert template.elements["Activity_boss"]["assignee"] == "user:boss"
    assert template.elements["Activity_deputy"]["assignee"] == "users:deputy"
    deal = make_deal("Отпуск", by=org.sales_rep)

    short = _run(capture, lambda: services.start(template, deal, by=org.sales_rep, parameters={"days": 1}))
    short.refresh_from_db()
    assert short.status == "completed" and not short.approvals.exists()

    long = _run(capture, lambda: services.start(template, deal, by=org.sales_rep, parameters={"days": "5"}))
    long.refresh_from_db()
    assert long.approvals.get().assignee == boss
    assert long.next_timer_at is not None and long.next_timer_at <= timezone.now() + timezone.timedelta(seconds=2)
    wake = ProcessWake.objects.filter(instance=long, due_at=long.next_timer_at).get()

    time.sleep(1.2)  # the boss does not answer within the boundary timer
    _run(capture, lambda: advance_process.call(wake.pk))

    long.refresh_from_db()
    assert Approval.objects.get(instance=long, assignee=boss).status == "cancelled"
    deputy_task = Approval.objects.get(instance=long, assignee=deputy)
    assert ProcessStep.objects.filter(instance=long, kind="timer", element="Event_late").count() == 1
    _run(capture, lambda: services.decide(deputy_task, by=deputy, approved=True))
    long.refresh_from_db()
    assert long.status == "completed"


def test_a_missing_start_parameter_and_a_broken_file_are_refused_with_the_field(org):
    with pytest.raises(Invalid) as broken:
        services.create_template(by=org.admin, bpmn="<not-bpmn/>", document_type="deal")
    assert broken.value.field == "bpmn"
    template = services.create_template(
        by=org.admin, bpmn=(FILES / "camunda_leave.bpmn").read_text(), document_type="deal",
        parameters=[{"code": "days", "name": "Days", "type": "number", "required": True}],
    )  # fmt: skip
    with pytest.raises(Invalid) as missing:
        services.start(template, make_deal("X", by=org.sales_rep), by=org.sales_rep, parameters={})
    assert missing.value.field == "days"


def test_a_failing_action_is_retried_then_the_instance_fails_visibly(org, board, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    bpmn = GROUP.replace("{voting}", "any").replace('id="add_comment"', 'id="no_such_action"')
    template = services.create_template(by=org.admin, bpmn=bpmn, document_type="deal")
    instance = _run(capture, lambda: services.start(template, make_deal("Y", by=org.sales_rep), by=org.sales_rep))
    _vote(instance, board[0], True, capture)

    wake = ProcessWake.objects.filter(instance=instance).order_by("-id").first()
    assert wake.status == "pending" and wake.attempts == 1 and "no_such_action" in wake.last_error
    for _attempt in range(ProcessWake.max_attempts - 1):
        ProcessWake.objects.filter(pk=wake.pk).update(due_at=timezone.now())
        advance_process.call(wake.pk)
    instance.refresh_from_db()
    wake.refresh_from_db()
    assert wake.status == "failed"
    assert instance.status == "failed" and "no_such_action" in instance.error
    assert ProcessStep.objects.filter(instance=instance, kind="failed").count() == 1
    assert ProcessStep.objects.filter(instance=instance, element="yes_script").count() == 1  # not redone


def test_an_administrator_stops_an_instance_and_its_approvals_close(org, board, django_capture_on_commit_callbacks):
    instance, _deal = _board_instance(org, "all", django_capture_on_commit_callbacks)
    services.stop(instance, by=org.admin, reason="ошибка")
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.STOPPED
    assert set(instance.approvals.values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(Invalid):
        services.decide(instance.approvals.get(assignee=board[0]), by=board[0])


@pytest.mark.parametrize(
    "expression",
    ["__import__('os').system('true')", "().__class__.__bases__", "open('/etc/passwd')", "document._data",
     "[x for x in range(10**9)]", "exec('1')"],
)  # fmt: skip
def test_the_expression_language_refuses_what_is_not_whitelisted(expression):
    with pytest.raises(Invalid):
        expressions.evaluate(expression, {"document": {"OPPORTUNITY": 5}})


def test_expressions_read_the_document_and_data_and_scripts_only_assign():
    names = {"document": {"OPPORTUNITY": 600000}, "head": {"approved": True}}
    assert expressions.evaluate("document.OPPORTUNITY > 500000 and head.approved", names) is True
    assert expressions.evaluate("${document.OPPORTUNITY > 1 && !head.approved}", names) is False
    assert expressions.evaluate("PT2H", {}) == "PT2H"
    assert expressions.assignments("a = 1 + 2\n\nb = a * 2") == [("a", "1 + 2"), ("b", "a * 2")]
    with pytest.raises(Invalid):
        expressions.assignments("import os")
    with pytest.raises(Invalid):
        expressions.assignments("a.b = 1")


def test_state_is_saved_after_every_step(org, board, django_capture_on_commit_callbacks):
    instance, _deal = _board_instance(org, "any", django_capture_on_commit_callbacks)
    steps_before = instance.steps
    _vote(instance, board[0], True, django_capture_on_commit_callbacks)
    workflow = engine.load(instance)
    assert workflow.is_completed()
    assert instance.steps - steps_before >= 4  # the vote, the gateway, the script, the action, the end: one save each
