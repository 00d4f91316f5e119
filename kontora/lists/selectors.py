"""Reads about universal lists, always through the gate: the directory, a list's elements, one element."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core.textsearch import contains_ci
from kontora.lists.models import ListElement, UniversalList


def visible_lists(user: User) -> QuerySet[UniversalList]:
    return access.visible(user, UniversalList)


def get_list(user: User, code: str) -> UniversalList | None:
    return visible_lists(user).filter(code=code).first()


def visible_elements(user: User, action: str = "read") -> QuerySet[ListElement]:
    return access.visible(user, ListElement, action)


def elements_of(
    user: User, lst: UniversalList, *, text: str = "", author: int | None = None, since: date | None = None,
    until: date | None = None, action: str = "read",
) -> QuerySet[ListElement]:  # fmt: skip
    """The list's elements this user may see, filtered by text (name and values), author and creation date."""
    queryset = visible_elements(user, action).filter(list=lst).select_related("created_by")
    for word in text.split():
        queryset = queryset.filter(contains_ci(["search_text"], word))
    if author:
        queryset = queryset.filter(created_by_id=author)
    zone = timezone.get_current_timezone()
    if since:
        queryset = queryset.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        queryset = queryset.filter(created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    return queryset.order_by("-created_at", "-id")


def directory(user: User) -> list[dict]:
    """Every list the user sees, with how many of its elements the user may read."""
    lists = list(visible_lists(user).order_by("sort", "name"))
    counts = dict(
        visible_elements(user).filter(list__in=lists).values("list").annotate(n=Count("pk")).values_list("list", "n")
    )
    return [{"list": lst, "count": counts.get(lst.pk, 0)} for lst in lists]


def get_element(user: User, lst: UniversalList, pk: int, action: str = "read") -> ListElement | None:
    return visible_elements(user, action).filter(list=lst, pk=pk).select_related("created_by", "list").first()


def element_audience(user: User, action: str) -> Q | None:
    """Beyond the levels: the chosen readers of a list read (and export) all of its elements."""
    if action not in ("read", "export"):
        return None
    return Q(list__in=UniversalList.objects.filter(readers=user).values("pk"))


def authors(user: User, lst: UniversalList) -> QuerySet[User]:
    ids = visible_elements(user).filter(list=lst).values("created_by")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


def people_by_id(ids: set[int]) -> dict[int, User]:
    return {person.pk: person for person in User.objects.filter(pk__in=ids)}


def people_in(fields, elements) -> dict[int, User]:
    """The people that the employee fields of these elements name, by id, in one query."""
    ids: set[int] = set()
    for element in elements:
        for field in fields:
            if field.type == "user":
                value = element.values.get(field.code)
                ids.update(item for item in (value if isinstance(value, list) else [value]) if item)
    return people_by_id(ids)
