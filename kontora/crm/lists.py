"""Reads behind the CRM list pages and exports: visible rows, presets, filter, sorting, keyset pages, bulk actions."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts import access
from kontora.accounts.models import Level, User
from kontora.core import filters
from kontora.core.errors import KontoraError, NotFound
from kontora.crm import schema, selectors, services
from kontora.crm.choices import Dictionary, EntityType, Semantics
from kontora.crm.models import Activity, Category, Deal, Lead, LossReason, SavedFilter, Status

PAGE_SIZE = 50
COUNT_CAP = 10_000  # lists count at most this many rows plus one, and say "10,000+"
_CURSOR_SALT = "kontora.crm.lists.cursor"

PRESETS: dict[str, tuple[tuple[str, Any], ...]] = {
    "deal": (
        ("my", gettext_lazy("My")),
        ("open", gettext_lazy("Open")),
        ("idle", gettext_lazy("Without activities")),
        ("overdue", gettext_lazy("Overdue")),
        ("won_month", gettext_lazy("Won this month")),
    ),
    "lead": (
        ("my", gettext_lazy("My")),
        ("open", gettext_lazy("Open")),
        ("idle", gettext_lazy("Without activities")),
        ("overdue", gettext_lazy("Overdue")),
    ),
    "contact": (
        ("my", gettext_lazy("My")),
        ("idle", gettext_lazy("Without activities")),
        ("overdue", gettext_lazy("Overdue")),
    ),
    "company": (
        ("my", gettext_lazy("My")),
        ("idle", gettext_lazy("Without activities")),
        ("overdue", gettext_lazy("Overdue")),
    ),
}


@dataclass(frozen=True)
class ListQuery:
    """What a list page or an export asks for: a Bitrix24 filter, a preset, and a sort ("-OPPORTUNITY")."""

    entity: str
    filter: Mapping = field(default_factory=dict)
    preset: str = ""
    sort: str = "-ID"


@dataclass(frozen=True)
class Sort:
    field: schema.Field
    descending: bool

    @property
    def param(self) -> str:
        return f"{'-' if self.descending else ''}{self.field.name}"


@dataclass
class Page:
    rows: list
    next_cursor: str | None


@dataclass
class BulkResult:
    done: int = 0
    refused: Counter = field(default_factory=Counter)  # message → how many rows

    @property
    def refused_count(self) -> int:
        return sum(self.refused.values())


# Rows


def rows(
    user: User, query: ListQuery, action: str = "read", fields: Mapping[str, schema.Field] | None = None
) -> QuerySet:
    """The rows the user may act on (`action`: "read" for the page, "export" for exports), filtered and sorted.

    Raises Invalid when the filter names an unknown field or a bad value.
    """
    spec = schema.entity(query.entity)
    fields = fields if fields is not None else schema.fields_of(query.entity)
    queryset = _with_preset(user, spec, query.preset, action)
    queryset = filters.apply(queryset, query.filter, fields)
    sort = parse_sort(query.sort, fields)
    return ordered(queryset, sort)


def _with_preset(user: User, spec: schema.Entity, preset: str, action: str) -> QuerySet:
    queryset = selectors.visible_records(user, spec.model, action)
    if preset == "my":
        return queryset.filter(responsible=user)
    if preset == "open":
        if spec.model is Deal:
            return queryset.filter(closed=False)
        if spec.model is Lead:
            return queryset.filter(status__semantics=Semantics.PROCESS)
    if preset == "idle":
        if spec.model is Deal:
            idle = selectors.deals_without_activities(user)
            return idle if action == "read" else queryset.filter(pk__in=idle.values("pk"))
        if spec.model is Lead:
            queryset = queryset.filter(status__semantics=Semantics.PROCESS)
        return queryset.exclude(selectors.open_activity_exists(spec.entity_type))
    if preset == "overdue":
        return queryset.filter(overdue_activity_exists(spec.entity_type))
    if preset == "won_month" and spec.model is Deal:
        month = timezone.localdate().replace(day=1)
        return filters.apply(
            queryset, {"STAGE_SEMANTIC_ID": Semantics.SUCCESS, ">=MOVED_TIME": month.isoformat()}, spec.fields
        )
    return queryset


def overdue_activity_exists(entity_type: int) -> Exists:
    """The record has an open activity whose deadline has passed."""
    return Exists(
        Activity.objects.filter(
            owner_type=entity_type, owner_id=OuterRef("pk"), completed=False, deadline__lt=timezone.now()
        )
    )


def presets(entity: str) -> tuple[tuple[str, Any], ...]:
    return PRESETS[entity]


# Sorting and keyset pages


def parse_sort(param: str | None, fields: Mapping[str, schema.Field]) -> Sort:
    """A whitelisted sort: a sortable field's name, "-" first for descending; anything else sorts newest first."""
    param = (param or "").strip()
    name = param.removeprefix("-")
    chosen = fields.get(name)
    if chosen is None or not getattr(chosen, "sortable", False):
        return Sort(fields["ID"], descending=True)
    return Sort(chosen, descending=param.startswith("-"))


def ordered(queryset: QuerySet, sort: Sort) -> QuerySet:
    """Order by the sort key, then id; ascending puts empty values last, descending exactly the reverse."""
    if sort.field.sort == "id":
        return queryset.order_by("-pk" if sort.descending else "pk")
    queryset = queryset.annotate(list_sort_key=F(sort.field.sort))
    if sort.descending:
        return queryset.order_by(F("list_sort_key").desc(nulls_first=True), "-pk")
    return queryset.order_by(F("list_sort_key").asc(nulls_last=True), "pk")


def page(queryset: QuerySet, sort: Sort, cursor: str | None = None, size: int | None = None) -> Page:
    """One page of an `ordered()` queryset after the cursor (the previous page's last sort key and id)."""
    size = size or PAGE_SIZE
    after = _read_cursor(cursor)
    if after is not None:
        queryset = queryset.filter(_after(sort, *after))
    found = list(queryset[: size + 1])
    if len(found) <= size:
        return Page(found, None)
    found = found[:size]
    last = found[-1]
    key = last.pk if sort.field.sort == "id" else last.list_sort_key
    return Page(found, signing.dumps([_encode(key), last.pk], salt=_CURSOR_SALT, compress=True))


def _after(sort: Sort, key: Any, last_id: int) -> Q:
    if sort.field.sort == "id":
        return Q(pk__lt=last_id) if sort.descending else Q(pk__gt=last_id)
    if sort.descending:  # empty keys first, then keys going down
        if key is None:
            return Q(list_sort_key__isnull=True, pk__lt=last_id) | Q(list_sort_key__isnull=False)
        return Q(list_sort_key__lt=key) | Q(list_sort_key=key, pk__lt=last_id)
    if key is None:  # ascending: keys going up, then empty keys
        return Q(list_sort_key__isnull=True, pk__gt=last_id)
    return Q(list_sort_key__gt=key) | Q(list_sort_key=key, pk__gt=last_id) | Q(list_sort_key__isnull=True)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "n" in value:
            return Decimal(value["n"])
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "d" in value:
            return date.fromisoformat(value["d"])
    return value


def _read_cursor(cursor: str | None) -> tuple[Any, int] | None:
    if not cursor:
        return None
    try:
        key, last_id = signing.loads(cursor, salt=_CURSOR_SALT)
        return _decode(key), int(last_id)
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return None  # a stale or edited link starts from the first page


def count_capped(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """How many rows, counting at most cap + 1 of them: (count, more_than_cap)."""
    cap = cap or COUNT_CAP
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return min(found, cap), found > cap


# Choices the filter bar and the bulk actions offer


def people(user: User) -> QuerySet[User]:
    """Active employees the user may see: who can be picked as responsible."""
    return access.visible(user, User).filter(is_active=True).order_by("last_name", "first_name")


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("sort", "id")


def stages(entity: str) -> QuerySet[Status]:
    """Deal stages of every pipeline, lead statuses, contact types or company types: the entity's "status"."""
    if entity == "deal":
        return (
            Status.objects.filter(category__isnull=False)
            .select_related("category")
            .order_by("category__sort", "category_id", "sort", "id")
        )
    dictionary = {"lead": Dictionary.LEAD_STATUS, "contact": Dictionary.CONTACT_TYPE}.get(
        entity, Dictionary.COMPANY_TYPE
    )
    return Status.objects.filter(entity_id=dictionary).order_by("sort", "id")


def loss_reasons() -> QuerySet[LossReason]:
    return LossReason.objects.filter(active=True)


def can_export(user: User, model) -> bool:
    """Whether the user may export any rows of the entity at all (deals: in any pipeline)."""
    ctx = access.context_for(user)
    entity = access.entity_for(model)
    if model is Deal:
        return any(
            ctx.level(entity, "export", scope=f"category:{pk}") != Level.NONE
            for pk in Category.objects.values_list("pk", flat=True)
        )
    return ctx.level(entity, "export") != Level.NONE


# Bulk actions


def bulk_apply(user: User, entity: str, ids: Iterable[int], action: str, **params) -> BulkResult:
    """Apply one action to each chosen row through its service, as the user, each row on its own.

    `action`: "responsible" (params: responsible), "stage" (params: stage, loss_reason, loss_comment) or "delete".
    Rows the user may not change, may not see, or that the service refuses are counted with the reason.
    """
    spec = schema.entity(entity)
    wanted = {int(pk) for pk in ids}
    found = list(selectors.visible_records(user, spec.model).filter(pk__in=wanted).order_by("pk"))
    result = BulkResult()
    missing = len(wanted) - len(found)
    if missing:
        result.refused[_("Not found")] += missing
    for record in found:
        try:
            _apply_one(user, spec, record, action, params)
        except KontoraError as error:
            result.refused[error.message or _("Access denied")] += 1
        else:
            result.done += 1
    return result


def _apply_one(user: User, spec: schema.Entity, record, action: str, params: dict) -> None:
    if action == "delete":
        services.delete_record(record, by=user)
    elif action == "responsible":
        update = {
            EntityType.DEAL: services.update_deal,
            EntityType.LEAD: services.update_lead,
            EntityType.CONTACT: services.update_contact,
            EntityType.COMPANY: services.update_company,
        }[spec.entity_type]
        update(record, by=user, responsible=params["responsible"])
    elif action == "stage" and spec.model is Deal:
        services.move_deal(
            record, params["stage"], by=user, loss_reason=params.get("loss_reason"),
            loss_comment=params.get("loss_comment") or "",
        )  # fmt: skip
    elif action == "stage" and spec.model is Lead:
        services.update_lead(record, by=user, status=params["stage"])
    else:
        raise ValueError(f"unknown bulk action {action!r} for {spec.key}")


# Saved filters


def saved_filters(user: User, entity: str) -> list[SavedFilter]:
    """The user's own filters for this list, then those colleagues shared."""
    if not user.is_authenticated:
        return []
    entity_type = schema.entity(entity).entity_type
    found = SavedFilter.objects.filter(Q(owner=user) | Q(shared=True), entity_type=entity_type).select_related("owner")
    return sorted(found, key=lambda saved: (saved.owner_id != user.pk, saved.name.lower(), saved.pk))


def saved_filter(user: User, entity: str, pk: int) -> SavedFilter:
    """One filter the user may apply (own or shared); NotFound otherwise."""
    for saved in saved_filters(user, entity):
        if saved.pk == pk:
            return saved
    raise NotFound()
