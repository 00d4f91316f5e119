"""Pipeline settings beyond the stage basics: renaming pipelines, placing stages, loss reasons, lead statuses.

These write history but emit no events: their event types are not declared yet.
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.choices import Dictionary, Semantics
from kontora.crm.models import Category, Lead, LossReason, Status
from kontora.crm.services.common import required_text
from kontora.crm.services.pipelines import create_stage, in_history, reorder_stages, repoint_history
from kontora.events import history

SEMANTICS_ORDER = {Semantics.PROCESS: 0, Semantics.SUCCESS: 1, Semantics.FAILURE: 2}
STATUS_FIELDS = ["name", "color"]


def _require_admin(by) -> None:
    if by is not None and not is_administrator(by):
        raise Forbidden()


def _in_place(entries: list[Status]) -> list[int]:
    """Ids ordered as a funnel reads: in progress first, then success, then failure; each group by its sort."""
    return [entry.pk for entry in sorted(entries, key=lambda e: (SEMANTICS_ORDER[e.semantics], e.sort, e.pk))]


def _stages(category: Category) -> list[Status]:
    return list(Status.objects.filter(category=category, entity_id=category.stage_entity).order_by("sort", "id"))


@transaction.atomic
def rename_category(category: Category, *, by, name: str) -> Category:
    _require_admin(by)
    before = category.name
    category.name = required_text(name, "name", _("Enter the pipeline's name."))
    category.save(update_fields=["name", "updated_at"])
    if before != category.name:
        history.record(category, by=by, action="update", changes={"name": [before, category.name]})
    return category


@transaction.atomic
def add_stage(
    category: Category, *, by, name: str, color: str = "#ACE9FB", semantics: str = Semantics.PROCESS
) -> Status:
    """A new stage at the end of its group: the last step in progress, or the last way to lose."""
    if semantics not in (Semantics.PROCESS, Semantics.FAILURE):
        raise Invalid("BAD_SEMANTICS", "semantics", _("A pipeline has one successful stage."))
    return create_stage(category, by=by, name=name, color=color, semantics=semantics)


@transaction.atomic
def move_stage(stage: Status, *, by, offset: int) -> None:
    """Move a stage up (-1) or down (+1) among the stages of the same kind; the ends stay where they are."""
    _require_admin(by)
    category = stage.category
    if category is None:
        raise Invalid("NOT_A_STAGE", None, _("This is not a pipeline stage."))
    ordered = [entry.pk for entry in _stages(category)]
    group = [entry.pk for entry in _stages(category) if entry.semantics == stage.semantics]
    position = group.index(stage.pk)
    target = position + offset
    if not 0 <= target < len(group):
        return
    group[position], group[target] = group[target], group[position]
    slots = iter(group)
    group_ids = set(group)
    reorder_stages(category, [next(slots) if pk in group_ids else pk for pk in ordered], by=by)


@transaction.atomic
def create_loss_reason(*, by, name: str) -> LossReason:
    _require_admin(by)
    name = required_text(name, "name", _("Enter the reason."))
    top = LossReason.objects.aggregate(top=Max("sort"))["top"] or 0
    reason = LossReason.objects.create(name=name, sort=top + 10)
    history.record(reason, by=by, action="create", changes={"name": [None, name]})
    return reason


@transaction.atomic
def update_loss_reason(reason: LossReason, *, by, name: str | None = None, active: bool | None = None) -> LossReason:
    """Rename or (de)activate a loss reason; deals lost for it keep it, it is just not offered any more."""
    _require_admin(by)
    before = history.snapshot(reason, ["name", "active"])
    if name is not None:
        reason.name = required_text(name, "name", _("Enter the reason."))
    if active is not None:
        reason.active = active
    reason.save()
    diff = history.diff(before, history.snapshot(reason, ["name", "active"]))
    if diff:
        history.record(reason, by=by, action="update", changes=diff)
    return reason


def _lead_statuses() -> list[Status]:
    return list(Status.objects.filter(entity_id=Dictionary.LEAD_STATUS).order_by("sort", "id"))


def _status_code() -> str:
    taken = set(Status.objects.filter(entity_id=Dictionary.LEAD_STATUS).values_list("status_id", flat=True))
    number = 1
    while f"UC_{number}" in taken:
        number += 1
    return f"UC_{number}"


def _check_lead_status(status: Status) -> None:
    if status.entity_id != Dictionary.LEAD_STATUS:
        raise Invalid("WRONG_DICTIONARY", None, _("This is not a lead status."))


@transaction.atomic
def create_lead_status(*, by, name: str, color: str = "#ACE9FB", semantics: str = Semantics.PROCESS) -> Status:
    """A new lead status, last of its kind; leads are converted only through the one successful status."""
    _require_admin(by)
    name = required_text(name, "name", _("Enter the status's name."))
    if semantics not in (Semantics.PROCESS, Semantics.FAILURE):
        raise Invalid("BAD_SEMANTICS", "semantics", _("Leads have one successful status: converted."))
    top = Status.objects.filter(entity_id=Dictionary.LEAD_STATUS).aggregate(top=Max("sort"))["top"] or 0
    status = Status.objects.create(
        entity_id=Dictionary.LEAD_STATUS, status_id=_status_code(), name=name, color=color, semantics=semantics,
        sort=top + 10,
    )  # fmt: skip
    _renumber(_in_place(_lead_statuses()))
    history.record(status, by=by, action="create", changes={"name": [None, name]})
    status.refresh_from_db()
    return status


@transaction.atomic
def update_lead_status(status: Status, *, by, name: str | None = None, color: str | None = None) -> Status:
    _require_admin(by)
    _check_lead_status(status)
    before = history.snapshot(status, STATUS_FIELDS)
    if name is not None:
        status.name = required_text(name, "name", _("Enter the status's name."))
    if color is not None:
        status.color = color
    status.save()
    diff = history.diff(before, history.snapshot(status, STATUS_FIELDS))
    if diff:
        history.record(status, by=by, action="update", changes=diff)
    return status


def _renumber(ordered_ids: list[int]) -> None:
    entries = {entry.pk: entry for entry in _lead_statuses()}
    for position, pk in enumerate(ordered_ids, start=1):
        entries[pk].sort = position * 10
    Status.objects.bulk_update(entries.values(), ["sort"])


@transaction.atomic
def reorder_lead_statuses(ordered_ids: list[int], *, by) -> None:
    """New order of lead statuses; statuses in progress stay ahead of the final ones."""
    _require_admin(by)
    entries = {entry.pk: entry for entry in _lead_statuses()}
    if set(ordered_ids) != set(entries) or len(ordered_ids) != len(entries):
        raise Invalid("STATUSES_MISMATCH", None, _("The list of statuses has changed; reload the page."))
    ranks = [SEMANTICS_ORDER[entries[pk].semantics] for pk in ordered_ids]
    if ranks != sorted(ranks):
        raise Invalid("FINAL_LAST", None, _("Statuses in progress come before the final ones."))
    _renumber(ordered_ids)
    history.record(entries[ordered_ids[0]], by=by, action="update", changes={"order": [None, ordered_ids]})


@transaction.atomic
def move_lead_status(status: Status, *, by, offset: int) -> None:
    _require_admin(by)
    _check_lead_status(status)
    ordered = [entry.pk for entry in _lead_statuses()]
    group = [entry.pk for entry in _lead_statuses() if entry.semantics == status.semantics]
    position = group.index(status.pk)
    target = position + offset
    if not 0 <= target < len(group):
        return
    group[position], group[target] = group[target], group[position]
    slots = iter(group)
    group_ids = set(group)
    reorder_lead_statuses([next(slots) if pk in group_ids else pk for pk in ordered], by=by)


@transaction.atomic
def delete_lead_status(status: Status, *, by, move_to: Status | None = None) -> int:
    """Delete a lead status; its leads (bin included) and its place in their history go to `move_to`.

    `move_to` is required once any lead has been in the status.
    """
    _require_admin(by)
    _check_lead_status(status)
    if status.system:
        raise Invalid("SYSTEM_STATUS", None, _("This status is needed by the CRM and cannot be deleted."))
    leads = Lead.all_objects.filter(status=status)
    count = leads.count()
    used = count or in_history(status)
    if used and (
        move_to is None
        or move_to.entity_id != Dictionary.LEAD_STATUS
        or move_to.pk == status.pk
        or move_to.semantics == Semantics.SUCCESS
    ):
        raise Invalid("MOVE_LEADS", "move_to",
                      _("Leads have been in this status: choose another status, not the converted one, for them.")
                      )  # fmt: skip
    if used:
        leads.update(status=move_to)
        repoint_history(status, move_to)
    history.record(status, by=by, action="delete", changes={"moved_leads": [count, move_to.pk if move_to else None]})
    status.delete()
    return count
