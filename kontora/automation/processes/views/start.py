"""Starting a process by hand from a document's card: the choice of templates, the start-parameters form, the panel
shown on universal-list elements."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from kontora.accounts.models import User
from kontora.automation.processes import documents, selectors, services
from kontora.automation.processes.models import DocumentType, ProcessTemplate
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.choices import CODE_PREFIX, EntityType

CRM_TYPES = {CODE_PREFIX[EntityType[name.upper()]]: name for name in documents.CRM_MODELS}


def typed_field(kind: str, label: str) -> forms.Field:
    """An input for a process value of type text, number, date, bool or user; the service validates what is sent."""
    if kind == "bool":
        return forms.BooleanField(label=label, required=False)
    if kind == "user":
        people = User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
        choices = [("", "—"), *((str(person.pk), person.full_name) for person in people)]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    widgets = {
        "number": forms.NumberInput(attrs={"step": "any"}),
        "date": forms.DateInput(attrs={"type": "date"}),
    }
    return forms.CharField(label=label, required=False, widget=widgets.get(kind, forms.TextInput()))


class ParametersForm(forms.Form):
    """The template's start parameters as typed inputs; required ones are checked by `services.start`."""

    def __init__(self, template: ProcessTemplate, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for parameter in template.parameters:
            label = parameter["name"] + (" *" if parameter.get("required") else "")
            self.fields[parameter["code"]] = typed_field(parameter["type"], label)


def _document(request, document_type: str, pk: int) -> models.Model:
    if document_type not in DocumentType.values:
        raise Http404
    document = documents.load(document_type, pk)
    if document is None or not documents.can_read(request.user, document):
        raise Http404
    return document


def start_url(template: ProcessTemplate, document: models.Model) -> str:
    return reverse("automation:process_start", args=[template.pk, documents.type_of(document), document.pk])


def _choices(user, document: models.Model) -> dict:
    return {
        "document": document,
        "document_url": documents.url(document),
        "instances": list(selectors.instances_of(user, document)[:20]),
        "templates": [
            {"template": template, "url": start_url(template, document)}
            for template in selectors.startable_templates(document)
        ],
    }


@login_required
def choose(request, document_type: str, document_pk: int):
    """The document's processes and the templates that may be started on it."""
    document = _document(request, document_type, document_pk)
    return render(request, "processes/start/choose.html", _choices(request.user, document))


@login_required
def start(request, template_pk: int, document_type: str, document_pk: int):
    """Ask the start parameters (if any) and start the process; the answer is the new instance's page."""
    document = _document(request, document_type, document_pk)
    template = selectors.startable_templates(document).filter(pk=template_pk).first()
    if template is None:
        raise Http404
    form = ParametersForm(template, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            instance = services.start(template, document, by=request.user, parameters=form.cleaned_data)
        except Forbidden:
            raise Http404 from None
        except Invalid as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("The process “%(name)s” has started.") % {"name": template.name})
            return redirect("automation:process_instance", instance.pk)
    return render(request, "processes/start/form.html", {
        "template": template, "form": form, "document": document, "document_url": documents.url(document),
    })  # fmt: skip


def choose_url(code: str) -> str:
    """For a CRM card's "add" link: the choice of processes for the record with this code ("D_12")."""
    prefix, _sep, pk = code.partition("_")
    return reverse("automation:process_choose", args=[CRM_TYPES[prefix], int(pk)])


def record_panel(user, kind: str, record: models.Model) -> str:
    """The "Business processes" block of a universal-list element's page."""
    if kind != "list_element":
        return ""
    return render_to_string("processes/start/panel.html", _choices(user, record))
