"""Saved list filters: keep the filter bar's parameters under a name, delete your own, share with colleagues."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontora.core.errors import Forbidden, Invalid
from kontora.crm.choices import EntityType
from kontora.crm.models import SavedFilter
from kontora.crm.products import can_manage
from kontora.events import history

MAX_PARAMS = 50
MAX_VALUE = 500


def can_share(user) -> bool:
    """Administrators and heads of department may show their filters to everyone."""
    return can_manage(user)


def _clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Non-empty text values (or lists of them) only: what a query string can carry back into the filter bar."""
    cleaned: dict[str, Any] = {}
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        values = [str(item).strip() for item in values if item is not None and str(item).strip()]
        if not isinstance(key, str) or not key or not values:
            continue
        if len(key) > 100 or any(len(item) > MAX_VALUE for item in values):
            raise Invalid("TOO_LONG", "params", _("This filter is too long to save."))
        cleaned[key] = values if len(values) > 1 else values[0]
    if len(cleaned) > MAX_PARAMS:
        raise Invalid("TOO_LONG", "params", _("This filter is too long to save."))
    return cleaned


@transaction.atomic
def save_filter(
    *, by, entity_type: EntityType | int, name: str, params: Mapping[str, Any], shared: bool = False
) -> SavedFilter:
    """Keep the filter bar's parameters under a name unique among the owner's filters of this entity."""
    if by is None or not by.is_authenticated:
        raise Forbidden()
    entity_type = EntityType(entity_type)
    name = (name or "").strip()
    if not name:
        raise Invalid("REQUIRED", "name", _("Enter the filter's name."))
    if len(name) > SavedFilter._meta.get_field("name").max_length:
        raise Invalid("TOO_LONG", "name", _("The name is too long."))
    if shared and not can_share(by):
        raise Forbidden(_("Only administrators and heads of department may share filters."))
    mine = SavedFilter.objects.filter(owner=by, entity_type=entity_type)
    if any(existing.lower() == name.lower() for existing in mine.values_list("name", flat=True)):
        raise Invalid("DUPLICATE", "name", _("You already have a filter with this name."))
    saved = SavedFilter.objects.create(
        owner=by, entity_type=entity_type, name=name, params=_clean_params(params), shared=shared
    )
    history.record(
        saved,
        by=by,
        action="create",
        changes={"name": [None, name], "params": [None, saved.params], "shared": [None, shared]},
    )
    return saved


@transaction.atomic
def delete_filter(saved: SavedFilter, *, by) -> None:
    """Only the owner deletes a filter, shared or not."""
    if by is None or saved.owner_id != by.pk:
        raise Forbidden()
    history.record(saved, by=by, action="delete", changes={"name": [saved.name, None]})
    saved.delete()


@transaction.atomic
def share_filter(saved: SavedFilter, *, by, shared: bool = True) -> SavedFilter:
    """Show one's own filter to everyone (or stop): administrators and heads of department only."""
    if by is None or saved.owner_id != by.pk or not can_share(by):
        raise Forbidden()
    if saved.shared != shared:
        history.record(saved, by=by, action="update", changes={"shared": [saved.shared, shared]})
        saved.shared = shared
        saved.save(update_fields=["shared"])
    return saved
