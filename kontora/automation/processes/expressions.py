"""The restricted evaluator for gateway conditions, script tasks and service-task parameters (DESIGN §13).

Expressions are Python-like (`amount > 500000 and head_approval.approved`) and evaluated by simpleeval over
whitelisted names: the process data, the document's fields (`document.OPPORTUNITY`), the start parameters and a
few functions. No Python `eval`/`exec` of user text ever runs. A script task is lines of `name = expression`.
Timer definitions written as bare ISO 8601 text by other modelers (`PT1H`, `2026-12-01T09:00`) are taken as text;
Camunda's simple JUEL conditions (`${days > 2 && approved}`) are read as the same expression.
"""

import ast
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from kontora.core.errors import Invalid

ISO_TIME = re.compile(r"^(R\d*/)?(P[\dYMWDTHS.,]+|\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?)$", re.I)
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Namespace:
    """Read-only view of a mapping for expressions: `x.key` and `x["key"]`, no methods to call."""

    def __init__(self, data: Mapping[str, Any]):
        object.__setattr__(self, "_data", dict(data))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(name)


def _days(value: Any) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return float(value)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    text = str(value)
    return datetime.fromisoformat(text).date() if "T" in text or " " in text else date.fromisoformat(text[:10])


FUNCTIONS = {
    "len": len, "str": str, "int": int, "float": float, "round": round, "abs": abs, "min": min, "max": max,
    "sum": sum, "bool": bool, "lower": lambda s: str(s).lower(), "upper": lambda s: str(s).upper(),
    "today": lambda: timezone.localdate().isoformat(), "now": lambda: timezone.now().isoformat(),
    "date": lambda v: (_parse_date(v) or timezone.localdate()).isoformat(),
    "days_between": lambda a, b: (_parse_date(b) - _parse_date(a)).days,
    "days": _days,
}  # fmt: skip


def _plain(value: Any) -> Any:
    """What an expression may see: numbers, text, dates as ISO text, lists and read-only maps."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return Namespace({str(key): _plain(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _from_juel(text: str) -> str:
    """Camunda's `${days > 2 && approved}` as the same expression in ours (simple comparisons and logic only)."""
    if not (text.startswith(("${", "#{")) and text.endswith("}")):
        return text
    text = text[2:-1].replace("&&", " and ").replace("||", " or ")
    return re.sub(r"!(?!=)", " not ", text).strip()


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """The value of `expression` over `names`; `Invalid` naming the expression when it cannot be evaluated."""
    text = _from_juel((expression or "").strip())
    if not text:
        raise Invalid("EMPTY_EXPRESSION", "expression", gettext("The expression is empty."))
    if ISO_TIME.match(text):
        return text
    evaluator = EvalWithCompoundTypes(names={key: _plain(value) for key, value in names.items()}, functions=FUNCTIONS)
    try:
        return evaluator.eval(text)
    except (InvalidExpression, SyntaxError, TypeError, ValueError, KeyError, ZeroDivisionError) as error:
        raise Invalid(
            "BAD_EXPRESSION", "expression",
            gettext("Cannot evaluate “%(expression)s”: %(error)s") % {"expression": text, "error": error},
        ) from error  # fmt: skip


def assignments(script: str) -> list[tuple[str, str]]:
    """A script task's lines as (name, expression) pairs; anything but `name = expression` is refused."""
    pairs = []
    for number, line in enumerate((script or "").splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        try:
            node = ast.parse(line.strip(), mode="exec").body
        except SyntaxError:
            node = []
        if len(node) != 1 or not isinstance(node[0], ast.Assign) or len(node[0].targets) != 1:
            node = []
        target = node[0].targets[0] if node else None
        if not isinstance(target, ast.Name) or target.id.startswith("_"):
            raise Invalid(
                "BAD_SCRIPT", "script",
                gettext("Line %(number)s: a script line must be “name = expression”.") % {"number": number},
            )  # fmt: skip
        pairs.append((target.id, line.split("=", 1)[1].strip()))
    return pairs


def check(expression: str) -> None:
    """Refuse, at save time, an expression that is not even syntactically an expression."""
    text = _from_juel((expression or "").strip())
    if ISO_TIME.match(text):
        return
    try:
        ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise Invalid(
            "BAD_EXPRESSION", "expression",
            gettext("“%(expression)s” is not a valid expression.") % {"expression": text},
        ) from error  # fmt: skip


class Environment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's script environment, backed by the restricted evaluator instead of `eval`/`exec`.

    `context` is the task's data; `external` the names the engine adds for this run (the document, parameters);
    `services` runs service tasks: `services(operation_name, params, data) -> JSON text`.
    """

    def __init__(self, external: Mapping[str, Any] | None = None, services=None):
        super().__init__({})
        self.external = dict(external or {})
        self.services = services

    def _names(self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None) -> dict[str, Any]:
        return {**self.external, **(external_context or {}), **context}

    def evaluate(self, expression, context, external_context=None):
        return evaluate(expression, self._names(context, external_context))

    def execute(self, script, context, external_context=None):
        for name, expression in assignments(script):
            context[name] = _stored(evaluate(expression, self._names(context, external_context)))
        return True

    def call_service(self, context, operation_name=None, operation_params=None, **kwargs):
        if self.services is None:
            raise Invalid("NO_SERVICES", "service", gettext("Actions cannot run here."))
        params = {name: spec.get("value") for name, spec in (operation_params or {}).items()}
        return self.services(operation_name, params, context)


def _stored(value: Any) -> Any:
    """Task data must stay JSON: read-only maps become dicts again."""
    if isinstance(value, Namespace):
        return {key: _stored(value[key]) for key in value}
    if isinstance(value, list):
        return [_stored(item) for item in value]
    return value


class ScriptEngine(PythonScriptEngine):
    """Lets a service task's own error through (SpiffWorkflow's wrapper refers to a script service tasks lack)."""

    def call_service(self, task, **kwargs):
        return self.environment.call_service(task.data, **kwargs)


def script_engine(external: Mapping[str, Any] | None = None, services=None) -> PythonScriptEngine:
    return ScriptEngine(environment=Environment(external, services))
