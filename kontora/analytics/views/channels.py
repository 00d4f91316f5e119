"""End-to-end analytics by channel, with spend entered by hand or imported from CSV."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontora.analytics import selectors_builder as selectors
from kontora.analytics import services
from kontora.analytics.builder import channels, plans
from kontora.analytics.builder.exports import table_response
from kontora.analytics.builder.forms import SpendForm, SpendImportForm
from kontora.analytics.models import ChannelKind
from kontora.core.errors import Invalid


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return default


def _query(request) -> tuple[str, date, date]:
    month = plans.period("month", timezone.localdate())
    kind = request.GET.get("kind") if request.GET.get("kind") in ChannelKind.values else ChannelKind.SOURCE
    first, last = _day(request.GET.get("from"), month.first), _day(request.GET.get("to"), month.last)
    return kind, min(first, last), max(first, last)


@login_required
def channels_page(request):
    """Administrators and heads: leads, deals, revenue, spend, cost per lead and deal, ROI per channel."""
    if not services.may_enter_spend(request.user):
        raise Http404
    kind, first, last = _query(request)
    export = request.GET.get("export")
    lines = channels.channel_report(request.user, kind, first, last, action="export" if export else "read")
    if export in ("csv", "xlsx"):
        header = [_("Channel"), _("Leads"), _("Deals"), _("Won"), _("Revenue"), _("Spend"), _("Cost per lead"),
                  _("Cost per deal"), _("ROI, %")]  # fmt: skip
        rows = [[line.label, line.leads, line.deals, line.won, line.revenue, line.spend, line.cost_per_lead,
                 line.cost_per_deal, line.roi] for line in lines]  # fmt: skip
        return table_response(f"channels-{first:%Y-%m-%d}-{last:%Y-%m-%d}", export, header, rows)
    spend_form = SpendForm(request.POST or None, initial={"kind": kind, "first_day": first, "last_day": last})
    if request.method == "POST" and spend_form.is_valid():
        try:
            services.record_spend(by=request.user, **spend_form.cleaned_data)
            return redirect(request.get_full_path())
        except Invalid as error:
            error.add_to_form(spend_form)
    context = {
        "kind": kind, "first": first, "last": last, "kinds": ChannelKind.choices, "lines": lines,
        "total": channels.totals(lines), "spend_form": spend_form,
        "import_form": SpendImportForm(initial={"kind": kind}),
        "spend_rows": selectors.spend_rows(),
    }  # fmt: skip
    return render(request, "analytics/channels/channels.html", context)


@login_required
@require_POST
def spend_import(request):
    """Import spend rows from CSV; the page lists every row that could not be read, with its line and reason."""
    if not services.may_enter_spend(request.user):
        raise Http404
    form = SpendImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1251", errors="replace")
        try:
            result = services.import_spend(text, by=request.user, kind=form.cleaned_data["kind"])
        except Invalid as error:
            error.add_to_form(form)
    return render(request, "analytics/channels/import.html", {"form": form, "result": result})


@login_required
@require_POST
def spend_delete(request, pk: int):
    spend = selectors.spend_for(pk)
    if spend is None or not services.may_enter_spend(request.user):
        raise Http404
    services.delete_spend(spend, by=request.user)
    return redirect(reverse("analytics:channels"))


urlpatterns = [
    path("channels/", channels_page, name="channels"),
    path("channels/import/", spend_import, name="spend_import"),
    path("channels/spend/<int:pk>/delete/", spend_delete, name="spend_delete"),
]
