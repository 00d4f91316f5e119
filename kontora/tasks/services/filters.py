"""Saved task list filters: keep the list's parameters under a name, delete one's own."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontora.core.errors import Forbidden, Invalid
from kontora.events import history
from kontora.tasks.models import TaskFilter

MAX_PARAMS = 30
MAX_VALUE = 500


def _clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    cleaned = {}
    for key, value in params.items():
        text = str(value if value is not None else "").strip()
        if not key or not text:
            continue
        if len(key) > 100 or len(text) > MAX_VALUE:
            raise Invalid("TOO_LONG", "params", _("This filter is too long to save."))
        cleaned[str(key)] = text
    if not cleaned:
        raise Invalid("EMPTY", "params", _("Set up the filter first."))
    if len(cleaned) > MAX_PARAMS:
        raise Invalid("TOO_LONG", "params", _("This filter is too long to save."))
    return cleaned


@transaction.atomic
def save_filter(*, by, name: str, params: Mapping[str, Any]) -> TaskFilter:
    """Keep the parameters under a name unique among the owner's task filters."""
    if by is None or not by.is_authenticated:
        raise Forbidden()
    name = (name or "").strip()
    if not name:
        raise Invalid("REQUIRED", "name", _("Enter the filter's name."))
    if len(name) > TaskFilter._meta.get_field("name").max_length:
        raise Invalid("TOO_LONG", "name", _("The name is too long."))
    names = TaskFilter.objects.filter(owner=by).values_list("name", flat=True)
    if any(existing.lower() == name.lower() for existing in names):
        raise Invalid("DUPLICATE", "name", _("You already have a filter with this name."))
    saved = TaskFilter.objects.create(owner=by, name=name, params=_clean_params(params))
    history.record(saved, by=by, action="create", changes={"name": [None, name], "params": [None, saved.params]})
    return saved


@transaction.atomic
def delete_filter(saved: TaskFilter, *, by) -> None:
    if by is None or saved.owner_id != by.pk:
        raise Forbidden()
    history.record(saved, by=by, action="delete", changes={"name": [saved.name, None]})
    saved.delete()
