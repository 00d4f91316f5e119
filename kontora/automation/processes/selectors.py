"""Reads of running processes: who may see an instance, the approvals inbox, a document's processes, the counter."""

from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from kontora.accounts import access
from kontora.accounts.selectors import is_administrator
from kontora.automation.processes import documents, engine
from kontora.automation.processes.models import (
    Approval,
    DocumentType,
    ProcessInstance,
    ProcessStep,
    ProcessTemplate,
)
from kontora.crm.selectors import record_by_code, visible_records


def _readable_documents(user, document_type: str) -> QuerySet:
    model = documents.model_of(document_type)
    if document_type in documents.CRM_MODELS:
        return visible_records(user, model, "read")
    return access.visible(user, model, "read")


def visible_instances(user) -> QuerySet[ProcessInstance]:
    """Instances the user may see: all for administrators; else those they started, have an approval in, or whose
    document they may read."""
    instances = ProcessInstance.objects.all()
    if not user.is_authenticated:
        return instances.none()
    if is_administrator(user):
        return instances
    condition = Q(started_by=user) | Q(pk__in=Approval.objects.filter(assignee=user).values("instance_id"))
    for document_type in DocumentType.values:
        readable = _readable_documents(user, document_type).values("pk")
        condition |= Q(document_type=document_type, document_id__in=readable)
    return instances.filter(condition)


def can_see(user, instance: ProcessInstance) -> bool:
    """The same rule as `visible_instances`, for one instance."""
    if not user.is_authenticated:
        return False
    if is_administrator(user) or instance.started_by_id == user.pk:
        return True
    if instance.approvals.filter(assignee=user).exists():
        return True
    document = documents.load(instance.document_type, instance.document_id)
    return document is not None and documents.can_read(user, document)


def instance_for(user, pk: int) -> ProcessInstance | None:
    """One instance the user may see, or None (missing and forbidden look the same)."""
    instance = ProcessInstance.objects.select_related("template", "started_by").filter(pk=pk).first()
    return instance if instance is not None and can_see(user, instance) else None


def approval_for(user, pk: int) -> Approval | None:
    """An approval: the assignee's own, or any in an instance the user may see; else None."""
    approval = (
        Approval.objects.select_related("instance", "instance__template", "instance__started_by", "assignee")
        .filter(pk=pk)
        .first()
    )
    if approval is None or (approval.assignee_id != user.pk and not can_see(user, approval.instance)):
        return None
    return approval


def pending_approvals(user) -> QuerySet[Approval]:
    """The user's own approvals still waiting, the nearest deadline first, in running instances only."""
    return (
        Approval.objects.filter(
            assignee=user, status=Approval.Status.PENDING, instance__status=ProcessInstance.Status.RUNNING
        )
        .select_related("instance", "instance__started_by")
        .order_by(models.F("deadline").asc(nulls_last=True), "-id")
    )


def decided_approvals(user) -> QuerySet[Approval]:
    """The approvals the user decided themselves, the latest first."""
    return (
        Approval.objects.filter(assignee=user, decided_at__isnull=False)
        .exclude(status__in=(Approval.Status.PENDING, Approval.Status.CANCELLED))
        .select_related("instance", "instance__started_by")
        .order_by("-decided_at", "-id")
    )


def header_count(user) -> int:
    """The header counter: the user's pending approvals."""
    if not user.is_authenticated:
        return 0
    return pending_approvals(user).count()


def inbox_rows(approvals) -> list[dict]:
    """Approvals with their documents (title, link) and whether they are overdue, for the inbox table."""
    rows = list(approvals)
    loaded: dict[tuple[str, int], models.Model | None] = {}
    for row in rows:
        key = (row.instance.document_type, row.instance.document_id)
        if key not in loaded:
            loaded[key] = documents.load(*key)
    now = timezone.now()
    return [
        {
            "approval": row,
            "document": _document_link(loaded[(row.instance.document_type, row.instance.document_id)]),
            "overdue": row.status == Approval.Status.PENDING and row.deadline is not None and row.deadline < now,
        }
        for row in rows
    ]


def _document_link(document: models.Model | None) -> dict:
    if document is None:
        return {"title": gettext("(deleted)"), "url": ""}
    return {"title": documents.title(document), "url": documents.url(document)}


def document_of(instance: ProcessInstance) -> dict:
    """The instance's document as a link: its title and address (empty when it is gone)."""
    return _document_link(documents.load(instance.document_type, instance.document_id))


def history(instance: ProcessInstance) -> QuerySet[ProcessStep]:
    return instance.history.select_related("user").order_by("id")


def passed_elements(instance: ProcessInstance) -> list[str]:
    """The diagram elements the instance has gone through (its workflow's completed tasks, events and gateways,
    and the steps of its history), not those it waits at."""
    waiting = set(instance.current or [])
    seen = set(instance.history.exclude(element="").values_list("element", flat=True).distinct())
    return sorted((seen | engine.completed_elements(instance)) - waiting)


def instances_of(user, document: models.Model) -> QuerySet[ProcessInstance]:
    """The document's instances the user may see, the latest first."""
    return (
        visible_instances(user)
        .filter(document_type=documents.type_of(document), document_id=document.pk)
        .select_related("template")
    )


def startable_templates(document: models.Model) -> QuerySet[ProcessTemplate]:
    """Active templates people start by hand on this kind of document."""
    document_type = documents.type_of(document)
    templates = ProcessTemplate.objects.filter(active=True, start_manually=True, document_type=document_type)
    if document_type == DocumentType.LIST:
        templates = templates.filter(list_code=documents.list_code(document))
    return templates.order_by("name")


def admin_instances(user, *, template: int | None = None, status: str = "") -> QuerySet[ProcessInstance]:
    """The instances list of the administrators' page, filtered by template and status."""
    instances = visible_instances(user).select_related("template", "started_by")
    if template:
        instances = instances.filter(template_id=template)
    if status:
        instances = instances.filter(status=status)
    return instances.order_by("-id")


def document_by_code(user, code: str) -> models.Model | None:
    """The CRM record behind a link code ("D_12") the user may read."""
    return record_by_code(user, code)


def linked_to(user, code: str, limit: int = 20) -> list[dict]:
    """For a CRM card: the record's processes the user may see, then one "start" link per startable template."""
    document = document_by_code(user, code)
    if document is None:
        return []
    items = [
        {"url": reverse("automation:process_instance", args=[instance.pk]), "title": instance.name,
         "note": instance.get_status_display()}
        for instance in instances_of(user, document)[:limit]
    ]  # fmt: skip
    document_type = documents.type_of(document)
    for template in startable_templates(document):
        items.append({
            "url": reverse("automation:process_start", args=[template.pk, document_type, document.pk]),
            "title": gettext("Start: %(name)s") % {"name": template.name}, "note": "",
        })  # fmt: skip
    return items
