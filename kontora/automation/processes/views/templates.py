"""Process templates for administrators: the list, import and export of `.bpmn` files, built-ins, switch, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from kontora.accounts.selectors import is_administrator
from kontora.automation.processes import builtin, catalog, services
from kontora.automation.processes.forms import ImportForm, InstallForm
from kontora.automation.processes.models import ProcessTemplate
from kontora.core.errors import Forbidden, Invalid

LIST = "processes/templates_admin/list.html"


def admin_only(request) -> None:
    if not is_administrator(request.user):
        raise PermissionDenied


def found(pk: int) -> ProcessTemplate:
    template = catalog.template(pk)
    if template is None:
        raise Http404
    return template


def _list(request, *, import_form: ImportForm | None = None, install_form: InstallForm | None = None, status=200):
    names = dict(catalog.universal_lists())
    templates = list(catalog.templates())
    for item in templates:  # a list's name, as people know it; its code where the list is gone
        item.list_name = names.get(item.list_code, item.list_code)
    context = {
        "templates": templates,
        "import_form": import_form or ImportForm(),
        "install_form": install_form or InstallForm(user=request.user),
    }
    return render(request, LIST, context, status=status)


@login_required
def process_templates(request):
    admin_only(request)
    return _list(request)


@login_required
@require_POST
def process_import(request):
    admin_only(request)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            template = services.create_template(
                by=request.user, bpmn=data["file"], document_type=data["document_type"], list_code=data["list_code"]
            )
        except (Invalid, Forbidden) as error:
            field = getattr(error, "field", "")
            form.add_error(field if field in ("document_type", "list_code") else "file", error.message)
        else:
            messages.success(request, gettext("The process “%(name)s” is imported.") % {"name": template.name})
            return redirect("automation:process_designer", pk=template.pk)
    return _list(request, import_form=form, status=400)


@login_required
@require_POST
def process_install(request):
    admin_only(request)
    form = InstallForm(request.POST, user=request.user)
    if form.is_valid():
        installed = builtin.install(by=request.user, **form.cleaned_data)
        if installed:
            names = ", ".join(template.name for template in installed)
            messages.success(request, gettext("Installed: %(names)s.") % {"names": names})
        else:
            messages.info(request, gettext("The built-in processes are installed already."))
        return redirect("automation:process_templates")
    return _list(request, install_form=form, status=400)


@login_required
@require_POST
def process_switch(request, pk: int):
    admin_only(request)
    template = found(pk)
    services.update_template(template, by=request.user, active=request.POST.get("active") == "1")
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("automation:process_templates")


@login_required
@require_POST
def process_delete(request, pk: int):
    admin_only(request)
    template = found(pk)
    try:
        services.delete_template(template, by=request.user)
    except Invalid as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The process “%(name)s” is deleted.") % {"name": template.name})
    return redirect("automation:process_templates")


@login_required
def process_export(request, pk: int):
    admin_only(request)
    template = found(pk)
    response = HttpResponse(template.bpmn, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{template.code}.bpmn"'
    return response
