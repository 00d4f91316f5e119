"""Roles and their grants: administrators create, rename and delete roles and set a level per entity and action."""

import re
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Case, Count, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts import access
from kontora.accounts.models import Level, Role, RoleGrant, User
from kontora.core.errors import Forbidden, Invalid
from kontora.core.registry import registry
from kontora.events import history

ACTION_LABELS = {
    "read": gettext_lazy("Read"),
    "add": gettext_lazy("Add"),
    "update": gettext_lazy("Change"),
    "delete": gettext_lazy("Delete"),
    "export": gettext_lazy("Export"),
    "import": gettext_lazy("Import"),
}

# Only deals are granted per slice (pipeline); the gate compares scopes as plain strings.
SCOPED_ENTITIES = {"crm.deal": re.compile(r"^category:(\d+)$")}


def _require_admin(by: User | None) -> None:
    from kontora.accounts.selectors import is_administrator

    if by is None or not is_administrator(by):
        raise Forbidden()


def _clean_name(name: str, role: Role | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("REQUIRED", "name", _("Enter the role's name."))
    if len(name) > Role._meta.get_field("name").max_length:
        raise Invalid("TOO_LONG", "name", _("The name is too long."))
    taken = Role.objects.filter(name__iexact=name)
    if role is not None:
        taken = taken.exclude(pk=role.pk)
    if taken.exists():
        raise Invalid("DUPLICATE_NAME", "name", _("A role with this name already exists."))
    return name


def pipelines() -> list:
    """Deal pipelines, if the CRM is installed; read through the app registry, as accounts must not import crm."""
    try:
        category = apps.get_model("crm", "Category")
    except LookupError:
        return []
    return list(category._default_manager.order_by("sort", "id"))


def scope_label(scope: str) -> str:
    """ "category:3" as the pipeline's name, for pages and history; other scopes as they are."""
    match = SCOPED_ENTITIES["crm.deal"].match(scope)
    if match:
        for pipeline in pipelines():
            if pipeline.pk == int(match.group(1)):
                return str(pipeline)
    return scope


def _check_scope(entity: access.EntityType, scope: str) -> None:
    if not scope:
        return
    pattern = SCOPED_ENTITIES.get(entity.key)
    match = pattern.match(scope) if pattern else None
    if match is None or int(match.group(1)) not in {pipeline.pk for pipeline in pipelines()}:
        raise Invalid("UNKNOWN_SCOPE", "scope", _("This entity type cannot be granted for this scope."))


def _baseline(role: Role, entity: access.EntityType, action: str, scope: str) -> Level:
    """What the role gives without this very grant: its preset, and for a scope also the role's unscoped grant."""
    level = entity.preset_level(role.preset, action)
    if scope:
        unscoped = role.grants.filter(entity=entity.key, action=action, scope="").values_list("level", flat=True)
        level = max([level, *unscoped])
    return Level(level)


@transaction.atomic
def create_role(*, by: User, name: str) -> Role:
    """A new custom role; it grants nothing until levels are set."""
    _require_admin(by)
    role = Role.objects.create(name=_clean_name(name), preset=Role.Preset.CUSTOM)
    history.record(role, by=by, action="create", changes={"name": [None, role.name]})
    return role


@transaction.atomic
def rename_role(role: Role, *, by: User, name: str) -> Role:
    """Built-in roles keep their names: they show translated into each reader's language."""
    _require_admin(by)
    if role.preset != Role.Preset.CUSTOM:
        raise Invalid("BUILTIN_ROLE", "name", _("Built-in roles cannot be renamed."))
    name = _clean_name(name, role)
    if name != role.name:
        before, role.name = role.name, name
        role.save(update_fields=["name", "updated_at"])
        history.record(role, by=by, action="update", changes={"name": [before, name]})
    return role


@transaction.atomic
def delete_role(role: Role, *, by: User, move_to: Role | None = None) -> None:
    """Delete a custom role. If employees hold it, they must be moved to another role first (or by `move_to`),

    so that nobody silently loses access they were given on purpose.
    """
    _require_admin(by)
    if role.preset != Role.Preset.CUSTOM:
        raise Invalid("BUILTIN_ROLE", None, _("Built-in roles cannot be deleted."))
    holders = list(role.users.all())
    if holders and move_to is None:
        raise Invalid(
            "ROLE_IN_USE",
            "move_to",
            _("%(count)d employees hold this role: choose the role to move them to.") % {"count": len(holders)},
        )
    if move_to is not None and move_to.pk == role.pk:
        raise Invalid("ROLE_IN_USE", "move_to", _("Choose another role."))
    for user in holders:
        user.roles.remove(role)
        user.roles.add(move_to)
        history.record(user, by=by, action="update", changes={"roles": [role.pk, move_to.pk]})
        access.forget(user)
    history.record(role, by=by, action="delete", changes={"name": [role.name, None]})
    role.delete()


@transaction.atomic
def set_grant(role: Role, *, by: User, entity: str, action: str, level: int, scope: str = "") -> RoleGrant | None:
    """Set the role's level for one entity type and action (optionally one pipeline of deals).

    Grants only widen what a role gives: a level equal to the role's preset (or, for a pipeline, to the role's level
    for all pipelines) removes the explicit grant, and a lower one is refused.
    """
    _require_admin(by)
    entity_type = registry.items("entities").get(entity)
    if entity_type is None:
        raise Invalid("UNKNOWN_ENTITY", "entity", _("Unknown entity type."))
    if action not in entity_type.actions:
        raise Invalid("UNKNOWN_ACTION", "action", _("This action does not apply to this entity type."))
    try:
        level = Level(int(level))
    except (TypeError, ValueError):
        raise Invalid("UNKNOWN_LEVEL", "level", _("Unknown access level.")) from None
    _check_scope(entity_type, scope)
    baseline = _baseline(role, entity_type, action, scope)
    if level < baseline:
        raise Invalid(
            "BELOW_BASELINE",
            "level",
            _("This role already gives “%(level)s” here; a grant can only widen it.") % {"level": baseline.label},
        )
    existing = role.grants.filter(entity=entity, action=action, scope=scope).first()
    before = existing.level if existing else None
    grant = None
    if level == baseline:
        if existing:
            existing.delete()
    elif existing:
        existing.level = level
        existing.save(update_fields=["level"])
        grant = existing
    else:
        grant = RoleGrant.objects.create(role=role, entity=entity, action=action, scope=scope, level=level)
    after = grant.level if grant else None
    if before != after:
        key = ".".join(part for part in (entity, action, scope) if part)
        history.record(role, by=by, action="update", changes={key: [before, after]})
    return grant


@transaction.atomic
def set_grants(role: Role, *, by: User, levels: dict[tuple[str, str, str], int]) -> None:
    """Several cells of the matrix at once, all or none; {(entity, action, scope): level}.

    Levels for all pipelines are set before those for one pipeline, as the latter are measured against the former.
    A refused cell's key is on the error as `error.key`.
    """
    for key in sorted(levels, key=lambda key: bool(key[2])):
        entity, action, scope = key
        try:
            set_grant(role, by=by, entity=entity, action=action, level=levels[key], scope=scope)
        except Invalid as error:
            error.key = key
            raise


# Reads for the roles pages.


def roles() -> QuerySet[Role]:
    """Built-in roles first, then custom ones by name; `holders` is how many employees hold each."""
    custom_last = Case(When(preset=Role.Preset.CUSTOM, then=Value(1)), default=Value(0))
    return Role.objects.annotate(holders=Count("users")).order_by(custom_last, "name")


def entity_types() -> list[access.EntityType]:
    return sorted(registry.items("entities").values(), key=lambda entity: entity.key)


def entity_label(entity: access.EntityType) -> str:
    return str(entity.model._meta.verbose_name_plural).capitalize()


@dataclass(frozen=True)
class Cell:
    entity: str
    action: str
    scope: str
    level: Level  # what the role gives here
    explicit: bool  # a grant of the role sets this very cell

    @property
    def name(self) -> str:
        return "|".join(("grant", self.entity, self.action, self.scope))


@dataclass(frozen=True)
class Row:
    entity: access.EntityType
    label: str
    scope: str
    cells: list[Cell | None]  # one per column of ACTION_LABELS; None where the action does not apply


def matrix(role: Role) -> list[Row]:
    """The role's levels: a row per entity type, and for deals also a row per pipeline."""
    grants = {(g.entity, g.action, g.scope): Level(g.level) for g in role.grants.all()}
    rows = []
    for entity in entity_types():
        scopes = [("", entity_label(entity))]
        if entity.key in SCOPED_ENTITIES:
            scopes += [(f"category:{p.pk}", f"{entity_label(entity)}: {p}") for p in pipelines()]
        for scope, label in scopes:
            cells: list[Cell | None] = []
            for action in ACTION_LABELS:
                if action not in entity.actions:
                    cells.append(None)
                    continue
                levels = [entity.preset_level(role.preset, action), grants.get((entity.key, action, ""), Level.NONE)]
                if scope:
                    levels.append(grants.get((entity.key, action, scope), Level.NONE))
                explicit = (entity.key, action, scope) in grants
                cells.append(Cell(entity.key, action, scope, Level(max(levels)), explicit))
            rows.append(Row(entity, label, scope, cells))
    return rows
