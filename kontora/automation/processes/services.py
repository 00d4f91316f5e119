"""Process templates (administrators), starting and stopping instances, deciding approvals."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from kontora.accounts.selectors import is_administrator
from kontora.automation.processes import documents, elements, engine, operators
from kontora.automation.processes.models import (
    Approval,
    DocumentType,
    ProcessInstance,
    ProcessStep,
    ProcessTemplate,
)
from kontora.core.errors import Forbidden, Invalid

PARAMETER_TYPES = ("text", "number", "date", "bool", "user")


def _require_admin(by) -> None:
    if by is None or not is_administrator(by):
        raise Forbidden(gettext("Only administrators configure business processes."))


def _clean_parameters(parameters: Any) -> list[dict]:
    cleaned = []
    for item in parameters or []:
        code = str(item.get("code", "")).strip()
        if not elements.expressions.NAME.match(code) or item.get("type", "text") not in PARAMETER_TYPES:
            raise Invalid("BAD_PARAMETER", "parameters", gettext("A start parameter needs a code and a known type."))
        cleaned.append({
            "code": code, "name": str(item.get("name") or code), "type": item.get("type", "text"),
            "required": bool(item.get("required")),
        })  # fmt: skip
    return cleaned


def _apply(template: ProcessTemplate, fields: dict[str, Any]) -> None:
    if "bpmn" in fields:
        diagram = elements.read(fields["bpmn"])
        template.bpmn, template.process_id, template.elements = fields.pop("bpmn"), diagram.process_id, diagram.elements
        if not (fields.get("name") or template.name):
            template.name = diagram.name
    if "parameters" in fields:
        fields["parameters"] = _clean_parameters(fields["parameters"])
    for name, value in fields.items():
        setattr(template, name, value)
    if template.document_type not in DocumentType.values:
        raise Invalid("BAD_DOCUMENT_TYPE", "document_type", gettext("Choose what the process runs on."))
    if template.document_type == DocumentType.LIST and not template.list_code:
        raise Invalid("NO_LIST", "list_code", gettext("Choose the universal list the process runs on."))
    if not template.name.strip():
        raise Invalid("REQUIRED", "name", gettext("The name is required."))
    template.code = template.code or slugify(template.name, allow_unicode=False)[:50] or f"process-{timezone.now():%s}"


@transaction.atomic
def create_template(*, by, bpmn: str, document_type: str, name: str = "", **fields: Any) -> ProcessTemplate:
    _require_admin(by)
    template = ProcessTemplate(created_by=by, name=name, document_type=document_type)
    _apply(template, {"bpmn": bpmn, **fields})
    if ProcessTemplate.objects.filter(code=template.code).exists():
        template.code = f"{template.code[:50]}-{ProcessTemplate.objects.count() + 1}"
    template.save()
    return template


@transaction.atomic
def update_template(template: ProcessTemplate, *, by, **fields: Any) -> ProcessTemplate:
    """Change a template; a new diagram is a new version — running instances keep the one they started with."""
    _require_admin(by)
    if "bpmn" in fields and fields["bpmn"] != template.bpmn:
        template.version += 1
    _apply(template, fields)
    template.save()
    return template


@transaction.atomic
def delete_template(template: ProcessTemplate, *, by) -> None:
    _require_admin(by)
    if template.instances.exists():
        raise Invalid("HAS_INSTANCES", "template", gettext("The template has instances; switch it off instead."))
    template.delete()


def _clean_values(template: ProcessTemplate, values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for parameter in template.parameters:
        value = values.get(parameter["code"])
        if value in (None, "") and parameter.get("required"):
            raise Invalid(
                "REQUIRED", parameter["code"],
                gettext("“%(name)s” is required to start the process.") % {"name": parameter["name"]},
            )  # fmt: skip
        if value not in (None, "") and parameter["type"] == "number":
            try:
                value = float(str(value).replace(",", ".").replace(" ", ""))
            except ValueError:
                raise Invalid("NOT_A_NUMBER", parameter["code"], gettext("Enter a number.")) from None
        if parameter["type"] == "bool":
            value = str(value).lower() in ("1", "true", "on", "yes", "y")
        cleaned[parameter["code"]] = value
    return cleaned


@transaction.atomic
def start(template: ProcessTemplate, document, *, by, parameters: dict[str, Any] | None = None) -> ProcessInstance:
    """Start an instance on a document the starter may see; the first steps run in the background at once."""
    if not template.active:
        raise Invalid("INACTIVE", "template", gettext("This business process is switched off."))
    if documents.type_of(document) != template.document_type or (
        template.document_type == DocumentType.LIST and documents.list_code(document) != template.list_code
    ):
        raise Invalid("WRONG_DOCUMENT", "document", gettext("This process does not run on this kind of document."))
    if by is not None and not documents.can_read(by, document):
        raise Forbidden(gettext("You cannot see this document."))
    values = _clean_values(template, parameters or {})
    workflow = engine.new_workflow(template.bpmn, template.process_id)
    for task in workflow.get_tasks():
        task.data.update({"starter": by.pk if by else None, "document_id": document.pk, **values})
    instance = ProcessInstance.objects.create(
        template=template, version=template.version, name=template.name, document_type=template.document_type,
        document_id=document.pk, elements=template.elements, parameters=values, started_by=by,
        state=engine.dump(workflow),
    )  # fmt: skip
    engine.note(instance, ProcessStep.Kind.STARTED, title=gettext("The process started"), user=by)
    operators.timeline(instance, gettext("started"), by=by)
    engine.wake(instance)
    return instance


@transaction.atomic
def stop(instance: ProcessInstance, *, by, reason: str = "") -> ProcessInstance:
    _require_admin(by)
    instance = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
    if instance.status != ProcessInstance.Status.RUNNING:
        raise Invalid("NOT_RUNNING", "status", gettext("The process is not running."))
    instance.status = ProcessInstance.Status.STOPPED
    instance.finished_at = timezone.now()
    instance.next_timer_at = None
    instance.save(update_fields=["status", "finished_at", "next_timer_at", "updated_at"])
    instance.approvals.filter(status=Approval.Status.PENDING).update(
        status=Approval.Status.CANCELLED, decided_at=timezone.now()
    )
    engine.approvals_changed(instance)
    engine.note(instance, ProcessStep.Kind.STOPPED, title=gettext("Stopped by an administrator"), text=reason, user=by)
    operators.timeline(instance, gettext("stopped"), by=by)
    return instance


def _outcome(group: list[Approval]) -> bool | None:
    """The group's decision under its voting rule, or None while it is still open."""
    voting = group[0].voting
    yes = sum(row.status in (Approval.Status.APPROVED, Approval.Status.DONE) for row in group)
    no = sum(row.status == Approval.Status.REJECTED for row in group)
    total = len(group)
    if voting == Approval.Voting.ALL:
        return False if no else (True if yes == total else None)
    if voting == Approval.Voting.MAJORITY:
        return True if yes * 2 > total else (False if no * 2 >= total else None)
    return True if yes else (False if no else None)


def _clean_fill(approval: Approval, values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for field in approval.fields:
        value = values.get(field["code"])
        if value in (None, ""):
            raise Invalid("REQUIRED", field["code"], gettext("Fill in this field."))
        if field["type"] == "number":
            try:
                value = float(str(value).replace(",", "."))
            except ValueError:
                raise Invalid("NOT_A_NUMBER", field["code"], gettext("Enter a number.")) from None
        elif field["type"] == "bool":
            value = str(value).lower() in ("1", "true", "on", "yes")
        cleaned[field["code"]] = value
    return cleaned


@transaction.atomic
def decide(
    approval: Approval, *, by, approved: bool = True, comment: str = "", values: dict[str, Any] | None = None
) -> Approval:
    """Record one person's decision; when the group has decided, the user task completes and the process goes on."""
    instance = ProcessInstance.objects.select_for_update().get(pk=approval.instance_id)
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if approval.assignee_id != getattr(by, "pk", None):
        raise Forbidden(gettext("This approval is not yours."))
    if approval.status != Approval.Status.PENDING or instance.status != ProcessInstance.Status.RUNNING:
        raise Invalid("ALREADY_DECIDED", "status", gettext("This approval is already closed."))
    comment = comment.strip()
    if approval.kind == Approval.Kind.APPROVE:
        if not approved and not comment:
            raise Invalid("REQUIRED", "comment", gettext("Say why you reject it."))
        approval.status = Approval.Status.APPROVED if approved else Approval.Status.REJECTED
    else:
        approval.values = _clean_fill(approval, values or {}) if approval.kind == Approval.Kind.FILL else {}
        approval.status = Approval.Status.DONE
    approval.comment, approval.decided_at = comment, timezone.now()
    approval.save(update_fields=["status", "comment", "values", "decided_at"])
    verdict = dict(Approval.Status.choices)[approval.status]
    engine.note(instance, ProcessStep.Kind.DECIDED, element=approval.element, title=approval.title,
                text=f"{verdict}. {comment}".strip(), user=by)  # fmt: skip
    operators.timeline(instance, f"{approval.title}: {verdict} — {by.get_full_name() or by.username}", by=by)
    group = list(Approval.objects.filter(task_id=approval.task_id).exclude(status=Approval.Status.CANCELLED))
    engine.approvals_changed(instance, [row.assignee_id for row in group])
    outcome = _outcome(group)
    if outcome is None:
        return approval
    Approval.objects.filter(task_id=approval.task_id, status=Approval.Status.PENDING).update(
        status=Approval.Status.CANCELLED, decided_at=timezone.now()
    )
    data = {
        "approved": outcome,
        approval.element: {
            "approved": outcome,
            "comments": [row.comment for row in group if row.comment],
            "by": [row.assignee_id for row in group if row.decided_at],
            **{k: v for row in group for k, v in (row.values or {}).items()},
        },
        **{k: v for row in group for k, v in (row.values or {}).items()},
    }
    engine.complete_user_task(instance, approval.task_id, data)
    return approval
