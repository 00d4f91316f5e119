"""The process designer: bpmn-js on the left, the template's settings and the selected element's form on the right.

The diagram is drawn in the browser; an element's settings are edited in a form rendered here (DESIGN §8): the
script sends the element's settings, the form comes back, and once applied and valid the answer carries what the
script writes into the diagram. Saving posts the diagram's XML with the settings to the template services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from kontora.automation.processes import services
from kontora.automation.processes.forms import (
    DEADLINE_PRESETS,
    PARAMETER_TYPES,
    TemplateSettingsForm,
    element_form,
    parameter_rows,
)
from kontora.automation.processes.models import DocumentType, ProcessTemplate
from kontora.automation.processes.views.templates import admin_only, found
from kontora.core.errors import Forbidden, Invalid

DESIGNER = "processes/designer/designer.html"
ELEMENT = "processes/designer/element.html"
NEW_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_new" \
targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_new" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_new">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
SETTINGS = (
    "name", "description", "document_type", "list_code", "start_manually", "start_on_create", "start_on_change",
    "active",
)  # fmt: skip


def _rows(parameters: list[dict]) -> list[dict]:
    return [
        {"code": row["code"], "name": row.get("name", ""), "type": row.get("type", "text"),
         "required": "1" if row.get("required") else "0"}
        for row in parameters
    ]  # fmt: skip


def _page(request, form: TemplateSettingsForm, template: ProcessTemplate | None, bpmn: str, rows: list[dict]):
    context = {
        "form": form, "template": template, "bpmn": bpmn, "parameter_rows": _rows(rows),
        "parameter_types": PARAMETER_TYPES,
    }  # fmt: skip
    return render(request, DESIGNER, context, status=400 if form.is_bound else 200)


def _save(request, template: ProcessTemplate | None):
    """Validate the settings, then create or update through the services; errors go beside their fields."""
    form = TemplateSettingsForm(request.POST)
    if form.is_valid():
        fields = form.template_fields()
        try:
            if template is None:
                template = services.create_template(by=request.user, **fields)
            else:
                services.update_template(template, by=request.user, **fields)
        except (Invalid, Forbidden) as error:
            if isinstance(error, Invalid):
                error.add_to_form(form)
            else:
                form.add_error(None, error.message)
        else:
            messages.success(request, gettext("The process “%(name)s” is saved.") % {"name": template.name})
            return redirect("automation:process_designer", pk=template.pk)
    bpmn = request.POST.get("bpmn") or (template.bpmn if template else NEW_DIAGRAM)
    return _page(request, form, template, bpmn, parameter_rows(request.POST))


@login_required
def process_new(request):
    admin_only(request)
    if request.method == "POST":
        return _save(request, None)
    initial = {"document_type": DocumentType.DEAL, "start_manually": True, "active": True, "bpmn": NEW_DIAGRAM}
    return _page(request, TemplateSettingsForm(initial=initial), None, NEW_DIAGRAM, [])


@login_required
def process_designer(request, pk: int):
    admin_only(request)
    template = found(pk)
    if request.method == "POST":
        return _save(request, template)
    initial = {name: getattr(template, name) for name in SETTINGS} | {"bpmn": template.bpmn}
    return _page(request, TemplateSettingsForm(initial=initial), template, template.bpmn, template.parameters)


@login_required
def process_element(request):
    """The side form of the selected element; a valid submission answers with what to write into the diagram."""
    admin_only(request)
    if request.method != "POST":
        form = element_form(request.GET, user=request.user)
        return render(request, ELEMENT, {"form": form, "presets": DEADLINE_PRESETS})
    mode = "refresh" if request.POST.get("refresh") else "submit"
    form = element_form(request.POST, user=request.user, mode=mode)
    applied = form.diagram() if mode == "submit" and form.is_valid() else None
    return render(request, ELEMENT, {"form": form, "presets": DEADLINE_PRESETS, "applied": applied})
