"""Any analytics table as a CSV or Excel download: the same headers and figures the page shows."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: Any) -> str:
    """Text that Excel would take for a formula is written as text."""
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if isinstance(value, str) and text.startswith(("=", "+", "-", "@")) else text


def _cell(sheet, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return float(value) if isinstance(value, Decimal) else value


def table_response(name: str, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """CSV (UTF-8 with a BOM and ";", as the CRM's exports) or XLSX of a header and rows."""
    base = slugify(name) or "report"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([str(item) for item in header])
        writer.writerows([_text(value) for value in row] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=name[:31] or "Report")
        bold = Font(bold=True)
        titles = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.font = bold
            titles.append(cell)
        sheet.append(titles)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
        stream = io.BytesIO()
        workbook.save(stream)
        response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{base}.{fmt}"'
    return response
