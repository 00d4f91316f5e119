"""Exports of a CRM list to CSV (streamed) and XLSX, with the chosen columns' headers in the reader's language.

CSV is UTF-8 with a byte-order mark and ";" between values: Excel with Russian regional settings opens such a file
by double-click with Cyrillic intact and columns split (it expects ";" where the decimal separator is a comma).
Numbers use the reader's decimal separator, dates are YYYY-MM-DD and times are local, YYYY-MM-DD HH:MM.
Text that Excel would take for a formula (=, +, -, @ first) is written as text.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kontora.crm import schema

CSV_DELIMITER = ";"
CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """csv.writer writes into this and gets the line back."""

    def write(self, value: str) -> str:
        return value


def export_columns(entity: str, chosen: Iterable[str]) -> list[schema.Field]:
    """ID and the record's name, then the chosen columns that may be exported."""
    fields = schema.fields_of(entity)
    names = ["ID", *(["TITLE"] if "TITLE" in fields else ["LAST_NAME", "NAME", "SECOND_NAME"]), *chosen]
    result, seen = [], set()
    for name in names:
        field = fields.get(name)
        if field is not None and field.export and name not in seen:
            seen.add(name)
            result.append(field)
    return result


def filename(entity: str, extension: str) -> str:
    """An ASCII name, so that every browser keeps it: deals-2025-01-31.csv."""
    plural = {"company": "companies"}.get(entity, f"{entity}s")
    return f"{plural}-{timezone.localdate():%Y-%m-%d}.{extension}"


class _Formatter:
    """Values as text, in the language and time zone of the request (captured, since CSV streams after it)."""

    def __init__(self) -> None:
        self.language = translation.get_language()
        self.zone: tzinfo = timezone.get_current_timezone()
        self.decimal_separator = formats.get_format("DECIMAL_SEPARATOR")
        self.yes, self.no = _("Yes"), _("No")

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, Decimal):
            return f"{value:f}".replace(".", self.decimal_separator)
        if isinstance(value, datetime):
            return (
                timezone.localtime(value, self.zone).strftime("%Y-%m-%d %H:%M")
                if timezone.is_aware(value)
                else (value.strftime("%Y-%m-%d %H:%M"))
            )
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, (int, float)):
            return str(value)
        return _as_text(str(value))

    def native(self, value: Any) -> Any:
        """For XLSX: numbers and dates stay numbers and dates (local, without a zone, as Excel wants)."""
        if value is None or isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, datetime):
            return timezone.localtime(value, self.zone).replace(tzinfo=None) if timezone.is_aware(value) else value
        if isinstance(value, date):
            return value
        return str(value)


def _as_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _records(queryset: models.QuerySet, columns: Sequence[schema.Field]) -> Iterator[models.Model]:
    related = schema.related_paths(columns)
    queryset = queryset.select_related(*related) if related else queryset
    yield from queryset.iterator(chunk_size=CHUNK)


def csv_response(entity: str, queryset: models.QuerySet, columns: Sequence[schema.Field]) -> StreamingHttpResponse:
    """The rows as a streamed CSV download."""
    formatter = _Formatter()
    header = [str(column.label) for column in columns]

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
        yield "\ufeff" + writer.writerow(header)
        with translation.override(formatter.language):
            for record in _records(queryset, columns):
                yield writer.writerow([formatter.text(schema.display_value(record, column)) for column in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(entity, "csv")}"'
    return response


def xlsx_response(entity: str, queryset: models.QuerySet, columns: Sequence[schema.Field]) -> HttpResponse:
    """The rows as an Excel workbook with one sheet, built row by row in write-only mode."""
    formatter = _Formatter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(schema.entity(entity).model._meta.verbose_name_plural)[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for record in _records(queryset, columns):
        sheet.append([_cell(sheet, formatter.native(schema.display_value(record, column))) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(entity, "xlsx")}"'
    return response


def _cell(sheet, value: Any) -> Any:
    """Text starting with "=" would become a formula in openpyxl: keep it text."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
