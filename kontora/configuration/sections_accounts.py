"""Roles and their grants; a deal grant for one pipeline names the pipeline, not its id. People stay out."""

import re
from typing import Any

from kontora.accounts import roles as role_services
from kontora.accounts.models import Level, Role
from kontora.configuration.sections import Change, ConfigError, ConfigErrors, PlannedSection, Reader, at, differences
from kontora.core.registry import registry

LEVELS = {level: level.name.lower() for level in Level}
LEVEL_CODES = {name: level for level, name in LEVELS.items()}
PIPELINE_SCOPE = re.compile(r"^category:(\d+)$")
BUILTIN = tuple(Role.BUILTIN_NAMES)


def _pipelines() -> dict[int, str]:
    return {pipeline.pk: pipeline.name for pipeline in role_services.pipelines()}


def _grant_row(grant, pipelines: dict[int, str]) -> dict[str, Any]:
    row: dict[str, Any] = {"entity": grant.entity, "action": grant.action}
    match = PIPELINE_SCOPE.match(grant.scope)
    if match and int(match[1]) in pipelines:
        row["pipeline"] = pipelines[int(match[1])]
    elif grant.scope:
        row["scope"] = grant.scope
    row["level"] = LEVELS[Level(grant.level)]
    return row


def _role_key(row: dict[str, Any]) -> str:
    return f"role {row['preset']}" if "preset" in row else f"role {row['name']}"


def _grant_key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return (row["entity"], row["action"], row.get("pipeline", ""), row.get("scope", ""))


def _show(key: tuple[str, str, str, str]) -> str:
    return ".".join(part for part in key if part)


class RolesSection(PlannedSection):
    """roles.yaml: the built-in roles (by preset) and custom ones (by name), each with its explicit grants."""

    name = "accounts.roles"
    file = "roles.yaml"
    files = (file,)
    order = 30

    def rows(self) -> list[dict[str, Any]]:
        pipelines = _pipelines()
        existing = {
            role.preset if role.preset != Role.Preset.CUSTOM else role.name: role for role in Role.objects.all()
        }
        custom = sorted(role.name for role in existing.values() if role.preset == Role.Preset.CUSTOM)
        rows = []
        for key in (*BUILTIN, *custom):
            role = existing.get(key)
            row: dict[str, Any] = {"preset": key} if key in BUILTIN else {"name": key}
            grants = [_grant_row(grant, pipelines) for grant in role.grants.all()] if role else []
            row["grants"] = sorted(grants, key=_grant_key)
            rows.append(row)
        return rows

    def export(self) -> dict[str, Any]:
        return {self.file: {"roles": self.rows()}}

    def read(self, data: Any) -> list[dict[str, Any]]:
        reader = Reader(self.file)
        entities = registry.items("entities")
        rows, seen = [], set()
        for index, item in enumerate(reader.items(reader.mapping(data, "").get("roles"), "roles")):
            key = f"roles[{index}]"
            reader.unknown(item, ("name", "preset", "grants"), key)
            if "preset" in item:
                row = {"preset": reader.choice(item, "preset", key, BUILTIN)}
            else:
                row = {"name": reader.text(item, "name", key).strip()}
            reader.duplicate(seen, _role_key(row), key, "role")
            grants, cells = [], set()
            for number, value in enumerate(reader.items(item.get("grants"), f"{key}.grants")):
                where = f"{key}.grants[{number}]"
                reader.unknown(value, ("entity", "action", "pipeline", "scope", "level"), where)
                grant = {"entity": reader.choice(value, "entity", where, sorted(entities))}
                actions = entities[grant["entity"]].actions if grant["entity"] else ()
                grant["action"] = reader.choice(value, "action", where, actions)
                for name in ("pipeline", "scope"):
                    if name in value:
                        grant[name] = reader.text(value, name, where)
                grant["level"] = reader.choice(value, "level", where, LEVEL_CODES)
                reader.duplicate(cells, _grant_key(grant), where, "grant")
                grants.append(grant)
            row["grants"] = sorted(grants, key=_grant_key)
            rows.append(row)
        reader.done()
        return rows

    def plan(self, data: dict[str, Any]) -> list[Change]:
        wanted = {_role_key(row): row for row in self.read(data[self.file])}
        current = {_role_key(row): row for row in self.rows()}
        changes = []
        for key, row in wanted.items():
            old = current.get(key)
            if old is None:
                changes.append(Change(self.name, "add", key, _grant_details([], row["grants"]), run=self._sync(row)))
            elif old["grants"] != row["grants"]:
                details = _grant_details(old["grants"], row["grants"])
                changes.append(Change(self.name, "change", key, details, run=self._sync(row)))
        for key, old in current.items():
            if key not in wanted and "name" in old:
                changes.append(Change(self.name, "remove", key, run=self._delete(old["name"], key)))
        return changes

    def _sync(self, row: dict[str, Any]):
        key = _role_key(row)

        def run(by: Any) -> None:
            with at(self.file, key):
                if "preset" in row:
                    role = Role.objects.builtin(row["preset"])
                else:
                    role = Role.objects.filter(name=row["name"]).first() or role_services.create_role(
                        by=by, name=row["name"]
                    )
                levels = self._levels(role, row["grants"], key)
                role_services.set_grants(role, by=by, levels=levels)

        return run

    def _levels(self, role: Role, grants: list[dict[str, Any]], key: str) -> dict[tuple[str, str, str], int]:
        """Wanted levels for every cell the role or the file names; cells the file drops go back to the baseline."""
        by_name = {name: pk for pk, name in _pipelines().items()}
        levels = {}
        for grant in grants:
            scope = grant.get("scope", "")
            if "pipeline" in grant:
                if grant["pipeline"] not in by_name:
                    message = f"there is no pipeline {grant['pipeline']!r}"
                    raise ConfigErrors([ConfigError(self.file, f"{key}.{_show(_grant_key(grant))}", message)])
                scope = f"category:{by_name[grant['pipeline']]}"
            levels[(grant["entity"], grant["action"], scope)] = LEVEL_CODES[grant["level"]]
        entities = registry.items("entities")
        for grant in role.grants.all():
            cell = (grant.entity, grant.action, grant.scope)
            if cell not in levels and grant.entity in entities:
                level = entities[grant.entity].preset_level(role.preset, grant.action)
                if grant.scope:
                    level = max(level, levels.get((grant.entity, grant.action, ""), level))
                levels[cell] = level
        return levels

    def _delete(self, name: str, key: str):
        def run(by: Any) -> None:
            with at(self.file, key):
                role_services.delete_role(Role.objects.get(name=name), by=by)

        return run


def _grant_details(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[str, ...]:
    before = {_show(_grant_key(grant)): grant["level"] for grant in old}
    after = {_show(_grant_key(grant)): grant["level"] for grant in new}
    return differences(before, after)


SECTIONS = (RolesSection(),)
