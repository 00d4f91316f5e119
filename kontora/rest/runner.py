"""Running methods: scope check, the call in one transaction, core errors mapped; and `batch` with references."""

import logging
import re
from typing import Any
from urllib.parse import unquote

from django.db import transaction

from kontora.core.errors import KontoraError
from kontora.rest import registry
from kontora.rest.envelope import Clock, error_body, success
from kontora.rest.errors import RestError, from_core, insufficient_scope, method_not_found
from kontora.rest.params import Params, parse_pairs
from kontora.rest.registry import Call, ListResult

logger = logging.getLogger("kontora.rest")

BATCH_LIMIT = 50
_REFERENCE = re.compile(r"\$(result|next|total|time|error)((?:\[[^\]]*\])+)", re.IGNORECASE)
_WHOLE = re.compile(r"^\$(result|next|total|time|error)((?:\[[^\]]*\])+)$", re.IGNORECASE)
_PART = re.compile(r"\[([^\]]*)\]")


def run(name: str, call: Call) -> Any:
    """Run one method as `call.user`; the result, or a RestError."""
    found = registry.find(name)
    if found is None:
        raise method_not_found()
    if found.scope and found.scope not in call.scopes:
        raise insufficient_scope()
    try:
        with transaction.atomic():
            return found.handler(call)
    except KontoraError as error:
        raise from_core(error, found.family) from error
    except RestError:
        raise
    except Exception:
        logger.exception("REST method %s failed", name)
        raise RestError("INTERNAL_SERVER_ERROR", "Internal server error", 500) from None


@registry.method("batch", "")
def batch(call: Call) -> dict[str, Any]:
    """Run up to 50 commands ("method?query") in order; `$result[key][…]` refers to earlier results."""
    commands = call.params.get("cmd") or {}
    if isinstance(commands, list):
        commands = {str(index): command for index, command in enumerate(commands)}
    if not isinstance(commands, dict):
        raise RestError("INVALID_ARG_VALUE", "Parameter 'cmd' must be an object or a list of commands.")
    halt = call.params.flag("halt")
    done: dict[str, dict[str, Any]] = {"result": {}, "result_error": {}, "result_total": {}, "result_next": {},
                                       "result_time": {}}  # fmt: skip
    for position, (key, command) in enumerate(commands.items()):
        key = str(key)
        if position >= BATCH_LIMIT:
            done["result_error"][key] = error_body(
                RestError("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")
            )
            continue
        clock = Clock()
        try:
            name, params = _command(str(command), done)
            if name.lower() == "batch":
                raise RestError("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage")
            inner = Call(user=call.user, params=Params(params), scopes=call.scopes, application=call.application,
                         webhook=call.webhook, request=call.request)  # fmt: skip
            result = run(name, inner)
        except RestError as error:
            done["result_error"][key] = error_body(error)
            if halt:
                break
            continue
        body = success(result, clock)
        done["result"][key] = body["result"]
        if "total" in body:
            done["result_total"][key] = body["total"]
        if "next" in body:
            done["result_next"][key] = body["next"]
        done["result_time"][key] = body["time"]
    return done


def _command(command: str, done: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    name, _, query = command.partition("?")
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        raw_key, _, raw_value = piece.partition("=")
        key = unquote(raw_key.replace("+", " "))
        value = unquote(raw_value.replace("+", " "))
        pairs.append((_substitute(key, done), _substitute(value, done)))
    return unquote(name).strip(), parse_pairs(pairs)  # values may be whole referenced arrays


def _resolve(kind: str, path: str, done: dict[str, dict[str, Any]]) -> Any:
    """Walk `$result[a][0][ID]`; a missing key fails only this command."""
    source = done["result" if kind.lower() == "result" else f"result_{kind.lower()}"]
    node: Any = source
    for part in _PART.findall(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise RestError("ERROR_BATCH_REFERENCE", f"Reference ${kind}{path} does not resolve")
    return node


def _substitute(text: str, done: dict[str, dict[str, Any]]) -> Any:
    whole = _WHOLE.match(text)
    if whole:
        value = _resolve(whole[1], whole[2], done)
        return value if isinstance(value, list | dict) else _scalar(value)

    def replace(match: re.Match) -> str:
        return _scalar(_resolve(match[1], match[2], done))

    return _REFERENCE.sub(replace, text)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, list | dict):
        return ""
    return str(value)


def page(queryset, call: Call, serialize, *, round_start: bool = True, size: int = 50) -> ListResult:
    """A page of 50 from `start`; `start=-1` skips the count (and `next`)."""
    start = call.params.integer("start", 0) or 0
    if start == -1:
        return ListResult([serialize(row) for row in queryset[:size]])
    start = max(0, start)
    if round_start:
        start -= start % size
    total = queryset.count()
    rows = [serialize(row) for row in queryset[start:start + size]] if start < total else []  # no OFFSET overflow
    following = start + len(rows)
    return ListResult(rows, total=total, next=following if following < total else None)
