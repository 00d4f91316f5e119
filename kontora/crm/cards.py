"""Reads behind the record cards, create forms, "My activities" and the recycle bin, each through the gate."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kontora.accounts import access
from kontora.accounts.models import Level, User
from kontora.crm import selectors
from kontora.crm.choices import EntityType, MultiFieldType
from kontora.crm.models import (
    Activity,
    Category,
    Company,
    Contact,
    CrmRecord,
    Deal,
    Lead,
    LossReason,
    MultiField,
    ProductRow,
    Status,
)
from kontora.crm.services.common import scope_for
from kontora.events.models import ChangeSet

RECORD_MODELS = selectors.RECORD_MODELS
URL_NAMES = {
    EntityType.LEAD: "crm:lead_detail",
    EntityType.DEAL: "crm:deal_detail",
    EntityType.CONTACT: "crm:contact_detail",
    EntityType.COMPANY: "crm:company_detail",
}
RELATED_LIMIT = 20


def record_url(entity_type: int, pk: int) -> str:
    return reverse(URL_NAMES[EntityType(entity_type)], args=[pk])


def can(user: User, action: str, record: Model) -> bool:
    """The gate's answer for one record, with the deal's pipeline as the scope."""
    return access.can(user, action, record, scope=scope_for(record))


# Dictionaries and people offered in forms -------------------------------------------------------------------


def dictionary(entity_id: str) -> QuerySet[Status]:
    return Status.objects.filter(entity_id=entity_id).order_by("sort", "id")


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")


def categories_for(user: User, action: str = "add") -> QuerySet[Category]:
    """Pipelines in which the user may do `action` to at least their own deals."""
    ctx = access.context_for(user)
    entity = access.entity_for(Deal)
    allowed = [
        category.pk
        for category in Category.objects.all()
        if ctx.level(entity, action, scope=f"category:{category.pk}") != Level.NONE
    ]
    return Category.objects.filter(pk__in=allowed).order_by("sort", "id")


def deal_stages(category_ids: Iterable[int] | None = None) -> QuerySet[Status]:
    """Deal stages, pipeline by pipeline, in their order."""
    queryset = Status.objects.filter(category__isnull=False, entity_id__startswith="DEAL_STAGE")
    if category_ids is not None:
        queryset = queryset.filter(category_id__in=list(category_ids))
    return queryset.select_related("category").order_by("category__sort", "category_id", "sort", "id")


def stages_of(category: Category) -> list[Status]:
    return list(Status.objects.filter(category=category, entity_id=category.stage_entity).order_by("sort", "id"))


def loss_reasons() -> QuerySet[LossReason]:
    return LossReason.objects.filter(active=True)


def stage(category: Category, pk: int) -> Status | None:
    return Status.objects.filter(category=category, entity_id=category.stage_entity, pk=pk).first()


# The card ---------------------------------------------------------------------------------------------------


def record_for(user: User, entity_type: int, pk: int) -> CrmRecord | None:
    """The record for its card, with what the card shows about it loaded up front."""
    queryset = selectors.visible_records(user, RECORD_MODELS[entity_type]).filter(pk=pk)
    related = {
        EntityType.DEAL: ("category", "stage", "company", "source", "responsible", "loss_reason", "deal_type"),
        EntityType.LEAD: ("status", "source", "responsible", "company", "contact"),
        EntityType.CONTACT: ("contact_type", "source", "responsible"),
        EntityType.COMPANY: ("company_type", "industry", "responsible"),
    }[EntityType(entity_type)]
    return queryset.select_related(*related).first()


def _visible(user: User, model: type[CrmRecord]) -> QuerySet:
    return selectors.visible_records(user, model)


def related_records(user: User, record: CrmRecord) -> dict[str, list]:
    """Companies, contacts, deals and leads linked to a record, limited to what the user may see."""
    companies = _visible(user, Company)
    contacts = _visible(user, Contact)
    deals = _visible(user, Deal).select_related("stage")
    leads = _visible(user, Lead).select_related("status")
    found: dict[str, QuerySet] = {}
    if isinstance(record, Deal):
        found["companies"] = companies.filter(pk=record.company_id)
        found["contacts"] = contacts.filter(deals=record)
        found["leads"] = leads.filter(pk=record.lead_id)
    elif isinstance(record, Lead):
        found["companies"] = companies.filter(pk=record.company_id)
        found["contacts"] = contacts.filter(pk=record.contact_id)
        found["deals"] = deals.filter(lead=record)
    elif isinstance(record, Contact):
        found["companies"] = companies.filter(contacts=record)
        found["deals"] = deals.filter(contacts=record)
        found["leads"] = leads.filter(contact=record)
    else:
        found["contacts"] = contacts.filter(companies=record)
        found["deals"] = deals.filter(company=record)
        found["leads"] = leads.filter(company=record)
    return {key: list(queryset.distinct()[:RELATED_LIMIT]) for key, queryset in found.items()}


def hidden_links(user: User, record: CrmRecord) -> dict[str, list]:
    """Linked records the user may not see: an edit form must keep them without showing them."""
    if isinstance(record, Deal):
        hidden_company = (
            record.company_id is not None and not _visible(user, Company).filter(pk=record.company_id).exists()
        )
        return {
            "company": [record.company_id] if hidden_company else [],
            "contacts": list(record.contacts.exclude(pk__in=_visible(user, Contact).values("pk"))),
        }
    if isinstance(record, Contact):
        return {"companies": list(record.companies.exclude(pk__in=_visible(user, Company).values("pk")))}
    return {}


def linked_ids(record: CrmRecord) -> dict[str, list[int]]:
    """The current many-to-many links of a record, as an edit form's initial values."""
    if isinstance(record, Deal):
        return {"contacts": list(record.contacts.values_list("pk", flat=True))}
    if isinstance(record, Contact):
        return {"companies": list(record.companies.values_list("pk", flat=True))}
    return {}


def communications_of(records: Iterable[CrmRecord]) -> dict[str, list[MultiField]]:
    """Phones and emails of the given records (a deal's contacts and company), in one query."""
    condition = Q(pk__in=[])
    for record in records:
        condition |= Q(entity_type=record.entity_type, entity_id=record.pk)
    found: dict[str, list[MultiField]] = {MultiFieldType.PHONE: [], MultiFieldType.EMAIL: []}
    for item in MultiField.objects.filter(condition, type_id__in=list(found)):
        found[item.type_id].append(item)
    return found


def product_rows(deal: Deal) -> list[ProductRow]:
    rows = list(ProductRow.objects.filter(owner_type=EntityType.DEAL, owner_id=deal.pk).order_by("sort", "id"))
    for row in rows:
        row.quantity_text = plain_number(row.quantity)
        row.discount_text = plain_number(row.discount_rate)
    return rows


def plain_number(value: Decimal) -> str:
    """3.0000 → "3", 1.5000 → "1.5": what a person typed, without trailing zeros or exponents."""
    return format(value.normalize(), "f")


def activity_on(user: User, record: CrmRecord, pk: int) -> Activity | None:
    """One activity of this record that the user may change (tick as done)."""
    return (
        access.visible(user, Activity, "update")
        .filter(owner_type=record.entity_type, owner_id=record.pk, pk=pk)
        .first()
    )


def changeable_activity_ids(user: User, activities: Iterable[Activity]) -> set[int]:
    ids = [activity.pk for activity in activities]
    return set(access.visible(user, Activity, "update").filter(pk__in=ids).values_list("pk", flat=True))


# What history rows name besides model fields: a robot's run (see kontora/automation/jobs.py).
HISTORY_LABELS = {"robot": gettext_lazy("Robot"), "result": gettext_lazy("Result")}


def _field_label(model: type[Model], name: str) -> str:
    if name in HISTORY_LABELS:
        return str(HISTORY_LABELS[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001  history may name things that are not model fields (phone, contacts…)
        return name


def card_timeline(user: User, record: CrmRecord) -> list[dict]:
    """The record's timeline, newest first, with changes spelled out and the user's tickable activities marked."""
    items = selectors.timeline(record)
    stage_ids: set[int] = set()
    for entry in items:
        if entry["kind"] == "change":
            for name, values in entry["item"].changes.items():
                if name in {"stage", "status"} and isinstance(values, list):
                    stage_ids.update(value for value in values if isinstance(value, int))
    names = dict(Status.objects.filter(pk__in=stage_ids).values_list("pk", "name"))
    activities = [entry["item"] for entry in items if entry["kind"] == "activity"]
    changeable = changeable_activity_ids(user, activities)
    model = type(record)
    for entry in items:
        if entry["kind"] == "change":
            entry["fields"] = _describe(model, entry["item"], names)
        elif entry["kind"] == "activity":
            entry["can_complete"] = entry["item"].pk in changeable
    return items


def _describe(model: type[Model], change: ChangeSet, names: dict[int, str]) -> list[dict]:
    fields = []
    for name, values in (change.changes or {}).items():
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        if name in {"stage", "status"}:
            old, new = names.get(old, old), names.get(new, new)
        simple = all(value is None or isinstance(value, str | int | float | bool) for value in (old, new))
        fields.append({"label": _field_label(model, name), "old": old, "new": new, "simple": simple})
    return fields


# My activities ----------------------------------------------------------------------------------------------


def activity_groups(user: User, include_done: bool = False) -> list[dict]:
    """The user's activities as overdue / today / later / without deadline (and done), each with its record."""
    activities = list(selectors.my_activities(user, include_done=include_done))
    titles = _record_titles(user, activities)
    now = timezone.now()
    today = timezone.localdate(now)
    groups: dict[str, list] = {"overdue": [], "today": [], "later": [], "none": [], "done": []}
    for activity in activities:
        activity.record = titles.get((activity.owner_type, activity.owner_id))
        if activity.completed:
            key = "done"
        elif activity.deadline is None:
            key = "none"
        elif activity.deadline < now:
            key = "overdue"
        elif timezone.localdate(activity.deadline) == today:
            key = "today"
        else:
            key = "later"
        groups[key].append(activity)
    return [{"key": key, "items": items} for key, items in groups.items()]


def _record_titles(user: User, activities: list[Activity]) -> dict[tuple[int, int], dict]:
    """Title and link of each activity's record, only for records the user may open."""
    wanted: dict[int, set[int]] = {}
    for activity in activities:
        wanted.setdefault(activity.owner_type, set()).add(activity.owner_id)
    found = {}
    for entity_type, ids in wanted.items():
        for record in selectors.visible_records(user, RECORD_MODELS[entity_type]).filter(pk__in=ids):
            found[(entity_type, record.pk)] = {
                "title": str(record),
                "url": record_url(entity_type, record.pk),
                "kind": EntityType(entity_type).label,
            }
    return found


def my_activity(user: User, pk: int) -> Activity | None:
    return selectors.my_activities(user, include_done=True).filter(pk=pk).first()


# The recycle bin --------------------------------------------------------------------------------------------


def binned(user: User, model: type[CrmRecord]) -> QuerySet:
    """Records of `model` in the bin that the user may delete (and so restore), as the gate would decide."""
    ctx = access.context_for(user)
    entity = access.entity_for(model)
    queryset = model.all_objects.filter(deleted_at__isnull=False)
    if model is Deal:
        condition = Q(pk__in=[])
        for category in Category.objects.all():
            level = ctx.level(entity, "delete", scope=f"category:{category.pk}")
            if level == Level.NONE:
                continue
            rule = ctx.condition(entity, level)
            condition |= Q(category_id=category.pk) & (rule if rule is not None else Q())
        return queryset.filter(condition)
    level = ctx.level(entity, "delete")
    if level == Level.NONE:
        return queryset.none()
    rule = ctx.condition(entity, level)
    return queryset if rule is None else queryset.filter(rule)


def bin_contents(user: User, limit: int = 200) -> list[CrmRecord]:
    """Everything in the bin the user may restore, most recently deleted first."""
    records = []
    for entity_type, model in RECORD_MODELS.items():
        for record in binned(user, model).select_related("deleted_by", "responsible").order_by("-deleted_at")[:limit]:
            record.kind = EntityType(entity_type).label
            records.append(record)
    records.sort(key=lambda record: record.deleted_at, reverse=True)
    return records[:limit]


def binned_record(user: User, entity_type: int, pk: int) -> CrmRecord | None:
    return binned(user, RECORD_MODELS[entity_type]).filter(pk=pk).first()
