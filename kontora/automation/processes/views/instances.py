"""Running processes: one instance's page (diagram with its position, history, stop) and the administrators' list."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts.selectors import is_administrator
from kontora.automation.processes import selectors, services
from kontora.automation.processes.models import ProcessInstance, ProcessTemplate
from kontora.core.errors import Forbidden, Invalid

PAGE_SIZE = 50


@login_required
def instance(request, pk: int):
    """The diagram with where the instance is and where it has been, its history, approvals and status."""
    instance = selectors.instance_for(request.user, pk)
    if instance is None:
        raise Http404
    administrator = is_administrator(request.user)
    if request.method == "POST" and request.POST.get("action") == "stop":
        try:
            services.stop(instance, by=request.user, reason=request.POST.get("reason", ""))
        except Forbidden:
            raise PermissionDenied from None
        except Invalid as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The process is stopped."))
        return redirect("automation:process_instance", instance.pk)
    template = instance.template
    return render(request, "processes/instances/detail.html", {
        "instance": instance, "template": template, "document": selectors.document_of(instance),
        "history": selectors.history(instance), "may_stop": administrator and instance.status == "running",
        "approvals": instance.approvals.select_related("assignee").order_by("id"),
        "newer_version": instance.version != template.version,
        "diagram": {"xml": template.bpmn, "current": instance.current or [],
                    "passed": selectors.passed_elements(instance)},
    })  # fmt: skip


class InstanceFilterForm(forms.Form):
    template = forms.ModelChoiceField(
        label=gettext_lazy("Process"), queryset=ProcessTemplate.objects.order_by("name"), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[("", "—"), *ProcessInstance.Status.choices], required=False
    )


@login_required
def instance_list(request):
    """Administrators: every instance, filtered by template and status."""
    if not is_administrator(request.user):
        raise PermissionDenied
    form = InstanceFilterForm(request.GET or None)
    template, status = None, ""
    if form.is_valid():
        template, status = form.cleaned_data["template"], form.cleaned_data["status"]
    instances = selectors.admin_instances(request.user, template=template.pk if template else None, status=status)
    page = Paginator(instances, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "processes/instances/list.html", {
        "form": form, "page": page, "query": query.urlencode(),
    })  # fmt: skip
