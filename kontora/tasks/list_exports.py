"""The task list as CSV (streamed; UTF-8 with a byte-order mark and ";", as Excel with Russian settings opens it)
or XLSX, in the reader's language and time zone. Text Excel would take for a formula is written as text."""

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

from kontora.tasks.models import Task

CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _header() -> list[str]:
    return [
        _("ID"), _("Title"), _("Status"), _("Priority"), _("Deadline"), _("Responsible"), _("Created by"),
        _("Project"), _("Tags"), _("Created"),
    ]  # fmt: skip


def _values(task: Task) -> list[Any]:
    return [
        task.pk, task.title, task.get_status_display(), task.get_priority_display(), task.deadline,
        task.responsible.full_name, task.created_by.full_name, task.project.name if task.project else "",
        ", ".join(task.tags or []), task.created_at,
    ]  # fmt: skip


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _filename(extension: str) -> str:
    return f"tasks-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(rows: QuerySet[Task]) -> StreamingHttpResponse:
    language, zone = translation.get_language(), timezone.get_current_timezone()
    header = _header()

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo(), delimiter=";")
        yield "\ufeff" + writer.writerow(header)
        with translation.override(language), timezone.override(zone):
            for task in rows.iterator(chunk_size=CHUNK):
                yield writer.writerow([_text(value) for value in _values(task)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def xlsx_response(rows: QuerySet[Task]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(Task._meta.verbose_name_plural)[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in _header():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for task in rows.iterator(chunk_size=CHUNK):
        line = []
        for value in _values(task):
            if isinstance(value, datetime):
                value = _local(value)
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
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
