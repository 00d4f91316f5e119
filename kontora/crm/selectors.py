"""CRM reads, each starting from the permission gate. Deals are granted per pipeline."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import Level
from kontora.crm.choices import CODE_PREFIX, EntityType, MultiFieldType
from kontora.crm.communications import looks_like_phone, normalize
from kontora.crm.models import Activity, Category, Comment, Company, Contact, Deal, Lead, MultiField, Status
from kontora.events import history

RECORD_MODELS = {EntityType.LEAD: Lead, EntityType.DEAL: Deal, EntityType.CONTACT: Contact, EntityType.COMPANY: Company}


def visible_deals(user, action: str = "read", category: Category | None = None) -> QuerySet[Deal]:
    """Deals the user may act on: each pipeline contributes what the user's grant for it allows.

    Pipelines with the same level share one condition, so the usual case (one level everywhere) is a single
    plain filter that the database plans well, not an OR per pipeline.
    """
    ctx = access.context_for(user)
    entity = access.entity_for(Deal)
    categories = [category] if category is not None else list(Category.objects.values_list("pk", flat=True))
    by_level: dict[Level, list[int]] = {}
    for item in categories:
        pk = item.pk if isinstance(item, Category) else item
        level = ctx.level(entity, action, scope=f"category:{pk}")
        if level != Level.NONE:
            by_level.setdefault(level, []).append(pk)
    if not by_level:
        return Deal.objects.none()
    if len(by_level) == 1 and category is None and len(next(iter(by_level.values()))) == len(categories):
        rule = ctx.condition(entity, next(iter(by_level)))
        return Deal.objects.all() if rule is None else Deal.objects.filter(rule)
    condition = Q(pk__in=[])
    for level, pks in by_level.items():
        rule = ctx.condition(entity, level)
        condition |= Q(category_id__in=pks) & (rule if rule is not None else Q())
    return Deal.objects.filter(condition)


def visible_records(user, model, action: str = "read") -> QuerySet:
    if model is Deal:
        return visible_deals(user, action)
    return access.visible(user, model, action)


def get_record(user, entity_type: int, pk: int, action: str = "read"):
    """One record the user may act on, or None (missing and forbidden look the same)."""
    return visible_records(user, RECORD_MODELS[entity_type], action).filter(pk=pk).first()


def record_by_code(user, code: str, action: str = "read"):
    """The record behind a Bitrix24 link code ("D_12", "CO_4"), if the user may act on it; else None."""
    prefix, _, pk = str(code).strip().upper().partition("_")
    entity_types = {value: key for key, value in CODE_PREFIX.items()}
    if prefix not in entity_types or not pk.isdigit():
        return None
    return get_record(user, entity_types[prefix], int(pk), action)


def open_activity_exists(entity_type: int) -> Exists:
    return Exists(Activity.objects.filter(owner_type=entity_type, owner_id=OuterRef("pk"), completed=False))


def deals_without_activities(user, category: Category | None = None) -> QuerySet[Deal]:
    """Open deals with nothing planned: the preset the heads of sales ask for most."""
    return visible_deals(user, category=category).filter(closed=False).exclude(open_activity_exists(EntityType.DEAL))


def stage_columns(user, category: Category) -> list[dict]:
    """The kanban's columns: every stage of the pipeline with the count and sum of the deals the user sees."""
    stages = list(
        Status.objects.filter(category=category, entity_id=category.stage_entity)
        .select_related("category")
        .order_by("sort", "id")
    )
    totals = {
        row["stage_id"]: row
        for row in visible_deals(user, category=category)
        .values("stage_id")
        .annotate(n=Count("id"), total=Sum("amount"))
    }
    return [
        {
            "stage": stage,
            "count": totals.get(stage.pk, {}).get("n", 0),
            "total": totals.get(stage.pk, {}).get("total") or 0,
        }
        for stage in stages
    ]


def deals_in_stage(user, stage: Status, after_id: int | None = None, limit: int = 20) -> list[Deal]:
    """One page of a kanban column, newest first, keyset-paged by id."""
    queryset = visible_deals(user, category=stage.category).filter(stage=stage)
    if after_id is not None:
        queryset = queryset.filter(pk__lt=after_id)
    deals = list(queryset.select_related("company", "responsible").order_by("-id")[:limit])
    upcoming = {}
    for activity in Activity.objects.filter(
        owner_type=EntityType.DEAL, owner_id__in=[d.pk for d in deals], completed=False
    ).order_by("deadline", "id"):
        upcoming.setdefault(activity.owner_id, activity)
    for deal in deals:
        deal.next_activity = upcoming.get(deal.pk)
    return deals


def my_activities(user, include_done: bool = False) -> QuerySet[Activity]:
    queryset = Activity.objects.filter(responsible=user, in_bin=False)
    if not include_done:
        queryset = queryset.filter(completed=False)
    return queryset.order_by("completed", "deadline", "id")


def overdue_activity_count(user_id: int) -> int:
    return Activity.objects.filter(
        responsible_id=user_id, completed=False, in_bin=False, deadline__lt=timezone.now()
    ).count()


def activities_of(record) -> QuerySet[Activity]:
    return Activity.objects.filter(owner_type=record.entity_type, owner_id=record.pk).select_related("responsible")


def multifields_of(record) -> dict[str, list[MultiField]]:
    grouped: dict[str, list[MultiField]] = {}
    for field in MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk):
        grouped.setdefault(field.type_id, []).append(field)
    return grouped


def timeline(record) -> list[dict]:
    """History, comments, activities and stage changes of a record, newest first."""
    items = [{"kind": "change", "at": change.created_at, "item": change} for change in history.for_object(record)]
    items += [
        {"kind": "comment", "at": comment.created_at, "item": comment}
        for comment in Comment.objects.filter(entity_type=record.entity_type, entity_id=record.pk).select_related(
            "author"
        )
    ]
    items += [{"kind": "activity", "at": activity.created_at, "item": activity} for activity in activities_of(record)]
    return sorted(items, key=lambda entry: entry["at"], reverse=True)


def records_by_communication(user, text: str, limit: int = 20) -> dict[int, list]:
    """Visible leads, contacts and companies with this phone (any format) or email, per entity type."""
    type_id = MultiFieldType.PHONE if looks_like_phone(text) else MultiFieldType.EMAIL
    value = normalize(type_id, text)
    if not value:
        return {}
    found: dict[int, list[int]] = {}
    rows = MultiField.objects.filter(type_id=type_id, normalized=value).values_list("entity_type", "entity_id")
    for entity_type, entity_id in rows[:500]:
        found.setdefault(entity_type, []).append(entity_id)
    return {
        entity_type: list(visible_records(user, RECORD_MODELS[entity_type]).filter(pk__in=ids)[:limit])
        for entity_type, ids in found.items()
    }


def find_by_communication(user, text: str, limit: int = 20) -> dict[int, list[int]]:
    """Ids of visible leads, contacts and companies with this phone (any format) or email."""
    return {entity_type: [record.pk for record in records]
            for entity_type, records in records_by_communication(user, text, limit).items()}  # fmt: skip
