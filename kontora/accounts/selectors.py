"""Reads about people and the org tree, always through the permission gate."""

from django.db.models import QuerySet

from kontora.accounts import access
from kontora.accounts.models import Department, Level, User
from kontora.core.textsearch import contains_ci

SEARCHED_FIELDS = (
    "first_name",
    "last_name",
    "middle_name",
    "username",
    "email",
    "position",
    "phone",
    "department__name",
)


def people(user: User, query: str = "", department: Department | None = None) -> QuerySet[User]:
    """The people directory: active colleagues this user may see, optionally searched and filtered."""
    queryset = access.visible(user, User).filter(is_active=True).select_related("department")
    if department is not None:
        queryset = queryset.filter(department__in=department_subtree(department))
    for word in query.split():
        queryset = queryset.filter(contains_ci(SEARCHED_FIELDS, word))
    return queryset.order_by("last_name", "first_name")


def departments() -> QuerySet[Department]:
    """Departments are company structure, open to everyone signed in; editing them is for administrators."""
    return Department.objects.select_related("parent", "head")


def staff() -> QuerySet[User]:
    """Every account, active or not, for the administrators' settings page."""
    return User.objects.select_related("department").prefetch_related("roles")


def department_subtree(department: Department) -> list[int]:
    return sorted(access.DepartmentTree.load().subtree([department.pk]))


def org_tree(user: User) -> list[dict]:
    """Departments as nested dicts with their head and the members this user may see."""
    departments = list(Department.objects.select_related("head").order_by("sort", "name"))
    members: dict[int | None, list[User]] = {}
    for person in access.visible(user, User).filter(is_active=True).order_by("last_name", "first_name"):
        members.setdefault(person.department_id, []).append(person)
    nodes = {d.pk: {"department": d, "members": members.get(d.pk, []), "children": []} for d in departments}
    roots = []
    for department in departments:
        node = nodes[department.pk]
        parent = nodes.get(department.parent_id)
        (parent["children"] if parent else roots).append(node)
    return roots


def is_administrator(user: User) -> bool:
    if not user.is_authenticated:
        return False
    ctx = access.context_for(user)
    return ctx.level(access.entity_for(User), "add") == Level.ALL


def search_people(user: User, query: str, limit: int) -> list[dict]:
    return [
        {"title": person.full_name, "subtitle": person.position, "url": person.get_absolute_url()}
        for person in people(user, query)[:limit]
    ]
