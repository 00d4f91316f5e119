"""A list's elements as CSV (UTF-8 with a byte-order mark and ";", as Excel with Russian settings opens it) or
XLSX, with the list's fields as columns, in the reader's language and time zone. Formula-like text stays text."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kontora.lists import values as typed
from kontora.lists.models import ListElement, ListField, UniversalList
from kontora.lists.selectors import people_in

CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _header(fields: list[ListField]) -> list[str]:
    return [_("ID"), _("Name"), *[field.name for field in fields], _("Created by"), _("Created")]


def _cell(field: ListField, value: Any, people: dict, raw: bool) -> Any:
    if raw and field.type == "number" and isinstance(value, (int, float)):
        return value
    return typed.display(field, value, people)


def _rows(rows: QuerySet[ListElement], fields: list[ListField], *, raw: bool = False) -> Iterator[list[Any]]:
    """Rows of values; `raw` keeps single numbers as numbers (for spreadsheets)."""
    batch: list[ListElement] = []

    def flush() -> Iterator[list[Any]]:
        people = people_in(fields, batch)
        for element in batch:
            yield [
                element.pk, element.name,
                *[_cell(field, element.values.get(field.code), people, raw) for field in fields],
                element.created_by.full_name if element.created_by else "", element.created_at,
            ]  # fmt: skip

    for element in rows.select_related("created_by").iterator(chunk_size=CHUNK):
        batch.append(element)
        if len(batch) == CHUNK:
            yield from flush()
            batch = []
    yield from flush()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _filename(lst: UniversalList, extension: str) -> str:
    return f"{lst.code}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(lst: UniversalList, rows: QuerySet[ListElement]) -> StreamingHttpResponse:
    language, zone = translation.get_language(), timezone.get_current_timezone()
    fields = list(lst.fields.all())
    header = _header(fields)

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo(), delimiter=";")
        yield "\ufeff" + writer.writerow(header)
        with translation.override(language), timezone.override(zone):
            for values in _rows(rows, fields):
                yield writer.writerow([_text(value) for value in values])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(lst, "csv")}"'
    return response


def xlsx_response(lst: UniversalList, rows: QuerySet[ListElement]) -> HttpResponse:
    fields = list(lst.fields.all())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=lst.name[:31] or lst.code)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in _header(fields):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in _rows(rows, fields, raw=True):
        line = []
        for value in values:
            if isinstance(value, datetime):
                value = timezone.localtime(value).replace(tzinfo=None)
            elif isinstance(value, str) and value.startswith("="):
                value = WriteOnlyCell(sheet, value=value)
                value.data_type = "s"
            line.append(value)
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(lst, "xlsx")}"'
    return response
