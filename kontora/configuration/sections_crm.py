"""CRM configuration: pipelines with their stages, dictionaries with loss reasons."""

import re
from typing import Any

from kontora.configuration.sections import (
    Change,
    ConfigError,
    ConfigErrors,
    PlannedSection,
    Reader,
    at,
    call,
    differences,
)
from kontora.crm import services
from kontora.crm.choices import Dictionary, Semantics
from kontora.crm.models import Category, Deal, LossReason, Status
from kontora.crm.services import dictionaries, pipelines_extra
from kontora.crm.services.dictionaries import PLAIN
from kontora.events import history

SEMANTICS = {Semantics.PROCESS: "process", Semantics.SUCCESS: "success", Semantics.FAILURE: "failure"}
SEMANTICS_CODES = {name: code for code, name in SEMANTICS.items()}
CODE = re.compile(r"^[A-Z0-9_]{1,40}$")
COLOR = re.compile(r"^(#[0-9A-Fa-f]{6})?$")


def stage_code(status: Status, category: Category | None) -> str:
    """A stage's code without its pipeline's "Cn:" prefix, the same in every installation."""
    prefix = category.stage_prefix if category is not None else ""
    return status.status_id[len(prefix) :] if prefix and status.status_id.startswith(prefix) else status.status_id


def pipeline_by_name(name: str) -> Category | None:
    return Category.objects.filter(name=name).order_by("id").first()


# Pipelines ------------------------------------------------------------------------------------------------------


def _stage_row(stage: Status, category: Category) -> dict[str, Any]:
    return {
        "code": stage_code(stage, category),
        "name": stage.name,
        "sort": stage.sort,
        "color": stage.color,
        "semantics": SEMANTICS[stage.semantics],
    }


def _stages_of(category: Category) -> list[Status]:
    return list(Status.objects.filter(entity_id=category.stage_entity).order_by("sort", "status_id"))


class PipelinesSection(PlannedSection):
    """pipelines.yaml: deal pipelines by name (the default one marked), each with its stages by code."""

    name = "crm.pipelines"
    file = "pipelines.yaml"
    files = (file,)
    order = 10

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for category in Category.objects.order_by("sort", "name", "id"):
            row: dict[str, Any] = {"name": category.name}
            if category.pk == 0:
                row["default"] = True
            row["sort"] = category.sort
            row["stages"] = [_stage_row(stage, category) for stage in _stages_of(category)]
            rows.append(row)
        return rows

    def export(self) -> dict[str, Any]:
        return {self.file: {"pipelines": self.rows()}}

    def read(self, data: Any) -> list[dict[str, Any]]:
        reader = Reader(self.file)
        rows, names = [], set()
        pipelines = reader.items(reader.mapping(data, "").get("pipelines"), "pipelines")
        for index, item in enumerate(pipelines):
            key = f"pipelines[{index}]"
            reader.unknown(item, ("name", "default", "sort", "stages"), key)
            row = {"name": reader.text(item, "name", key).strip()}
            reader.duplicate(names, row["name"], f"{key}.name", "pipeline")
            if reader.flag(item, "default", key, default=False):
                row["default"] = True
            row["sort"] = reader.number(item, "sort", key, default=100)
            row["stages"] = self._read_stages(reader, item.get("stages"), f"{key}.stages")
            rows.append(row)
        if sum(1 for row in rows if row.get("default")) != 1:
            reader.error("pipelines", "exactly one pipeline must be marked default: true")
        reader.done()
        return rows

    def _read_stages(self, reader: Reader, value: Any, key: str) -> list[dict[str, Any]]:
        stages, codes = [], set()
        for index, item in enumerate(reader.items(value, key)):
            where = f"{key}[{index}]"
            reader.unknown(item, ("code", "name", "sort", "color", "semantics"), where)
            stage = read_entry(reader, item, where, with_semantics=True)
            reader.duplicate(codes, stage["code"], f"{where}.code", "stage code")
            stages.append(stage)
        if sum(1 for stage in stages if stage["semantics"] == "success") != 1:
            reader.error(key, "a pipeline has exactly one stage with semantics: success")
        return stages

    def plan(self, data: dict[str, Any]) -> list[Change]:
        wanted = {_pipeline_key(row): row for row in self.read(data[self.file])}
        current = {_pipeline_key(row): row for row in self.rows()}
        changes = []
        for key, row in wanted.items():
            if key not in current:
                changes.append(self._add(row))
                continue
            old = current[key]
            category = Category.objects.get(pk=0) if row.get("default") else pipeline_by_name(old["name"])
            details = differences(old, row, skip=("stages",))
            if details:
                changes.append(
                    Change(self.name, "change", f"pipeline {old['name']}", details, run=_update_pipeline(category, row))
                )
            changes.extend(self._stage_changes(category, old["stages"], row["stages"], row["name"]))
        for key, old in current.items():
            if key not in wanted:
                category = pipeline_by_name(old["name"])
                changes.append(
                    Change(
                        self.name,
                        "remove",
                        f"pipeline {old['name']}",
                        run=lambda by, category=category: call(
                            self.file, f"pipeline {category.name}", dictionaries.delete_category, category, by=by
                        ),
                    )
                )
        return changes

    def _add(self, row: dict[str, Any]) -> Change:
        def run(by: Any) -> None:
            with at(self.file, f"pipeline {row['name']}"):
                category = services.create_category(by=by, name=row["name"], sort=row["sort"])
            current = [_stage_row(stage, category) for stage in _stages_of(category)]
            for change in self._stage_changes(category, current, row["stages"], row["name"]):
                change.run(by)

        stages = ", ".join(stage["code"] for stage in row["stages"])
        return Change(self.name, "add", f"pipeline {row['name']}", (f"stages: {stages}",), run=run)

    def _stage_changes(self, category: Category, old: list[dict], new: list[dict], pipeline: str) -> list[Change]:
        before = {stage["code"]: stage for stage in old}
        after = {stage["code"]: stage for stage in new}
        changes = []
        for code, stage in after.items():
            key = f"pipeline {pipeline} / stage {code}"
            if code not in before:
                changes.append(
                    Change(
                        self.name,
                        "add",
                        key,
                        (f"name: {stage['name']!r}",),
                        run=_add_entry(self.file, key, category.stage_entity, stage),
                    )
                )
            elif before[code] != stage:
                if before[code]["semantics"] != stage["semantics"]:
                    raise ConfigErrors([ConfigError(self.file, f"{key}.semantics", _SEMANTICS_FIXED)])
                entry = Status.objects.get(entity_id=category.stage_entity, status_id=category.stage_prefix + code)
                changes.append(
                    Change(
                        self.name,
                        "change",
                        key,
                        differences(before[code], stage),
                        run=_update_entry(self.file, key, entry, stage),
                    )
                )
        for code in before:
            if code not in after:
                key = f"pipeline {pipeline} / stage {code}"
                entry = Status.objects.get(entity_id=category.stage_entity, status_id=category.stage_prefix + code)
                changes.append(Change(self.name, "remove", key, run=_delete_entry(self.file, key, entry)))
        return changes


_SEMANTICS_FIXED = "the semantics of an existing entry cannot change: give the entry a new code"


def _pipeline_key(row: dict[str, Any]) -> tuple[bool, str]:
    return (True, "") if row.get("default") else (False, row["name"])


def _update_pipeline(category: Category, row: dict[str, Any]):
    def run(by: Any) -> None:
        call(
            PipelinesSection.file,
            f"pipeline {row['name']}",
            dictionaries.update_category,
            category,
            by=by,
            name=row["name"],
            sort=row["sort"],
        )

    return run


def read_entry(reader: Reader, item: dict, key: str, *, with_semantics: bool) -> dict[str, Any]:
    """One dictionary entry or stage: code, name, sort, colour and (stages, lead statuses) semantics."""
    entry = {"code": reader.text(item, "code", key), "name": reader.text(item, "name", key).strip()}
    if not CODE.match(entry["code"]):
        reader.error(f"{key}.code", "use capital Latin letters, digits and underscores (at most 40)")
    if not entry["name"]:
        reader.error(f"{key}.name", "required text")
    entry["sort"] = reader.number(item, "sort", key, default=100)
    color = reader.text(item, "color", key, default="")
    if not COLOR.match(color):
        reader.error(f"{key}.color", "expected a colour like '#39A8EF'")
    if with_semantics:
        entry["color"] = color
        entry["semantics"] = reader.choice(item, "semantics", key, SEMANTICS_CODES, default="process")
    elif color:
        entry["color"] = color
    return entry


def _add_entry(file: str, key: str, entity_id: str, entry: dict[str, Any]):
    def run(by: Any) -> None:
        semantics = SEMANTICS_CODES[entry.get("semantics", "process")]
        call(
            file,
            key,
            dictionaries.create_entry,
            by=by,
            entity_id=entity_id,
            name=entry["name"],
            status_id=entry["code"],
            sort=entry["sort"],
            color=entry.get("color", ""),
            semantics=semantics,
        )

    return run


def _update_entry(file: str, key: str, status: Status, entry: dict[str, Any]):
    def run(by: Any) -> None:
        call(
            file,
            key,
            dictionaries.update_entry,
            status,
            by=by,
            name=entry["name"],
            sort=entry["sort"],
            color=entry.get("color", ""),
        )

    return run


def _delete_entry(file: str, key: str, status: Status):
    def run(by: Any) -> None:
        call(file, key, dictionaries.delete_entry, status, by=by)

    return run


# Dictionaries and loss reasons ----------------------------------------------------------------------------------

DICTIONARIES = tuple(sorted([*PLAIN, Dictionary.LEAD_STATUS]))


class DictionariesSection(PlannedSection):
    """dictionaries.yaml: crm.status dictionaries other than stages (lead statuses, sources…) and loss reasons.

    A dictionary missing from the file is left as it is; one present is made to match entry by entry (by code).
    """

    name = "crm.dictionaries"
    file = "dictionaries.yaml"
    files = (file,)
    order = 20

    def rows(self) -> dict[str, Any]:
        dictionaries = {}
        for entity_id in DICTIONARIES:
            staged = entity_id == Dictionary.LEAD_STATUS
            dictionaries[str(entity_id)] = [
                _entry_row(entry, staged)
                for entry in Status.objects.filter(entity_id=entity_id).order_by("sort", "status_id")
            ]
        reasons = [
            {"name": reason.name, "sort": reason.sort, "active": reason.active}
            for reason in LossReason.objects.order_by("sort", "name")
        ]
        return {"dictionaries": dictionaries, "loss_reasons": reasons}

    def export(self) -> dict[str, Any]:
        return {self.file: self.rows()}

    def read(self, data: Any) -> dict[str, Any]:
        reader = Reader(self.file)
        data = reader.mapping(data, "")
        reader.unknown(data, ("dictionaries", "loss_reasons"), "")
        dictionaries = {}
        for entity_id, value in reader.mapping(data.get("dictionaries"), "dictionaries").items():
            key = f"dictionaries.{entity_id}"
            if entity_id not in DICTIONARIES:
                reader.error(key, f"unknown dictionary; expected one of: {', '.join(DICTIONARIES)}")
                continue
            entries, codes = [], set()
            for index, item in enumerate(reader.items(value, key)):
                where = f"{key}[{index}]"
                staged = entity_id == Dictionary.LEAD_STATUS
                reader.unknown(
                    item,
                    ("code", "name", "sort", "color", "semantics") if staged else ("code", "name", "sort", "color"),
                    where,
                )
                entry = read_entry(reader, item, where, with_semantics=staged)
                reader.duplicate(codes, entry["code"], f"{where}.code", "code")
                entries.append(entry)
            dictionaries[entity_id] = entries
        reasons, names = None, set()
        if "loss_reasons" in data:
            reasons = []
            for index, item in enumerate(reader.items(data["loss_reasons"], "loss_reasons")):
                where = f"loss_reasons[{index}]"
                reader.unknown(item, ("name", "sort", "active"), where)
                reason = {
                    "name": reader.text(item, "name", where).strip(),
                    "sort": reader.number(item, "sort", where, default=100),
                    "active": reader.flag(item, "active", where, default=True),
                }
                reader.duplicate(names, reason["name"], f"{where}.name", "loss reason")
                reasons.append(reason)
        reader.done()
        return {"dictionaries": dictionaries, "loss_reasons": reasons}

    def plan(self, data: dict[str, Any]) -> list[Change]:
        wanted = self.read(data[self.file])
        current = self.rows()
        changes = []
        for entity_id, entries in wanted["dictionaries"].items():
            before = {entry["code"]: entry for entry in current["dictionaries"][entity_id]}
            after = {entry["code"]: entry for entry in entries}
            for code, entry in after.items():
                key = f"{entity_id} / {code}"
                if code not in before:
                    changes.append(
                        Change(
                            self.name,
                            "add",
                            key,
                            (f"name: {entry['name']!r}",),
                            run=_add_entry(self.file, key, entity_id, entry),
                        )
                    )
                elif before[code] != entry:
                    if before[code].get("semantics") != entry.get("semantics"):
                        raise ConfigErrors([ConfigError(self.file, f"{key}.semantics", _SEMANTICS_FIXED)])
                    status = Status.objects.get(entity_id=entity_id, status_id=code)
                    changes.append(
                        Change(
                            self.name,
                            "change",
                            key,
                            differences(before[code], entry),
                            run=_update_entry(self.file, key, status, entry),
                        )
                    )
            for code in before:
                if code not in after:
                    key = f"{entity_id} / {code}"
                    status = Status.objects.get(entity_id=entity_id, status_id=code)
                    changes.append(Change(self.name, "remove", key, run=_delete_entry(self.file, key, status)))
        if wanted["loss_reasons"] is not None:
            changes.extend(self._reason_changes(current["loss_reasons"], wanted["loss_reasons"]))
        return changes

    def _reason_changes(self, old: list[dict], new: list[dict]) -> list[Change]:
        before = {reason["name"]: reason for reason in old}
        after = {reason["name"]: reason for reason in new}
        changes = []
        for name, reason in after.items():
            key = f"loss reason {name}"
            if name not in before:
                changes.append(Change(self.name, "add", key, run=_add_reason(self.file, key, reason)))
            elif before[name] != reason:
                changes.append(
                    Change(
                        self.name,
                        "change",
                        key,
                        differences(before[name], reason),
                        run=_update_reason(self.file, key, reason),
                    )
                )
        for name in before:
            if name not in after:
                key = f"loss reason {name}"
                changes.append(Change(self.name, "remove", key, run=_delete_reason(self.file, key, name)))
        return changes


def _entry_row(entry: Status, staged: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"code": entry.status_id, "name": entry.name, "sort": entry.sort}
    if staged:
        row.update(color=entry.color, semantics=SEMANTICS[entry.semantics])
    elif entry.color:
        row["color"] = entry.color
    return row


def _set_reason(reason: LossReason, wanted: dict[str, Any], by: Any) -> None:
    """Loss reasons have no service for their order: it is written here, with its history."""
    if reason.active != wanted["active"]:
        pipelines_extra.update_loss_reason(reason, by=by, active=wanted["active"])
    if reason.sort != wanted["sort"]:
        history.record(reason, by=by, action="update", changes={"sort": [reason.sort, wanted["sort"]]})
        LossReason.objects.filter(pk=reason.pk).update(sort=wanted["sort"])


def _add_reason(file: str, key: str, wanted: dict[str, Any]):
    def run(by: Any) -> None:
        with at(file, key):
            _set_reason(pipelines_extra.create_loss_reason(by=by, name=wanted["name"]), wanted, by)

    return run


def _update_reason(file: str, key: str, wanted: dict[str, Any]):
    def run(by: Any) -> None:
        with at(file, key):
            _set_reason(LossReason.objects.get(name=wanted["name"]), wanted, by)

    return run


def _delete_reason(file: str, key: str, name: str):
    """There is no service to delete a loss reason: one no deal names is deleted here, with its history."""

    def run(by: Any) -> None:
        reason = LossReason.objects.get(name=name)
        if Deal.all_objects.filter(loss_reason=reason).exists():
            message = "deals were lost for this reason: keep it with active: false instead"
            raise ConfigErrors([ConfigError(file, key, message)])
        history.record(reason, by=by, action="delete", changes={"name": [reason.name, None]})
        reason.delete()

    return run


SECTIONS = (PipelinesSection(), DictionariesSection())
