"""The personal "My plan" board: one's own columns and where one's tasks sit on them."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kontora.core.errors import Forbidden, Invalid
from kontora.events import history
from kontora.tasks.models import PlanColumn, PlanPlacement, Task

DEFAULT_COLUMNS = ("Planned", "This week", "Today")
STEP = 100


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise Invalid("REQUIRED", "title", _("Name the column."))
    if len(title) > PlanColumn._meta.get_field("title").max_length:
        raise Invalid("TOO_LONG", "title", _("The name is too long."))
    return title


def _own(column: PlanColumn, by) -> None:
    if by is None or column.user_id != by.pk:
        raise Forbidden()


@transaction.atomic
def ensure_columns(*, by) -> list[PlanColumn]:
    """The person's columns; on the first visit "Planned", "This week" and "Today" are made, in their language."""
    columns = list(PlanColumn.objects.select_for_update().filter(user=by))
    if columns:
        return columns
    labels = {"Planned": _("Planned"), "This week": _("This week"), "Today": _("Today")}
    columns = [
        PlanColumn.objects.create(user=by, title=labels[name], sort=(number + 1) * STEP)
        for number, name in enumerate(DEFAULT_COLUMNS)
    ]
    for column in columns:
        history.record(column, by=by, action="create", changes={"title": [None, column.title]})
    return columns


@transaction.atomic
def add_column(*, by, title: str) -> PlanColumn:
    last = PlanColumn.objects.filter(user=by).aggregate(last=Max("sort"))["last"] or 0
    column = PlanColumn.objects.create(user=by, title=_title(title), sort=last + STEP)
    history.record(column, by=by, action="create", changes={"title": [None, column.title]})
    return column


@transaction.atomic
def rename_column(column: PlanColumn, *, by, title: str) -> PlanColumn:
    _own(column, by)
    title = _title(title)
    if title != column.title:
        history.record(column, by=by, action="update", changes={"title": [column.title, title]})
        column.title = title
        column.save(update_fields=["title"])
    return column


@transaction.atomic
def delete_column(column: PlanColumn, *, by) -> None:
    """Its tasks go back to the first column (unplaced); the last column stays."""
    _own(column, by)
    if PlanColumn.objects.filter(user=by).count() <= 1:
        raise Invalid("LAST_COLUMN", "column", _("The plan needs at least one column."))
    history.record(column, by=by, action="delete", changes={"title": [column.title, None]})
    column.delete()


@transaction.atomic
def place_task(task: Task, column: PlanColumn, *, by, position: int) -> PlanPlacement:
    """Put a task into one of the person's columns at a position (0 is the top); the column is renumbered."""
    _own(column, by)
    placement, _created = PlanPlacement.objects.select_for_update().get_or_create(
        user=by, task=task, defaults={"column": column}
    )
    before = placement.column_id
    others = list(
        PlanPlacement.objects.select_for_update().filter(user=by, column=column).exclude(pk=placement.pk)
        .order_by("sort", "id")
    )  # fmt: skip
    position = max(0, min(position, len(others)))
    ordered = [*others[:position], placement, *others[position:]]
    placement.column = column
    for number, row in enumerate(ordered):
        row.sort = number * STEP
    PlanPlacement.objects.bulk_update(ordered, ["column", "sort"])
    if before != column.pk:
        history.record(placement, by=by, action="update", changes={"column": [before, column.pk]})
    return placement
