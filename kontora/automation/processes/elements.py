"""Reading a BPMN file: validating it with SpiffWorkflow's parser and collecting what Kontora needs beside the engine.

Per user (or manual) task: its kind, who does it, how a group votes, its deadline and the fields it asks. Written as
SpiffWorkflow extension properties (`<spiffworkflow:property name="assignee" value="head"/>`), which Kontora's
designer writes, or as Camunda's attributes (`camunda:assignee`, `camunda:candidateUsers`), so diagrams drawn in
Camunda Modeler keep their assignees. Assignee rules: `starter`, `responsible`, `head`, `head_of_head`,
`user:<login>`, `users:<login>,<login>`. Fields: `code:type` pairs separated by commas (types: text, number,
date, bool).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from kontora.automation.processes import expressions
from kontora.core.errors import Invalid

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
KINDS = ("approve", "acknowledge", "fill")
VOTING = ("any", "all", "majority")
FIELD_TYPES = ("text", "number", "date", "bool")
RULES = ("starter", "responsible", "head", "head_of_head")


@dataclass(frozen=True)
class Diagram:
    process_id: str
    name: str
    elements: dict[str, dict[str, Any]]


def _fail(message: str) -> Invalid:
    return Invalid("BAD_BPMN", "bpmn", message)


def parser_for(bpmn: str) -> SpiffBpmnParser:
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_str(bpmn.encode() if isinstance(bpmn, str) else bpmn)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise _fail(gettext("The file is not a BPMN 2.0 diagram: %(error)s") % {"error": error}) from error
    except ValidationException as error:
        raise _fail(gettext("The diagram is not valid BPMN: %(error)s") % {"error": error}) from error
    return parser


def read(bpmn: str) -> Diagram:
    """Validate the diagram (parsed and built by SpiffWorkflow) and read its tasks' settings; `Invalid` if wrong."""
    parser = parser_for(bpmn)
    executable = parser.get_process_ids()
    if not executable:
        raise _fail(gettext("The diagram has no executable process."))
    process_id = executable[0]
    try:
        parser.get_spec(process_id)
        parser.get_subprocess_specs(process_id)
    except ValidationException as error:
        where = f" ({error.id})" if getattr(error, "id", "") else ""
        raise _fail(gettext("The diagram is not valid BPMN: %(error)s") % {"error": f"{error}{where}"}) from error
    root = etree.fromstring(bpmn.encode() if isinstance(bpmn, str) else bpmn)
    process = root.find(f"{{{BPMN}}}process[@id='{process_id}']")
    elements: dict[str, dict[str, Any]] = {}
    for node in process.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}manualTask"):
        elements[node.get("id")] = _task(node)
    for node in process.iter(f"{{{BPMN}}}conditionExpression"):
        expressions.check(node.text or "")
    return Diagram(process_id, process.get("name") or process_id, elements)


def _properties(node) -> dict[str, str]:
    found = node.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)
    return {item.get("name"): item.get("value", "") for item in found}


def _task(node) -> dict[str, Any]:
    props = _properties(node)
    name = node.get("name") or node.get("id")
    manual = etree.QName(node).localname == "manualTask"
    kind = props.get("kind") or ("acknowledge" if manual else "approve")
    assignee = props.get("assignee") or _camunda_assignee(node) or "head"
    voting = props.get("voting") or "any"
    documentation = node.find(f"{{{BPMN}}}documentation")
    where = gettext("Task “%(name)s”") % {"name": name}
    if kind not in KINDS:
        raise _fail(f"{where}: " + gettext("unknown kind “%(kind)s”.") % {"kind": kind})
    if voting not in VOTING:
        raise _fail(f"{where}: " + gettext("unknown voting “%(voting)s”.") % {"voting": voting})
    if not (assignee in RULES or assignee.startswith(("user:", "users:"))):
        raise _fail(f"{where}: " + gettext("unknown assignee rule “%(rule)s”.") % {"rule": assignee})
    deadline = props.get("deadline", "")
    if deadline and not expressions.ISO_TIME.match(deadline):
        raise _fail(f"{where}: " + gettext("the deadline must be an ISO 8601 duration such as P2D."))
    return {
        "name": name, "kind": kind, "assignee": assignee, "voting": voting, "deadline": deadline,
        "fields": _fields(props.get("fields", ""), where),
        "description": (documentation.text or "").strip() if documentation is not None else "",
    }  # fmt: skip


def _camunda_assignee(node) -> str:
    if node.get(f"{{{CAMUNDA}}}assignee"):
        return "user:" + node.get(f"{{{CAMUNDA}}}assignee")
    if node.get(f"{{{CAMUNDA}}}candidateUsers"):
        return "users:" + node.get(f"{{{CAMUNDA}}}candidateUsers")
    return ""


def _fields(text: str, where: str) -> list[dict[str, str]]:
    fields = []
    for part in filter(None, (item.strip() for item in text.split(","))):
        code, _, kind = part.partition(":")
        kind = kind or "text"
        if not expressions.NAME.match(code) or kind not in FIELD_TYPES:
            raise _fail(f"{where}: " + gettext("a field must be “code:type” (text, number, date, bool)."))
        fields.append({"code": code, "type": kind})
    return fields
