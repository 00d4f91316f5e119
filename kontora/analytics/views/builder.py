"""Report builder screens: the list of reports, the builder with a live preview, a saved report, sharing, export."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from kontora.analytics import selectors_builder as selectors
from kontora.analytics import services
from kontora.analytics.builder import engine, sources
from kontora.analytics.builder.exports import table_response
from kontora.analytics.builder.forms import FILTER_ROWS, MEASURE_ROWS, BuilderForm, ShareForm
from kontora.core.errors import Forbidden, Invalid


@login_required
def reports_page(request):
    reports = list(selectors.reports(request.user))
    for report in reports:
        known = sources.SOURCES.get(report.entity)
        report.entity_label = known.label if known else report.entity
    context = {"reports": reports, "dashboards": selectors.dashboards(request.user)}
    return render(request, "analytics/builder/reports.html", context)


def _rows(form: BuilderForm, prefix: str, count: int) -> list[list]:
    return [[form[f"{prefix}{row}_{name}"] for name in names] for row in range(1, count + 1)
            for names in [("function", "field") if prefix == "m" else ("field", "op", "value")]]  # fmt: skip


@login_required
def report_builder(request, pk: int | None = None):
    """GET shows the form (HTMX: the form again for another entity, or the preview); POST saves the report."""
    report = None
    if pk is not None:
        report = selectors.report_for(request.user, pk)
        if report is None or not selectors.may_change(request.user, report):
            raise Http404
    data = request.POST if request.method == "POST" else (request.GET or None)
    entity = (data or {}).get("entity") or (report.entity if report else "deal")
    initial = BuilderForm.initial_for(report.name, report.entity, report.definition) if report else {}
    if data is not None and "entity" in data and data.get("changed") == "entity":
        form = BuilderForm(initial={"entity": entity, "m1_function": "count"}, entity=entity)
        return render(request, "analytics/builder/builder.html#form", _context(form, report))
    form = BuilderForm(data, initial=initial, entity=entity)
    result = None
    if data is not None and form.is_valid():
        try:
            definition = form.definition()
            if request.method == "POST":
                saved = services.save_report(report, by=request.user, name=form.cleaned_data.get("name") or "",
                                             entity=definition.entity, definition=definition)  # fmt: skip
                return redirect("analytics:report", saved.pk)
            result = engine.run(request.user, definition)
        except Invalid as error:
            error.add_to_form(form)
        except Forbidden:
            raise Http404 from None
    context = {**_context(form, report), "result": result}
    if request.htmx and request.method == "GET":
        return render(request, "analytics/builder/builder.html#preview", context)
    return render(request, "analytics/builder/builder.html", context)


def _context(form: BuilderForm, report) -> dict:
    return {"form": form, "report": report, "measure_rows": _rows(form, "m", MEASURE_ROWS),
            "filter_rows": _rows(form, "f", FILTER_ROWS)}  # fmt: skip


def _definition(report) -> engine.Definition:
    return engine.Definition.from_dict(report.entity, report.definition)


@login_required
def report_page(request, pk: int):
    """A saved report over the viewer's own records; ?export=csv|xlsx downloads the same table."""
    report = selectors.report_for(request.user, pk)
    if report is None:
        raise Http404
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        result = engine.run(request.user, _definition(report), action="export")
        return table_response(report.name, export, result.headers,
                              ([*row.labels, *row.values] for row in result.rows))  # fmt: skip
    result = engine.run(request.user, _definition(report))
    may_change = selectors.may_change(request.user, report)
    share_form = None
    if may_change:
        share_form = ShareForm(
            initial={"users": report.shared_users.all(), "departments": report.shared_departments.all()},
            people=selectors.shareable_people(request.user), departments=selectors.shareable_departments(),
        )  # fmt: skip
    context = {"report": report, "result": result, "may_change": may_change, "share_form": share_form}
    return render(request, "analytics/builder/report.html", context)


@login_required
@require_POST
def report_share(request, pk: int):
    report = selectors.report_for(request.user, pk)
    if report is None or not selectors.may_change(request.user, report):
        raise Http404
    form = ShareForm(request.POST, people=selectors.shareable_people(request.user),
                     departments=selectors.shareable_departments())  # fmt: skip
    if form.is_valid():
        services.share(report, by=request.user, users=form.cleaned_data["users"],
                       departments=form.cleaned_data["departments"])  # fmt: skip
    return redirect("analytics:report", report.pk)


@login_required
@require_POST
def report_delete(request, pk: int):
    report = selectors.report_for(request.user, pk)
    if report is None or not selectors.may_change(request.user, report):
        raise Http404
    services.delete_report(report, by=request.user)
    return redirect("analytics:reports")


urlpatterns = [
    path("reports/", reports_page, name="reports"),
    path("reports/new/", report_builder, name="report_new"),
    path("reports/<int:pk>/", report_page, name="report"),
    path("reports/<int:pk>/edit/", report_builder, name="report_edit"),
    path("reports/<int:pk>/share/", report_share, name="report_share"),
    path("reports/<int:pk>/delete/", report_delete, name="report_delete"),
]
