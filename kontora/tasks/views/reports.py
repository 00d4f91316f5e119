"""The task report page: per person and per department over a period, with CSV and Excel downloads."""

import csv
import io
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kontora.tasks import reports
from kontora.tasks.views.nav import tabs

COLUMNS = (
    ("name", gettext_lazy("Responsible")),
    ("on_time", gettext_lazy("On time")),
    ("late", gettext_lazy("Late")),
    ("completed", gettext_lazy("Completed")),
    ("rate", gettext_lazy("On time, %")),
    ("overdue", gettext_lazy("Overdue now")),
    ("spent", gettext_lazy("Time spent")),
    ("estimate", gettext_lazy("Estimated")),
)


class PeriodForm(forms.Form):
    preset = forms.ChoiceField(choices=reports.PRESETS, required=False, widget=forms.HiddenInput)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def period(self) -> reports.Period:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("date_from") and data.get("date_to") and not data.get("preset"):
            first, last = sorted((data["date_from"], data["date_to"]))
            return reports.Period(first, last)
        return reports.preset_period(data.get("preset") or "this_month")

    def sorting(self) -> tuple[str, bool]:
        value = (self.cleaned_data.get("sort") if self.is_valid() else "") or "name"
        key = value.lstrip("-")
        return (key, value.startswith("-")) if key in reports.SORTS else ("name", False)


@login_required
def report_page(request):
    form = PeriodForm(request.GET)
    period = form.period()
    sort, descending = form.sorting()
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        if not reports.can_export(request.user):
            raise Http404
        result = reports.report(request.user, period, sort=sort, descending=descending, action="export")
        return (_csv if export == "csv" else _xlsx)(result)
    result = reports.report(request.user, period, sort=sort, descending=descending)
    query = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
    headers = []
    for key, label in COLUMNS:
        active = key == sort
        value = key if not active or descending else f"-{key}"
        headers.append({"key": key, "label": label, "active": active, "descending": descending,
                        "url": "?" + urlencode({**query, "sort": value})})  # fmt: skip
    current = f"-{sort}" if descending else sort
    context = {
        "tabs": tabs("reports"),
        "form": form,
        "report": result,
        "headers": headers,
        "presets": [
            {
                "key": key,
                "label": label,
                "url": "?" + urlencode({"preset": key, "sort": current}),
                "current": reports.preset_period(key) == period,
            }
            for key, label in reports.PRESETS
        ],  # fmt: skip
        "period": period,
        "can_export": reports.can_export(request.user),
        "export_csv_url": "?" + urlencode({**query, "sort": current, "export": "csv"}),
        "export_xlsx_url": "?" + urlencode({**query, "sort": current, "export": "xlsx"}),
    }
    return render(request, "tasks/reports/page.html#report" if request.htmx else "tasks/reports/page.html", context)


def _filename(result: reports.Report, extension: str) -> str:
    return f"tasks-report-{result.period.first:%Y-%m-%d}-{result.period.last:%Y-%m-%d}.{extension}"


def _text(value) -> str:
    """Text that Excel would take for a formula is written as text."""
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if isinstance(value, str) and text.startswith(("=", "+", "-", "@")) else text


def _csv(result: reports.Report) -> HttpResponse:
    """UTF-8 with a byte-order mark and ";" between values, as the CRM's exports: Excel opens it by double-click."""
    header, rows = reports.table(result)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([_text(value) for value in row] for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(result, "csv")}"'
    return response


def _xlsx(result: reports.Report) -> HttpResponse:
    header, rows = reports.table(result)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Task report")[:31])
    bold = Font(bold=True)
    cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(result, "xlsx")}"'
    return response


def _xlsx_cell(sheet, value):
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


urlpatterns: list = [path("reports/", report_page, name="reports")]
