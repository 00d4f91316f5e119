"""Processes that start by themselves: on a document's creation or change, or from a robot on a CRM stage."""

import logging

from django.utils.translation import gettext

from kontora.accounts.models import User
from kontora.automation.processes import documents, services
from kontora.automation.processes.models import ProcessInstance, ProcessTemplate
from kontora.automation.processes.registration import AUTOSTART_EVENTS
from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.crm import schema
from kontora.events.models import Event

logger = logging.getLogger("kontora.processes")


def _condition_holds(template: ProcessTemplate, document) -> bool:
    if not template.start_condition or template.document_type == "list":
        return True
    model = type(document)
    queryset = model.objects.filter(pk=document.pk)
    return filters.apply(queryset, template.start_condition, schema.fields_of(template.document_type)).exists()


def on_document_event(event: Event) -> None:
    """Start the templates bound to this document type on creation/change — once per document while one runs."""
    document_type, moment = AUTOSTART_EVENTS[event.name]
    document = documents.load(document_type, int(event.object_id))
    if document is None:
        return
    templates = ProcessTemplate.objects.filter(active=True, document_type=document_type)
    templates = templates.filter(start_on_create=True) if moment == "create" else templates.filter(start_on_change=True)
    if document_type == "list":
        templates = templates.filter(list_code=documents.list_code(document))
    starter = event.actor or getattr(document, "created_by", None)
    for template in templates:
        running = ProcessInstance.objects.filter(
            template=template, document_id=document.pk, status=ProcessInstance.Status.RUNNING
        )
        if running.exists() or not _condition_holds(template, document):
            continue
        try:
            services.start(template, document, by=starter, parameters=_defaults(template, document))
        except Invalid:
            logger.exception("process %s could not start on %s %s", template.code, document_type, document.pk)


def _defaults(template: ProcessTemplate, document) -> dict:
    """Start parameters taken from the document's fields of the same code (a list element's values)."""
    values = documents.values(document)
    return {p["code"]: values.get(p["code"], values.get(p["code"].upper())) for p in template.parameters}


def start_from_robot(record, params: dict, *, actor: User) -> str:
    """The robot action "start a business process": the template by id or code, on the robot's record."""
    key = str(params.get("template") or "")
    template = ProcessTemplate.objects.filter(code=key).first() or (
        ProcessTemplate.objects.filter(pk=int(key)).first() if key.isdigit() else None
    )
    if template is None:
        raise Invalid("UNKNOWN_PROCESS", "template", gettext("There is no such business process."))
    starter = getattr(record, "responsible", None) or actor
    instance = services.start(template, record, by=starter, parameters=_defaults(template, record))
    return gettext("Process “%(name)s” started (#%(id)s)") % {"name": template.name, "id": instance.pk}
