"""Pipelines and their stages: add, rename, recolour, reorder, delete (moving the deals elsewhere first)."""

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.choices import Semantics
from kontora.crm.models import Category, Deal, StageHistory, Status
from kontora.crm.services.common import required_text
from kontora.events import history


def _require_admin(by) -> None:
    if by is not None and not is_administrator(by):
        raise Forbidden()


@transaction.atomic
def create_category(*, by, name: str, sort: int = 100) -> Category:
    """A new pipeline with the three stages every pipeline needs: new, won, lost."""
    _require_admin(by)
    name = required_text(name, "name", _("Enter the pipeline's name."))
    next_id = (Category.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    category = Category.objects.create(id=next_id, name=name, sort=sort)
    for code, label, color, semantics, order in (
        ("NEW", _("New"), "#39A8EF", Semantics.PROCESS, 10),
        ("WON", _("Deal won"), "#7BD500", Semantics.SUCCESS, 1000),
        ("LOSE", _("Deal lost"), "#FF5752", Semantics.FAILURE, 1010),
    ):
        Status.objects.create(
            entity_id=category.stage_entity,
            status_id=f"{category.stage_prefix}{code}",
            name=label,
            color=color,
            semantics=semantics,
            sort=order,
            category=category,
            system=True,
        )
    history.record(category, by=by, action="create", changes={"name": [None, name]})
    events.emit("crm.category.created", category, by=by)
    return category


def _stage_code(category: Category, name: str) -> str:
    taken = set(Status.objects.filter(entity_id=category.stage_entity).values_list("status_id", flat=True))
    number = len(taken) + 1
    while f"{category.stage_prefix}UC_{number}" in taken:
        number += 1
    return f"{category.stage_prefix}UC_{number}"


@transaction.atomic
def create_stage(
    category: Category,
    *,
    by,
    name: str,
    color: str = "#ACE9FB",
    semantics: str = Semantics.PROCESS,
    sort: int | None = None,
) -> Status:
    _require_admin(by)
    name = required_text(name, "name", _("Enter the stage's name."))
    stage = Status.objects.create(
        entity_id=category.stage_entity,
        status_id=_stage_code(category, name),
        name=name,
        color=color,
        semantics=semantics,
        sort=sort if sort is not None else 10**6,
        category=category,
    )
    if sort is None:
        # At the end of its group: in-progress stages, then the won stage, then the ways to lose.
        group = {Semantics.PROCESS: 0, Semantics.SUCCESS: 1, Semantics.FAILURE: 2}
        stages = Status.objects.filter(category=category, entity_id=category.stage_entity)
        ordered = sorted(stages, key=lambda item: (group[item.semantics], item.sort, item.pk))
        for position, item in enumerate(ordered, start=1):
            item.sort = position * 10
        Status.objects.bulk_update(ordered, ["sort"])
        stage.refresh_from_db()
    history.record(stage, by=by, action="create", changes={"name": [None, name]})
    events.emit("crm.stage.created", stage, by=by)
    return stage


@transaction.atomic
def update_stage(stage: Status, *, by, name: str | None = None, color: str | None = None) -> Status:
    _require_admin(by)
    before = history.snapshot(stage, ["name", "color"])
    if name is not None:
        stage.name = required_text(name, "name", _("Enter the stage's name."))
    if color is not None:
        stage.color = color
    stage.save()
    diff = history.diff(before, history.snapshot(stage, ["name", "color"]))
    if diff:
        history.record(stage, by=by, action="update", changes=diff)
        events.emit("crm.stage.updated", stage, by=by, changes=diff)
    return stage


@transaction.atomic
def reorder_stages(category: Category, ordered_ids: list[int], *, by) -> None:
    _require_admin(by)
    stages = {stage.pk: stage for stage in Status.objects.filter(category=category, entity_id=category.stage_entity)}
    if set(ordered_ids) != set(stages):
        raise Invalid("STAGES_MISMATCH", None, _("The list of stages has changed; reload the page."))
    for position, pk in enumerate(ordered_ids, start=1):
        stages[pk].sort = position * 10
    Status.objects.bulk_update(stages.values(), ["sort"])
    events.emit("crm.stage.reordered", category, by=by, order=ordered_ids)


def in_history(status: Status) -> bool:
    """Has any deal or lead ever been in this stage or status? History cannot lose the rows it points to."""
    return StageHistory.objects.filter(Q(to_stage=status) | Q(from_stage=status)).exists()


def repoint_history(status: Status, move_to: Status) -> None:
    StageHistory.objects.filter(from_stage=status).update(from_stage=move_to)
    StageHistory.objects.filter(to_stage=status).update(to_stage=move_to)


@transaction.atomic
def delete_stage(stage: Status, *, by, move_to: Status | None = None) -> int:
    """Delete a stage; its deals (bin included) go to `move_to`, which is required when there are any."""
    _require_admin(by)
    if stage.system:
        raise Invalid("SYSTEM_STAGE", None, _("This stage is needed by the pipeline and cannot be deleted."))
    deals = Deal.all_objects.filter(stage=stage)
    count = deals.count()
    if (count or in_history(stage)) and (
        move_to is None or move_to.entity_id != stage.entity_id or move_to.pk == stage.pk
    ):
        message = (
            _("The stage has %(count)s deals: choose another stage of this pipeline for them.") % {"count": count}
            if count
            else _("Deals have passed through this stage: choose another stage of this pipeline to take its place.")
        )
        raise Invalid("MOVE_DEALS", "move_to", message)
    if move_to is not None:
        # Deals standing in the stage, and the history of those that passed through it, go to `move_to`.
        deals.update(stage=move_to, closed=move_to.is_final)
        repoint_history(stage, move_to)
    history.record(stage, by=by, action="delete", changes={"moved_deals": [count, move_to.pk if move_to else None]})
    events.emit("crm.stage.deleted", None, by=by, id=stage.pk, moved_deals=count)
    stage.delete()
    return count
