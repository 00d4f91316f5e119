"""Robots and triggers on stages, naming pipelines by name, stages by code without "Cn:" and people by login."""

from typing import Any

from kontora.accounts.models import User
from kontora.automation import actions, services
from kontora.automation.models import Entity, Robot, Trigger
from kontora.configuration.sections import (
    Change,
    ConfigError,
    ConfigErrors,
    PlannedSection,
    Reader,
    at,
    canonical_json,
    differences,
)
from kontora.configuration.sections_crm import pipeline_by_name
from kontora.core.errors import Invalid
from kontora.crm.models import Category

ROBOT_KEYS = (
    "entity", "pipeline", "stage", "title", "action", "params", "condition", "delay", "after_previous", "sort",
    "active", "author",
)  # fmt: skip
TRIGGER_KEYS = ("entity", "pipeline", "stage", "kind", "params", "active")


class People:
    """Logins for ids on export and ids for logins on apply, read once."""

    def __init__(self) -> None:
        users = list(User.objects.values_list("pk", "username"))
        self.logins = dict(users)
        self.ids = {login: pk for pk, login in users}

    def login(self, value: Any) -> Any:
        return self.logins.get(int(value), value) if str(value).isdigit() else value

    def id(self, value: Any, reader_error) -> Any:
        if value in (None, "", "responsible") or isinstance(value, int):
            return value
        if value not in self.ids:
            reader_error(f"there is no user {value!r}")
            return value
        return self.ids[value]


def _param_types(action: str) -> dict[str, str]:
    try:
        return {name: kind for name, _label, kind in actions.get(action).params}
    except Invalid:  # an unknown action: the service says so when the robot is written
        return {}


def _prefix(category: Category | None) -> str:
    return category.stage_prefix if category is not None else ""


def _export_params(action: str, params: dict, category: Category | None, people: People) -> dict:
    """Users as logins, a stage of the robot's pipeline without its prefix."""
    types = _param_types(action)
    result = {}
    for name, value in params.items():
        kind = types.get(name)
        if kind == "user_or_record":
            value = people.login(value)
        elif kind == "users" and isinstance(value, list):
            value = [people.login(item) for item in value]
        elif kind == "stage" and isinstance(value, str) and _prefix(category) and value.startswith(_prefix(category)):
            value = value[len(_prefix(category)) :]
        result[name] = value
    return result


def _import_params(action: str, params: dict, category: Category | None, people: People, error) -> dict:
    types = _param_types(action)
    result = {}
    for name, value in params.items():
        kind = types.get(name)
        if kind == "user_or_record":
            value = people.id(value, lambda message, name=name: error(f"params.{name}", message))
        elif kind == "users" and isinstance(value, list):
            value = [people.id(item, lambda message, name=name: error(f"params.{name}", message)) for item in value]
        elif kind == "stage" and isinstance(value, str) and value:
            value = _prefix(category) + value
        result[name] = value
    return result


def _robot_row(robot: Robot, people: People) -> dict[str, Any]:
    category = robot.category
    return {
        "entity": robot.entity,
        "pipeline": category.name if category is not None else None,
        "stage": robot.stage[len(_prefix(category)) :] if robot.stage.startswith(_prefix(category)) else robot.stage,
        "title": robot.title,
        "action": robot.action,
        "params": _export_params(robot.action, robot.params or {}, category, people),
        "condition": robot.condition or {},
        "delay": robot.delay or {},
        "after_previous": robot.after_previous,
        "sort": robot.sort,
        "active": robot.active,
        "author": people.logins.get(robot.created_by_id),
    }


def _trigger_row(trigger: Trigger) -> dict[str, Any]:
    category = trigger.category
    prefix = _prefix(category)
    return {
        "entity": trigger.entity,
        "pipeline": category.name if category is not None else None,
        "stage": trigger.stage[len(prefix) :] if trigger.stage.startswith(prefix) else trigger.stage,
        "kind": trigger.kind,
        "params": trigger.params or {},
        "active": trigger.active,
    }


def _pipeline_order() -> dict[str | None, tuple]:
    order: dict[str | None, tuple] = {None: (-1, "")}
    order.update({category.name: (category.sort, category.name) for category in Category.objects.all()})
    return order


def _robot_order(row: dict[str, Any], pipelines: dict) -> tuple:
    place = pipelines.get(row["pipeline"], (10**9, row["pipeline"] or ""))
    return (row["entity"], place, row["stage"], row["sort"], row["title"], canonical_json(row))


def _keyed(rows: list[dict[str, Any]], base) -> dict[str, dict[str, Any]]:
    """Rows under readable keys; equal keys get " #2", " #3" in their order."""
    result: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = base(row)
        number = 1
        while (f"{key} #{number}" if number > 1 else key) in result:
            number += 1
        result[f"{key} #{number}" if number > 1 else key] = row
    return result


def _robot_key(row: dict[str, Any]) -> str:
    return f"robot {row['entity']} / {row['pipeline'] or '-'} / {row['stage']} / {row['title']}"


def _trigger_key(row: dict[str, Any]) -> str:
    params = canonical_json(row["params"]) if row["params"] else ""
    return f"trigger {row['entity']} / {row['pipeline'] or '-'} / {row['stage']} / {row['kind']} {params}".rstrip()


class AutomationSection(PlannedSection):
    """robots.yaml: robots (keyed by entity, pipeline, stage and title) and triggers (keyed by all but `active`)."""

    name = "automation.robots"
    file = "robots.yaml"
    files = (file,)
    order = 50

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        people, pipelines = People(), _pipeline_order()
        robots = [_robot_row(robot, people) for robot in Robot.objects.select_related("category")]
        triggers = [_trigger_row(trigger) for trigger in Trigger.objects.select_related("category")]
        return {
            "robots": sorted(robots, key=lambda row: _robot_order(row, pipelines)),
            "triggers": sorted(triggers, key=lambda row: _robot_order({**row, "sort": 0, "title": ""}, pipelines)),
        }

    def export(self) -> dict[str, Any]:
        return {self.file: self.rows()}

    def read(self, data: Any) -> dict[str, list[dict[str, Any]]]:
        reader = Reader(self.file)
        data = reader.mapping(data, "")
        reader.unknown(data, ("robots", "triggers"), "")
        robots = []
        for index, item in enumerate(reader.items(data.get("robots"), "robots")):
            key = f"robots[{index}]"
            reader.unknown(item, ROBOT_KEYS, key)
            row = self._place(reader, item, key)
            row["title"] = reader.text(item, "title", key).strip()
            row["action"] = reader.text(item, "action", key)
            for name in ("params", "condition", "delay"):
                row[name] = reader.mapping(item.get(name), f"{key}.{name}")
            row["after_previous"] = reader.flag(item, "after_previous", key, default=False)
            row["sort"] = reader.number(item, "sort", key, default=100)
            row["active"] = reader.flag(item, "active", key, default=True)
            author = item.get("author")
            if author is not None and not isinstance(author, str):
                reader.error(f"{key}.author", "expected a login")
            row["author"] = author
            robots.append(row)
        triggers = []
        for index, item in enumerate(reader.items(data.get("triggers"), "triggers")):
            key = f"triggers[{index}]"
            reader.unknown(item, TRIGGER_KEYS, key)
            row = self._place(reader, item, key)
            row["kind"] = reader.choice(item, "kind", key, Trigger.Kind.values)
            row["params"] = reader.mapping(item.get("params"), f"{key}.params")
            row["active"] = reader.flag(item, "active", key, default=True)
            triggers.append(row)
        reader.done()
        return {"robots": robots, "triggers": triggers}

    def _place(self, reader: Reader, item: dict, key: str) -> dict[str, Any]:
        entity = reader.choice(item, "entity", key, Entity.values, default=Entity.DEAL)
        pipeline = item.get("pipeline")
        if entity == Entity.DEAL and not isinstance(pipeline, str):
            reader.error(f"{key}.pipeline", "required: the pipeline's name")
        if entity == Entity.LEAD and pipeline is not None:
            reader.error(f"{key}.pipeline", "leads have no pipelines")
        return {"entity": entity, "pipeline": pipeline, "stage": reader.text(item, "stage", key)}

    def plan(self, data: dict[str, Any]) -> list[Change]:
        wanted = self.read(data[self.file])
        current = self.rows()
        people = People()
        self._check_references(wanted, people)
        changes = []
        old_robots, new_robots = _keyed(current["robots"], _robot_key), _keyed(wanted["robots"], _robot_key)
        robots = dict(zip(old_robots, self._robots_in_order(), strict=True))
        for key, row in new_robots.items():
            if key not in old_robots:
                changes.append(Change(self.name, "add", key, (f"action: {row['action']}",), run=self._add(row, key)))
            elif old_robots[key] != row:
                details = differences(old_robots[key], row)
                changed = {name for name in row if row[name] != old_robots[key][name]}
                run = self._update(robots[key], row, key, changed)
                changes.append(Change(self.name, "change", key, details, run=run))
        for key in old_robots:
            if key not in new_robots:
                changes.append(
                    Change(self.name, "remove", key, run=self._call(key, services.delete_robot, robots[key]))
                )
        changes.extend(self._trigger_changes(current["triggers"], wanted["triggers"]))
        return changes

    def _robots_in_order(self) -> list[Robot]:
        """Robots in the order `rows()` lists them, so that keys match objects."""
        people, pipelines = People(), _pipeline_order()
        robots = list(Robot.objects.select_related("category"))
        return sorted(robots, key=lambda robot: _robot_order(_robot_row(robot, people), pipelines))

    def _check_references(self, wanted: dict[str, list[dict[str, Any]]], people: People) -> None:
        errors = []
        for kind in ("robots", "triggers"):
            for index, row in enumerate(wanted[kind]):
                key = f"{kind}[{index}]"
                if row["pipeline"] is not None and pipeline_by_name(row["pipeline"]) is None:
                    errors.append(
                        ConfigError(self.file, f"{key}.pipeline", f"there is no pipeline {row['pipeline']!r}")
                    )
                if kind == "robots":
                    if row["author"] is not None and row["author"] not in people.ids:
                        errors.append(ConfigError(self.file, f"{key}.author", f"there is no user {row['author']!r}"))

                    def error(where: str, message: str, key: str = key) -> None:
                        errors.append(ConfigError(self.file, f"{key}.{where}", message))

                    _import_params(row["action"], row["params"], None, people, error)
        if errors:
            raise ConfigErrors(errors)

    def _call(self, key: str, function, *args, **kwargs):
        def run(by: Any) -> None:
            with at(self.file, key):
                function(*args, by=by, **kwargs)

        return run

    def _fields(self, row: dict[str, Any], category: Category | None, wanted: set[str] | None = None) -> dict[str, Any]:
        """The service's fields for a file row; only those in `wanted` when given (an update)."""
        params = _import_params(row["action"], row["params"], category, People(), lambda *args: None)
        fields = {name: row[name] for name in ("title", "action", "condition", "delay", "after_previous", "sort")}
        fields = {**fields, "params": params, "active": row["active"]}
        return {name: value for name, value in fields.items() if name in wanted} if wanted is not None else fields

    def _set_author(self, robot: Robot, login: str | None) -> None:
        """The author is whom the robot acts as; the service makes the applier the author, so it is set here."""
        author = User.objects.filter(username=login).first() if login else None
        if robot.created_by_id != (author.pk if author else None):
            Robot.objects.filter(pk=robot.pk).update(created_by=author)

    def _add(self, row: dict[str, Any], key: str):
        def run(by: Any) -> None:
            category = pipeline_by_name(row["pipeline"]) if row["pipeline"] is not None else None
            with at(self.file, key):
                fields = self._fields(row, category)
                if not fields["delay"]:
                    del fields["delay"]  # no delay is "now", which the service writes as it validates it
                robot = services.add_robot(
                    by=by, entity=row["entity"], category=category, stage=_prefix(category) + row["stage"], **fields,
                )  # fmt: skip
            self._set_author(robot, row["author"])

        return run

    def _update(self, robot: Robot, row: dict[str, Any], key: str, changed: set[str]):
        def run(by: Any) -> None:
            with at(self.file, key):
                fields = self._fields(row, robot.category, changed)
                if fields:
                    services.update_robot(robot, by=by, **fields)
            self._set_author(robot, row["author"])

        return run

    def _trigger_changes(self, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
        before = _keyed(old, _trigger_key)
        after = _keyed(new, _trigger_key)
        objects = dict(zip(before, self._triggers_in_order(), strict=True))
        changes = []
        for key, row in after.items():
            if key not in before:
                changes.append(Change(self.name, "add", key, run=self._add_trigger(row, key)))
            elif before[key]["active"] != row["active"]:
                details = differences(before[key], row)
                run = self._call(key, services.switch_trigger, objects[key], row["active"])
                changes.append(Change(self.name, "change", key, details, run=run))
        for key in before:
            if key not in after:
                changes.append(
                    Change(self.name, "remove", key, run=self._call(key, services.delete_trigger, objects[key]))
                )
        return changes

    def _triggers_in_order(self) -> list[Trigger]:
        pipelines = _pipeline_order()
        triggers = list(Trigger.objects.select_related("category"))
        return sorted(
            triggers, key=lambda trigger: _robot_order({**_trigger_row(trigger), "sort": 0, "title": ""}, pipelines)
        )

    def _add_trigger(self, row: dict[str, Any], key: str):
        def run(by: Any) -> None:
            category = pipeline_by_name(row["pipeline"]) if row["pipeline"] is not None else None
            with at(self.file, key):
                services.add_trigger(
                    by=by, entity=row["entity"], category=category, stage=_prefix(category) + row["stage"],
                    kind=row["kind"], params=row["params"], active=row["active"],
                )  # fmt: skip

        return run


SECTIONS = (AutomationSection(),)
