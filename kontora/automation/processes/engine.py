"""Running instances: one engine step per transaction, state saved after each, user tasks mirrored as approvals.

`advance()` is the only place SpiffWorkflow runs engine tasks. It locks the instance row, loads the workflow, runs ONE
ready engine task (gateway, script, service task, event) and saves the new state in the same transaction as that
task's effects — so a worker killed mid-step leaves the previous state and no effects, and the step is redone once.
When no engine task is ready, it settles: ready user tasks become `Approval` rows, finished ones are cancelled, the
next timer is scheduled as durable work, a finished workflow completes the instance.
"""

import json
import logging
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from kontora import events
from kontora.automation.processes import assignees, documents, elements, expressions, operators
from kontora.automation.processes.models import Approval, ProcessInstance, ProcessStep, ProcessWake
from kontora.core import durable

logger = logging.getLogger("kontora.processes")
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
MAX_STEPS = 10_000  # a diagram looping without a wait is stopped rather than spinning a worker forever


def new_workflow(bpmn: str, process_id: str) -> BpmnWorkflow:
    parser = elements.parser_for(bpmn)
    return BpmnWorkflow(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))


def dump(workflow: BpmnWorkflow) -> str:
    return SERIALIZER.serialize_json(workflow)


def load(instance: ProcessInstance) -> BpmnWorkflow:
    workflow = SERIALIZER.deserialize_json(instance.state)
    workflow.script_engine = _script_engine(instance)
    return workflow


def completed_elements(instance: ProcessInstance) -> set[str]:
    """The diagram elements the instance's workflow has completed: tasks, events and gateways alike."""
    workflow = SERIALIZER.deserialize_json(instance.state)
    each = [workflow, *workflow.subprocesses.values()]
    return {task.task_spec.bpmn_id for part in each for task in part.get_tasks(state=TaskState.COMPLETED)
            if task.task_spec.bpmn_id}  # fmt: skip


def _script_engine(instance: ProcessInstance):
    document = documents.load(instance.document_type, instance.document_id)
    external = {
        "document": documents.values(document) if document is not None else {},
        "parameters": instance.parameters,
    }

    def services(operation: str, params: dict, data: dict) -> str:
        return json.dumps(operators.run(instance, document, operation, params, data), default=str)

    return expressions.script_engine(external, services)


def wake(instance: ProcessInstance, at: datetime | None = None) -> ProcessWake:
    """Ask for the instance to be stepped (now, or at its timer) — durable: survives a lost queue or worker."""
    from kontora.automation.processes import jobs

    row = ProcessWake.objects.create(instance=instance, due_at=at or timezone.now())
    transaction.on_commit(lambda: durable.schedule(row, jobs.advance_process))
    return row


def approvals_changed(instance: ProcessInstance, assignees=None) -> None:
    """Tell subscribers (inbox counters) that approvals of the instance opened or closed; None: all its people."""
    data = {"assignees": sorted(set(assignees))} if assignees is not None else {}
    events.emit("processes.approval.changed", instance, **data)


def note(instance: ProcessInstance, kind: str, *, element: str = "", title: str = "", text: str = "", user=None):
    return ProcessStep.objects.create(
        instance=instance, kind=kind, element=element, title=title[:255], text=text, user=user
    )


def _workflows(workflow: BpmnWorkflow) -> list:
    subprocesses = sorted(workflow.get_active_subprocesses(), key=lambda sub: sub.depth, reverse=True)
    return [*subprocesses, workflow]


def _next_engine_task(workflow: BpmnWorkflow) -> Task | None:
    for each in _workflows(workflow):
        task = each.get_next_task(state=TaskState.READY, manual=False)
        if task is not None:
            return task
    return None


def _update_subprocess_parents(workflow: BpmnWorkflow) -> None:
    for sub in workflow.get_active_subprocesses():
        if sub.parent_task_id is not None:
            parent = workflow.get_task_from_id(sub.parent_task_id)
            parent.task_spec._update(parent)


def advance(pk: int, *, final_attempt: bool = False) -> None:
    """Step the instance until it waits (a person, a timer) or ends; each step is its own transaction."""
    for _ in range(MAX_STEPS):
        try:
            if not _step(pk):
                return
        except Exception as error:
            logger.exception("process instance %s: a step failed", pk)
            if final_attempt:
                fail(pk, str(error))
            raise
    fail(pk, gettext("The process made %(count)s steps without waiting; it was stopped.") % {"count": MAX_STEPS})


@transaction.atomic
def _step(pk: int) -> bool:
    """Run one engine task and save; settle when none is ready. True while there is more to do."""
    instance = ProcessInstance.objects.select_for_update().filter(pk=pk).first()
    if instance is None or instance.status != ProcessInstance.Status.RUNNING:
        return False
    workflow = load(instance)
    task = _next_engine_task(workflow)
    if task is None:
        workflow.refresh_timers()
        task = _next_engine_task(workflow)
    if task is None:
        _settle(instance, workflow)
        return False
    task.run()
    _update_subprocess_parents(workflow)
    _remember(instance, task)
    save(instance, workflow)
    return True


def save(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    instance.state = dump(workflow)
    instance.steps += 1
    instance.save(update_fields=["state", "steps", "updated_at"])


def _remember(instance: ProcessInstance, task: Task) -> None:
    """History keeps the steps people care about: actions, scripts, timers and named tasks — not plumbing."""
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None) or ""
    event = getattr(spec, "event_definition", None)
    if hasattr(spec, "operation_name"):
        result = task.data.get(spec.result_variable)
        text = result.get("result", "") if isinstance(result, dict) else str(result or "")
        note(instance, ProcessStep.Kind.SERVICE, element=spec.bpmn_id, title=name or spec.operation_name, text=text)
    elif isinstance(event, TimerEventDefinition):
        note(instance, ProcessStep.Kind.TIMER, element=spec.bpmn_id, title=name or event.expression)
    elif name and spec.__class__.__name__ not in ("StartEvent", "EndEvent") and "Gateway" not in type(spec).__name__:
        note(instance, ProcessStep.Kind.TASK, element=spec.bpmn_id, title=name)


def _settle(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    ready = [task for each in _workflows(workflow) for task in each.get_tasks(state=TaskState.READY, manual=True)]
    ready_ids = {str(task.id) for task in ready}
    stale = Approval.objects.filter(instance=instance, status=Approval.Status.PENDING).exclude(task_id__in=ready_ids)
    stale_people = list(stale.values_list("assignee_id", flat=True))
    if stale_people:
        stale.update(status=Approval.Status.CANCELLED, decided_at=timezone.now())
        approvals_changed(instance, stale_people)
    known = set(Approval.objects.filter(instance=instance, task_id__in=ready_ids).values_list("task_id", flat=True))
    for task in ready:
        if str(task.id) not in known:
            assignees.assign(instance, task)
    waiting = [
        task for each in _workflows(workflow) for task in each.get_tasks(state=TaskState.WAITING)
        if "Gateway" not in type(task.task_spec).__name__
    ]  # fmt: skip
    instance.current = sorted({task.task_spec.bpmn_id for task in [*ready, *waiting] if task.task_spec.bpmn_id})
    if workflow.is_completed():
        _complete(instance, workflow)
        return
    timer = next_timer(workflow)
    if timer is not None and timer != instance.next_timer_at:
        wake(instance, timer)
    instance.next_timer_at = timer
    instance.save(update_fields=["current", "next_timer_at", "updated_at"])


def next_timer(workflow: BpmnWorkflow) -> datetime | None:
    """When the earliest waiting timer of the workflow fires (SpiffWorkflow keeps it as ISO text)."""
    moments = []
    for pending in workflow.waiting_events():
        if "Timer" not in (pending.event_type or "") or not pending.value:
            continue
        value = pending.value
        try:
            moment = TimerEventDefinition.parse_time_or_duration(value)
        except (ValueError, TypeError, AttributeError):
            continue
        if isinstance(moment, datetime):
            moments.append(moment)
    return min(moments) if moments else None


def _complete(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    instance.status = ProcessInstance.Status.COMPLETED
    instance.finished_at = timezone.now()
    instance.next_timer_at = None
    instance.save(update_fields=["status", "finished_at", "next_timer_at", "current", "updated_at"])
    note(instance, ProcessStep.Kind.COMPLETED, title=gettext("The process completed"))
    operators.on_finished(instance, workflow.data if hasattr(workflow, "data") else {})


def fail(pk: int, error: str) -> None:
    with transaction.atomic():
        instance = ProcessInstance.objects.select_for_update().filter(pk=pk).first()
        if instance is None or instance.status != ProcessInstance.Status.RUNNING:
            return
        instance.status = ProcessInstance.Status.FAILED
        instance.error = error[:4000]
        instance.finished_at = timezone.now()
        instance.save(update_fields=["status", "error", "finished_at", "updated_at"])
        Approval.objects.filter(instance=instance, status=Approval.Status.PENDING).update(
            status=Approval.Status.CANCELLED, decided_at=timezone.now()
        )
        note(instance, ProcessStep.Kind.FAILED, title=gettext("The process failed"), text=error[:4000])
        approvals_changed(instance)


def complete_user_task(instance: ProcessInstance, task_id: str, data: dict) -> None:
    """Finish a ready user task with the group's outcome (inside the caller's transaction) and step on."""
    workflow = load(instance)
    task = workflow.get_task_from_id(UUID(task_id))
    task.data.update(data)
    task.run()
    save(instance, workflow)
    wake(instance)
