"""My approvals: the inbox of process tasks waiting for the user, and one approval's page with its decision form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.automation.processes import selectors, services
from kontora.automation.processes.models import Approval, ProcessInstance
from kontora.automation.processes.views.start import typed_field
from kontora.core.errors import Forbidden, Invalid

TABS = (("pending", gettext_lazy("Waiting for me")), ("done", gettext_lazy("Decided by me")))
DONE_LIMIT = 200


class DecisionForm(forms.Form):
    """A comment and, for a "fill" task, the task's fields as typed inputs; the service validates them."""

    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, approval: Approval, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if approval.kind == Approval.Kind.FILL:
            fields = {item["code"]: typed_field(item["type"], item["code"] + " *") for item in approval.fields}
            self.fields = {**fields, "comment": self.fields["comment"]}

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "comment"}


@login_required
def approvals(request):
    """The user's approvals: those waiting (the nearest deadline first) or those already decided."""
    tab = request.GET.get("tab", "pending")
    if tab not in dict(TABS):
        tab = "pending"
    queryset = (
        selectors.pending_approvals(request.user)
        if tab == "pending"
        else selectors.decided_approvals(request.user)[:DONE_LIMIT]
    )
    tabs = [
        {"key": key, "label": label, "url": f"{reverse('automation:approvals')}?tab={key}", "current": key == tab}
        for key, label in TABS
    ]
    return render(request, "processes/inbox/list.html", {
        "tab": tab, "tabs": tabs, "rows": selectors.inbox_rows(queryset),
        "pending_count": selectors.header_count(request.user),
    })  # fmt: skip


def _may_decide(user, approval: Approval) -> bool:
    return (
        approval.assignee_id == user.pk
        and approval.status == Approval.Status.PENDING
        and approval.instance.status == ProcessInstance.Status.RUNNING
    )


@login_required
def approval(request, pk: int):
    """The task, its document, the history so far and — for its assignee while it waits — the decision form."""
    approval = selectors.approval_for(request.user, pk)
    if approval is None:
        raise Http404
    may_decide = _may_decide(request.user, approval)
    form = DecisionForm(approval, request.POST if request.method == "POST" and may_decide else None)
    if request.method == "POST" and may_decide and form.is_valid():
        decision = request.POST.get("decision", "")
        try:
            services.decide(
                approval, by=request.user, approved=decision != "reject", comment=form.cleaned_data["comment"],
                values=form.values(),
            )  # fmt: skip
        except Forbidden:
            raise Http404 from None
        except Invalid as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Your decision is saved."))
            return redirect("automation:approval", approval.pk)
    row = selectors.inbox_rows([approval])[0]
    return render(request, "processes/inbox/approval.html", {
        "approval": approval, "instance": approval.instance, "form": form, "may_decide": may_decide,
        "document": row["document"], "overdue": row["overdue"], "history": selectors.history(approval.instance),
    })  # fmt: skip
