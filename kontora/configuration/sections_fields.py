"""CRM custom fields (UF_CRM_*) per entity, by code."""

from typing import Any

from kontora.configuration.sections import Change, ConfigError, ConfigErrors, PlannedSection, Reader, call, differences
from kontora.crm.choices import EntityType
from kontora.crm.models import FieldDefinition
from kontora.crm.services import fields as field_services

ENTITIES = {entity.name.lower(): entity for entity in EntityType}
FIELD_KEYS = ("code", "kind", "label_ru", "label_en", "required", "multiple", "sort", "options", "link_to")


def _field_row(item: FieldDefinition) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": item.code,
        "kind": item.kind,
        "label_ru": item.label_ru,
        "label_en": item.label_en,
        "required": item.required,
        "multiple": item.multiple,
        "sort": item.sort,
    }
    if item.kind == FieldDefinition.Kind.LIST:
        row["options"] = [{"id": str(option["ID"]), "value": option["VALUE"]} for option in item.options]
    elif item.kind == FieldDefinition.Kind.LINK:
        row["link_to"] = next(iter(item.options or []), "")
    return row


class FieldsSection(PlannedSection):
    """fields.yaml: custom fields (UF_CRM_*) per entity, by code; list options keep their ids (records store them)."""

    name = "crm.fields"
    file = "fields.yaml"
    files = (file,)
    order = 25

    def rows(self) -> dict[str, Any]:
        fields = {}
        for name, entity in ENTITIES.items():
            items = FieldDefinition.objects.filter(entity_type=entity).order_by("sort", "code")
            fields[name] = [_field_row(item) for item in items]
        return {"fields": fields}

    def export(self) -> dict[str, Any]:
        return {self.file: self.rows()}

    def read(self, data: Any) -> dict[str, list[dict[str, Any]]]:
        reader = Reader(self.file)
        result = {}
        for entity, value in reader.mapping(reader.mapping(data, "").get("fields"), "fields").items():
            key = f"fields.{entity}"
            if entity not in ENTITIES:
                reader.error(key, f"unknown entity; expected one of: {', '.join(ENTITIES)}")
                continue
            rows, codes = [], set()
            for index, item in enumerate(reader.items(value, key)):
                where = f"{key}[{index}]"
                reader.unknown(item, FIELD_KEYS, where)
                row = {
                    "code": reader.text(item, "code", where),
                    "kind": reader.choice(item, "kind", where, FieldDefinition.Kind.values),
                    "label_ru": reader.text(item, "label_ru", where),
                    "label_en": reader.text(item, "label_en", where, default=""),
                    "required": reader.flag(item, "required", where, default=False),
                    "multiple": reader.flag(item, "multiple", where, default=False),
                    "sort": reader.number(item, "sort", where, default=100),
                }
                reader.duplicate(codes, row["code"], f"{where}.code", "field code")
                if row["kind"] == FieldDefinition.Kind.LIST:
                    options = reader.items(item.get("options"), f"{where}.options")
                    row["options"] = [
                        {
                            "id": reader.text(option, "id", f"{where}.options[{n}]"),
                            "value": reader.text(option, "value", f"{where}.options[{n}]"),
                        }
                        for n, option in enumerate(options)
                    ]
                elif row["kind"] == FieldDefinition.Kind.LINK:
                    row["link_to"] = reader.text(item, "link_to", where)
                rows.append(row)
            result[entity] = rows
        reader.done()
        return result

    def plan(self, data: dict[str, Any]) -> list[Change]:
        wanted = self.read(data[self.file])
        current = self.rows()["fields"]
        changes = []
        for entity, rows in wanted.items():
            before = {row["code"]: row for row in current[entity]}
            after = {row["code"]: row for row in rows}
            for code, row in after.items():
                key = f"{entity} / {code}"
                if code not in before:
                    changes.append(
                        Change(
                            self.name,
                            "add",
                            key,
                            (f"kind: {row['kind']}",),
                            run=_add_field(self.file, key, ENTITIES[entity], row),
                        )
                    )
                elif before[code] != row:
                    if before[code]["kind"] != row["kind"]:
                        message = "a field's type cannot change: give the field a new code"
                        raise ConfigErrors([ConfigError(self.file, f"{key}.kind", message)])
                    item = FieldDefinition.objects.get(entity_type=ENTITIES[entity], code=code)
                    changes.append(
                        Change(
                            self.name,
                            "change",
                            key,
                            differences(before[code], row),
                            run=_update_field(self.file, key, item, row),
                        )
                    )
            for code in before:
                if code not in after:
                    key = f"{entity} / {code}"
                    item = FieldDefinition.objects.get(entity_type=ENTITIES[entity], code=code)
                    changes.append(
                        Change(
                            self.name,
                            "remove",
                            key,
                            run=lambda by, item=item, key=key: call(
                                self.file, key, field_services.delete_field, item, by=by
                            ),
                        )
                    )
        return changes


def _options(row: dict[str, Any]) -> list[dict[str, str]]:
    return [{"ID": option["id"], "VALUE": option["value"]} for option in row.get("options", [])]


def _add_field(file: str, key: str, entity: EntityType, row: dict[str, Any]):
    def run(by: Any) -> None:
        call(
            file,
            key,
            field_services.create_field,
            by=by,
            entity_type=entity,
            kind=row["kind"],
            code=row["code"],
            label_ru=row["label_ru"],
            label_en=row["label_en"],
            required=row["required"],
            multiple=row["multiple"],
            sort=row["sort"],
            options=_options(row),
            link_to=row.get("link_to", ""),
        )

    return run


def _update_field(file: str, key: str, item: FieldDefinition, row: dict[str, Any]):
    def run(by: Any) -> None:
        changes = {name: row[name] for name in ("label_ru", "label_en", "required", "multiple", "sort")}
        if "options" in row:
            changes["options"] = _options(row)
        if "link_to" in row:
            changes["link_to"] = row["link_to"]
        call(file, key, field_services.update_field, item, by=by, **changes)

    return run


SECTIONS = (FieldsSection(),)
