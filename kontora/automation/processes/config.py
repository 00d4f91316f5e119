"""Configuration as code for processes: `processes.yaml` lists the templates, `processes/<code>.bpmn` their diagrams."""

from typing import Any

from kontora.accounts.models import User
from kontora.automation.processes import services
from kontora.automation.processes.models import DocumentType, ProcessTemplate
from kontora.configuration.sections import Change, PlannedSection, Reader, call, differences

KEYS = (
    "code", "name", "description", "document_type", "list", "start_manually", "start_on_create", "start_on_change",
    "start_condition", "parameters", "active", "author", "diagram",
)  # fmt: skip
FLAGS = ("start_manually", "start_on_create", "start_on_change", "active")


def _row(template: ProcessTemplate, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "code": template.code, "name": template.name, "description": template.description,
        "document_type": template.document_type, "list": template.list_code or None,
        **{flag: getattr(template, flag) for flag in FLAGS},
        "start_condition": template.start_condition or {}, "parameters": template.parameters or [],
        "author": logins.get(template.created_by_id), "diagram": f"processes/{template.code}.bpmn",
    }  # fmt: skip


class ProcessesSection(PlannedSection):
    """processes.yaml lists the templates; the diagrams are plain BPMN files any modeler opens."""

    name = "processes"
    file = "processes.yaml"
    files = (file, "processes/*.bpmn")
    order = 60

    def export(self) -> dict[str, Any]:
        logins = dict(User.objects.values_list("pk", "username"))
        templates = list(ProcessTemplate.objects.order_by("code"))
        files: dict[str, Any] = {self.file: {"processes": [_row(template, logins) for template in templates]}}
        for template in templates:
            files[f"processes/{template.code}.bpmn"] = template.bpmn
        return files

    def read(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        reader = Reader(self.file)
        root = reader.mapping(data.get(self.file), "")
        reader.unknown(root, ("processes",), "")
        rows, seen = [], set()
        for index, item in enumerate(reader.items(root.get("processes"), "processes")):
            key = f"processes[{index}]"
            reader.unknown(item, KEYS, key)
            row = {
                "code": reader.text(item, "code", key), "name": reader.text(item, "name", key),
                "description": reader.text(item, "description", key, default=""),
                "document_type": reader.choice(item, "document_type", key, DocumentType.values),
                "list": item.get("list"), "start_condition": reader.mapping(item.get("start_condition"), key),
                "parameters": item.get("parameters") or [], "author": item.get("author"),
                "diagram": reader.text(item, "diagram", key),
                **{flag: reader.flag(item, flag, key, default=flag != "start_on_create" and flag != "start_on_change")
                   for flag in FLAGS},
            }  # fmt: skip
            reader.duplicate(seen, row["code"], f"{key}.code", "process code")
            if row["diagram"] and row["diagram"] not in data:
                reader.error(f"{key}.diagram", f"the file {row['diagram']!r} is missing")
            rows.append(row)
        reader.done()
        return rows

    def plan(self, data: dict[str, Any]) -> list[Change]:
        wanted = self.read(data)
        logins = dict(User.objects.values_list("pk", "username"))
        current = {template.code: template for template in ProcessTemplate.objects.all()}
        changes = []
        for index, row in enumerate(wanted):
            bpmn = data.get(row["diagram"], "")
            key = f"processes[{index}]"
            template = current.get(row["code"])
            if template is None:
                changes.append(Change(self.name, "add", row["code"], (row["name"],), run=self._add(row, bpmn, key)))
                continue
            old = _row(template, logins)
            details = differences(old, row) + (("diagram: changed",) if template.bpmn != bpmn else ())
            if details:
                changes.append(
                    Change(self.name, "change", row["code"], details, run=self._update(template, row, bpmn, key))
                )
        codes = {row["code"] for row in wanted}
        for code, template in current.items():
            if code not in codes:
                changes.append(
                    Change(self.name, "remove", code, run=lambda by, t=template, c=code: call(
                        self.file, c, services.delete_template, t, by=by))
                )  # fmt: skip
        return changes

    @staticmethod
    def _fields(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": row["name"], "description": row["description"], "document_type": row["document_type"],
            "list_code": row["list"] or "", "start_condition": row["start_condition"],
            "parameters": row["parameters"], **{flag: row[flag] for flag in FLAGS},
        }  # fmt: skip

    def _author(self, template: ProcessTemplate, login: str | None) -> None:
        author = User.objects.filter(username=login).first() if login else None
        if author is not None and author.pk != template.created_by_id:
            ProcessTemplate.objects.filter(pk=template.pk).update(created_by=author)

    def _add(self, row: dict[str, Any], bpmn: str, key: str):
        def run(by) -> None:
            template = call(
                self.file, key, services.create_template, by=by, bpmn=bpmn, code=row["code"], **self._fields(row)
            )
            self._author(template, row["author"])

        return run

    def _update(self, template: ProcessTemplate, row: dict[str, Any], bpmn: str, key: str):
        def run(by) -> None:
            call(self.file, key, services.update_template, template, by=by, bpmn=bpmn, **self._fields(row))
            self._author(template, row["author"])

        return run
