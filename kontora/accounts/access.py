"""The permission gate: the only place that answers "which records may this user see" and "may they do this".

Apps declare entity types with `register_entity()`; every list, card, REST method, export, search, report,
notification and push starts from `visible()` or `can()`. Levels are resolved once per request into an
`AccessContext` cached on the user object.
"""

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.db import models
from django.db.models import Q, QuerySet

from kontora.accounts.models import Department, Level, Role, RoleGrant, User
from kontora.core.registry import registry

ACTIONS = ("read", "add", "update", "delete", "export", "import")

# What each built-in role grants on any registered entity, unless the entity declares otherwise.
PRESETS: dict[str, dict[str, Level]] = {
    Role.Preset.ADMINISTRATOR: dict.fromkeys(ACTIONS, Level.ALL),
    Role.Preset.HEAD: dict.fromkeys(ACTIONS, Level.SUBTREE),
    Role.Preset.EMPLOYEE: {
        "read": Level.DEPARTMENT,
        "add": Level.OWN,
        "update": Level.OWN,
        "delete": Level.OWN,
        "export": Level.OWN,
        "import": Level.NONE,
    },
    Role.Preset.READ_ONLY: {**dict.fromkeys(ACTIONS, Level.NONE), "read": Level.ALL},
    Role.Preset.CUSTOM: dict.fromkeys(ACTIONS, Level.NONE),
}


@dataclass(frozen=True)
class EntityType:
    """How the gate sees one model: its key, its actions and the path to the user who owns a record.

    `owner` is a lookup path to a User ("responsible", "deal__responsible"); "" means the record is a User.
    `participants` are further paths to users who share the record as if they owned it (a task's creator,
    co-executors and observers): levels reach a record through any of them. `audience(user, action)` returns
    records reachable otherwise (a project's tasks for its members), OR-ed in below level ALL.
    """

    key: str
    model: type[models.Model]
    owner: str = "responsible"
    actions: tuple[str, ...] = ACTIONS
    presets: dict[str, dict[str, Level]] = field(default_factory=dict)
    participants: tuple[str, ...] = ()
    audience: Callable[[User, str], Q | None] | None = None

    def _paths(self) -> tuple[str, ...]:
        return (self.owner, *self.participants)

    def _through(self, path: str, value) -> Q:
        condition = {f"{path}__in" if path else "pk__in": value}
        if "__" in path:  # a to-many path: a semi-join, so a record shared twice is not returned twice
            return Q(pk__in=self.model._base_manager.filter(**condition).values("pk"))
        return Q(**condition)

    def owned_by(self, user_ids: Iterable[int]) -> Q:
        ids = list(user_ids)
        return _any(self._through(path, ids) for path in self._paths())

    def owner_id(self, obj: models.Model) -> int | None:
        if not self.owner:
            return obj.pk
        value = obj
        for part in self.owner.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value.pk

    def preset_level(self, preset: str, action: str) -> Level:
        return self.presets.get(preset, {}).get(action, PRESETS[preset].get(action, Level.NONE))


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions)


def register_entity(entity: EntityType) -> EntityType:
    registry.register("entities", entity.key, entity)
    return entity


def entity_for(model_or_obj) -> EntityType:
    model = model_or_obj if isinstance(model_or_obj, type) else model_or_obj.__class__  # also unwraps lazy users
    for entity in registry.items("entities").values():
        if entity.model is model:
            return entity
    raise LookupError(f"{model.__name__} is not registered with the permission gate")


class DepartmentTree:
    """The org tree in memory: it is small, and every check needs parents and subtrees."""

    def __init__(self, rows: Iterable[tuple[int, int | None, int | None]]) -> None:
        self.parent: dict[int, int | None] = {}
        self.children: dict[int | None, list[int]] = {}
        self.head: dict[int, int | None] = {}
        for pk, parent_id, head_id in rows:
            self.parent[pk] = parent_id
            self.head[pk] = head_id
            self.children.setdefault(parent_id, []).append(pk)

    @classmethod
    def load(cls) -> "DepartmentTree":
        return cls(Department.objects.values_list("pk", "parent_id", "head_id"))

    def subtree(self, roots: Iterable[int]) -> set[int]:
        found: set[int] = set()
        stack = list(roots)
        while stack:
            pk = stack.pop()
            if pk in found:
                continue
            found.add(pk)
            stack.extend(self.children.get(pk, []))
        return found

    def headed_by(self, user_id: int) -> set[int]:
        return {pk for pk, head_id in self.head.items() if head_id == user_id}

    def ancestors(self, pk: int | None) -> list[int]:
        chain = []
        while pk is not None and pk not in chain:
            chain.append(pk)
            pk = self.parent.get(pk)
        return chain


class AccessContext:
    """Everything the gate needs about one user, computed once and reused for every check."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.active = bool(user and user.is_authenticated and user.is_active)
        self.superuser = self.active and user.is_superuser
        roles = list(user.roles.all()) if self.active else []
        self.presets = {role.preset for role in roles}
        self.grants: dict[tuple[str, str, str], int] = {}
        for entity_key, action, scope, level in RoleGrant.objects.filter(role__in=roles).values_list(
            "entity", "action", "scope", "level"
        ):
            key = (entity_key, action, scope)
            self.grants[key] = max(self.grants.get(key, Level.NONE), level)
        tree = DepartmentTree.load() if self.active else DepartmentTree([])
        own = {user.department_id} if self.active and user.department_id else set()
        self.departments = own | (tree.headed_by(user.pk) if self.active else set())
        self.department_tree = tree.subtree(self.departments)
        self._people: dict[Level, list[int]] = {}

    def people(self, level: Level) -> list[int]:
        """The user and everyone in their departments (DEPARTMENT) or in the subtrees below them (SUBTREE).

        Read once and passed to the database as a list of ids, not as a subquery: with the ids known, PostgreSQL
        reads each owner's range of an index that starts with the owner (at a million deals, a month of one
        head's activities takes 9 ms instead of 60).
        """
        if level not in self._people:
            departments = self.department_tree if level == Level.SUBTREE else self.departments
            owners = User.objects.filter(Q(pk=self.user.pk) | Q(department_id__in=list(departments)))
            self._people[level] = sorted(owners.values_list("pk", flat=True))
        return self._people[level]

    def level(self, entity: EntityType, action: str, scope: str = "") -> Level:
        if not self.active or action not in entity.actions:
            return Level.NONE
        if self.superuser:
            return Level.ALL
        levels = [entity.preset_level(preset, action) for preset in self.presets]
        levels.append(self.grants.get((entity.key, action, ""), Level.NONE))
        if scope:
            levels.append(self.grants.get((entity.key, action, scope), Level.NONE))
        return Level(max(levels))

    def condition(self, entity: EntityType, level: Level, action: str = "read") -> Q | None:
        """The filter for a level; None means no restriction."""
        if level >= Level.ALL:
            return None
        owned = self._owned(entity, level)
        extra = entity.audience(self.user, action) if entity.audience else None
        return owned if extra is None else owned | extra

    def _owned(self, entity: EntityType, level: Level) -> Q:
        if level in (Level.SUBTREE, Level.DEPARTMENT):
            return entity.owned_by(self.people(level))
        if level == Level.OWN:
            return entity.owned_by([self.user.pk])
        return Q(pk__in=[])


def context_for(user: User) -> AccessContext:
    cached = getattr(user, "_access_context", None)
    if cached is None:
        cached = AccessContext(user)
        if user is not None and user.is_authenticated:
            user._access_context = cached
    return cached


def forget(user: User) -> None:
    """Drop the cached context after the user's roles or department changed."""
    try:
        delattr(user, "_access_context")  # also reaches through request.user's lazy wrapper
    except AttributeError:
        pass


def visible(user: User, model: type[models.Model], action: str = "read", scope: str = "") -> QuerySet:
    """The records of `model` this user may act on with `action`."""
    entity = entity_for(model)
    ctx = context_for(user)
    queryset = model._default_manager.all()
    level = ctx.level(entity, action, scope)
    if level == Level.NONE:
        return queryset.none()
    condition = ctx.condition(entity, level, action)
    return queryset if condition is None else queryset.filter(condition)


def can(user: User, action: str, obj: models.Model, scope: str = "") -> bool:
    """May the user do `action` to this object? For "add", the object is the unsaved one being created."""
    entity = entity_for(obj)
    ctx = context_for(user)
    level = ctx.level(entity, action, scope)
    if level == Level.NONE:
        return False
    if level == Level.ALL:
        return True
    if obj.pk is not None and action != "add":
        # The base manager, so that records in the recycle bin can still be checked (to restore them).
        condition = ctx.condition(entity, level, action)
        candidates = obj.__class__._base_manager.filter(pk=obj.pk)
        return (candidates if condition is None else candidates.filter(condition)).exists()
    owner_id = entity.owner_id(obj)
    if owner_id == user.pk:
        return True
    if level == Level.OWN or owner_id is None:
        return False
    department_id = User.objects.filter(pk=owner_id).values_list("department_id", flat=True).first()
    allowed = ctx.department_tree if level == Level.SUBTREE else ctx.departments
    return department_id in allowed


def allowed_actions(user: User, obj: models.Model) -> set[str]:
    entity = entity_for(obj)
    return {action for action in entity.actions if can(user, action, obj)}
