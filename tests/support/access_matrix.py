"""Check a full role × action matrix of the permission gate for one model, against seeded people.

Later areas reuse it: `assert_access_matrix(Deal, lambda owner: make_deal(responsible=owner))`.
The expected answers come from an oracle written independently of the gate: it walks the org the test
built and applies each level's definition by hand.
"""

from collections.abc import Callable

from django.db import models

from kontora.accounts import access
from kontora.accounts.models import Level, Role, RoleGrant, User
from tests.conftest import Org, build_org


def _parents(org: Org) -> dict[int, int | None]:
    return {org.board.pk: None, org.sales.pk: org.board.pk, org.kazan.pk: org.sales.pk, org.marketing.pk: org.board.pk}


def _departments_of(viewer: User, org: Org) -> set[int]:
    heads = {org.board.pk: org.director.pk, org.sales.pk: org.sales_head.pk}
    mine = {viewer.department_id} if viewer.department_id else set()
    return mine | {dept for dept, head in heads.items() if head == viewer.pk}


def _below(roots: set[int], org: Org) -> set[int]:
    parents = _parents(org)
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for dept, parent in parents.items():
            if parent in found and dept not in found:
                found.add(dept)
                changed = True
    return found


def expected_owners(viewer: User, level: Level, org: Org) -> set[int]:
    """Whose records `viewer` may reach at `level`, by the levels' definitions."""
    people = org.people()
    if level == Level.ALL:
        return {person.pk for person in people}
    if level == Level.NONE:
        return set()
    own = {viewer.pk}
    if level == Level.OWN:
        return own
    departments = _departments_of(viewer, org)
    if level == Level.SUBTREE:
        departments = _below(departments, org)
    return own | {person.pk for person in people if person.department_id in departments}


def _level_for(viewer: User, entity: access.EntityType, action: str) -> Level:
    if viewer.is_superuser:
        return Level.ALL
    levels = [entity.preset_level(role.preset, action) for role in viewer.roles.all()]
    levels += [
        grant.level
        for grant in RoleGrant.objects.filter(role__users=viewer, entity=entity.key, action=action, scope="")
    ]
    return Level(max(levels, default=Level.NONE))


def assert_access_matrix(
    model: type[models.Model], make: Callable[[User], models.Model], org: Org | None = None
) -> int:
    """Seed one record per person, then check visible() and can() for every person × action.

    Returns the number of checks made, so a caller can assert the matrix was not empty.
    """
    org = org or build_org()
    entity = access.entity_for(model)
    records = {person.pk: make(person) for person in org.people()}
    owner_of = {record.pk: owner for owner, record in records.items()}
    failures, checks = [], 0
    for viewer in org.people():
        viewer = User.objects.get(pk=viewer.pk)  # a fresh object: no cached access context
        for action in entity.actions:
            level = _level_for(viewer, entity, action)
            allowed = expected_owners(viewer, level, org)
            seen = {
                owner_of[pk]
                for pk in access.visible(viewer, model, action).filter(pk__in=owner_of).values_list("pk", flat=True)
            }
            checks += 1
            if seen != allowed:
                failures.append(
                    f"{viewer.username} {action} at {level.label}: visible {sorted(seen)} expected {sorted(allowed)}"
                )
            for owner, record in records.items():
                checks += 1
                direct_owner = entity.owner and "__" not in entity.owner
                candidate = model(**{entity.owner: User(pk=owner)}) if action == "add" and direct_owner else record
                if access.can(viewer, action, candidate) != (owner in allowed):
                    failures.append(f"{viewer.username} can({action}) on {owner}'s record is wrong")
    assert not failures, "access matrix leaks:\n" + "\n".join(failures)
    return checks


def custom_role(name: str, entity: str, levels: dict[str, Level]) -> Role:
    role = Role.objects.create(name=name, preset=Role.Preset.CUSTOM)
    for action, level in levels.items():
        RoleGrant.objects.create(role=role, entity=entity, action=action, level=level)
    return role
