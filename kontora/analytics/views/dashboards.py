"""Dashboards: several saved reports side by side, each computed over the viewer's own records."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from kontora.analytics import selectors_builder as selectors
from kontora.analytics import services
from kontora.analytics.builder import engine
from kontora.analytics.builder.forms import NameForm, ShareForm
from kontora.core.errors import Invalid


@login_required
def dashboards_page(request):
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dashboard = services.save_dashboard(None, by=request.user, name=form.cleaned_data["name"])
            return redirect("analytics:dashboard", dashboard.pk)
        except Invalid as error:
            error.add_to_form(form)
    return render(request, "analytics/dashboards/list.html",
                  {"dashboards": selectors.dashboards(request.user), "form": form})  # fmt: skip


def _dashboard(request, pk: int, change: bool = False):
    dashboard = selectors.dashboard_for(request.user, pk)
    if dashboard is None or (change and not selectors.may_change(request.user, dashboard)):
        raise Http404
    return dashboard


@login_required
def dashboard_page(request, pk: int):
    dashboard = _dashboard(request, pk)
    widgets = []
    for widget in selectors.widgets(dashboard):
        definition = engine.Definition.from_dict(widget.report.entity, widget.report.definition)
        widgets.append({"widget": widget, "result": engine.run(request.user, definition),
                        "chart_id": f"widget-chart-{widget.pk}"})  # fmt: skip
    may_change = selectors.may_change(request.user, dashboard)
    context = {"dashboard": dashboard, "widgets": widgets, "may_change": may_change}
    if may_change:
        context["reports"] = selectors.reports(request.user)
        context["share_form"] = ShareForm(
            initial={"users": dashboard.shared_users.all(), "departments": dashboard.shared_departments.all()},
            people=selectors.shareable_people(request.user), departments=selectors.shareable_departments(),
        )  # fmt: skip
    return render(request, "analytics/dashboards/dashboard.html", context)


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@login_required
@require_POST
def dashboard_change(request, pk: int):
    """One view for the dashboard's buttons, told apart by name: add, remove, order, share, rename, delete."""
    dashboard = _dashboard(request, pk, change=True)
    if "add" in request.POST:
        report = selectors.report_for(request.user, _number(request.POST.get("report")))
        if report is None:
            raise Http404
        services.add_widget(dashboard, report, by=request.user, wide=request.POST.get("wide") == "1")
    elif "remove" in request.POST:
        widget = dashboard.widgets.filter(pk=_number(request.POST.get("remove"))).first()
        if widget is not None:
            services.remove_widget(widget, by=request.user)
    elif "order" in request.POST:
        ids = [int(item) for item in request.POST.getlist("widget") if item.isdigit()]
        services.order_widgets(dashboard, ids, by=request.user)
    elif "share" in request.POST:
        form = ShareForm(request.POST, people=selectors.shareable_people(request.user),
                         departments=selectors.shareable_departments())  # fmt: skip
        if form.is_valid():
            services.share(dashboard, by=request.user, users=form.cleaned_data["users"],
                           departments=form.cleaned_data["departments"])  # fmt: skip
    elif "delete" in request.POST:
        services.delete_dashboard(dashboard, by=request.user)
        return redirect("analytics:dashboards")
    return redirect("analytics:dashboard", dashboard.pk)


urlpatterns = [
    path("dashboards/", dashboards_page, name="dashboards"),
    path("dashboards/<int:pk>/", dashboard_page, name="dashboard"),
    path("dashboards/<int:pk>/change/", dashboard_change, name="dashboard_change"),
]
