"""Everything one person did over a period, from the change history: records created, fields changed, stages
moved, activities, tasks, comments — one `ChangeSet` per write.

The viewer sees a change only when they may see both the person and the record changed (records of a type the
permission gate does not know, and records now in the recycle bin, are left out).
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from kontora.accounts import access
from kontora.accounts.models import Level, User
from kontora.analytics.selectors.scope import Period
from kontora.core.registry import registry
from kontora.crm.models import Deal
from kontora.crm.selectors import visible_records
from kontora.events.models import ChangeSet

KINDS = ("create", "update", "delete", "stage", "robot")


@dataclass(frozen=True)
class HistoryQuery:
    person: User | None
    period: Period
    kind: str = ""  # one of KINDS, "" for any
    content_type: ContentType | None = None


def kinds_of_records(viewer: User, action: str = "read") -> list[ContentType]:
    """Record types the viewer may see anything of: the choices of the filter."""
    ctx = access.context_for(viewer)
    found = []
    for entity in registry.items("entities").values():
        if ctx.level(entity, action) != Level.NONE or entity.model is Deal:
            found.append(ContentType.objects.get_for_model(entity.model))
    return sorted(found, key=lambda item: str(item.name))


def _visible_changes(viewer: User, types: list[ContentType], action: str) -> Q:
    condition = Q(pk__in=[])
    for content_type in types:
        model = content_type.model_class()
        if model is None:
            continue
        records = visible_records(viewer, model, action).annotate(key=Cast("pk", CharField())).values("key")
        condition |= Q(content_type=content_type, object_id__in=records)
    return condition


def changes(viewer: User, query: HistoryQuery, action: str = "read") -> QuerySet[ChangeSet]:
    """The person's change sets in the period that the viewer may see, newest first."""
    if query.person is None or not access.visible(viewer, User).filter(pk=query.person.pk).exists():
        return ChangeSet.objects.none()
    types = [query.content_type] if query.content_type is not None else kinds_of_records(viewer, action)
    queryset = ChangeSet.objects.filter(
        actor=query.person, created_at__gte=query.period.start, created_at__lt=query.period.end
    ).filter(_visible_changes(viewer, types, action))
    if query.kind == "stage":
        queryset = queryset.filter(action=ChangeSet.Action.UPDATE, changes__has_key="stage")
    elif query.kind:
        queryset = queryset.filter(action=query.kind)
    return queryset.select_related("content_type").order_by("-created_at", "-id")
