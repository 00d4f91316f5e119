"""Request parameters as Bitrix24 reads them: PHP `parse_str` nesting for forms and query strings, JSON bodies,
query-string parameters merged into the body, top-level names case-insensitive, Y/N/1/0/true booleans."""

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from kontora.core.errors import Invalid
from kontora.rest.errors import RestError

_KEY = re.compile(r"^([^\[]*)((?:\[[^\]]*\])*)(.*)$")
_PART = re.compile(r"\[([^\]]*)\]")


def _assign(target: dict, parts: list[str], value: Any) -> None:
    """Put `value` at `parts` inside `target`; an empty part appends (PHP's `a[]=`)."""
    node: Any = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if isinstance(node, list):
            node = {str(position): item for position, item in enumerate(node)}  # mixed keys: PHP keeps a map
        if part == "":
            part = str(sum(1 for key in node if str(key).isdigit()))
        if last:
            node[part] = value
        else:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child


def _listify(value: Any) -> Any:
    """Maps keyed 0..n-1 become lists, as PHP arrays with sequential keys are lists to everyone else."""
    if isinstance(value, dict):
        converted = {key: _listify(item) for key, item in value.items()}
        keys = list(converted)
        numbered = keys and all(key.isascii() and key.isdigit() for key in keys)  # not "²": int() refuses it
        if numbered and sorted(int(key) for key in keys) == list(range(len(keys))):
            return [converted[str(position)] for position in range(len(keys))]
        return converted
    return value


def parse_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """PHP's parse_str over decoded (key, value) pairs: `a[b][0][c]=v` nests, `a[]=v` appends."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        name, brackets = match[1], match[2]
        if not name:
            continue
        parts = [name, *_PART.findall(brackets)]
        _assign(result, parts, value)
    return {key: _listify(value) for key, value in result.items()}  # the top level stays a map: `0=…&1=…`


def parse_query(text: str) -> dict[str, Any]:
    return parse_pairs(parse_qsl(text, keep_blank_values=True))


def from_request(request) -> dict[str, Any]:
    """Everything the caller sent: the query string merged with a JSON, form or multipart body."""
    params = parse_query(request.META.get("QUERY_STRING", ""))
    content_type = request.content_type or ""
    if request.method == "POST":
        if content_type == "application/json" or (not content_type and request.body[:1] in (b"{", b"[")):
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                raise RestError("INVALID_REQUEST", "The request body is not valid JSON.") from None
            if isinstance(body, dict):
                params.update(body)
            elif isinstance(body, list):  # positional parameters, as BX24.callMethod sends them for task.*item
                params.update({str(index): value for index, value in enumerate(body)})
        elif content_type == "multipart/form-data":
            params.update(parse_pairs((key, value) for key in request.POST for value in request.POST.getlist(key)))
        else:
            params.update(parse_query(request.body.decode("utf-8", "replace")))
    return params


class Params:
    """Top-level parameters looked up case-insensitively; nested values are returned as they came."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = dict(data or {})
        self._lower = {str(key).lower(): key for key in self.data}

    def get(self, name: str, default: Any = None) -> Any:
        key = self._lower.get(name.lower())
        return self.data[key] if key is not None else default

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._lower

    def map(self, name: str) -> dict[str, Any]:
        """A parameter that must be a map (fields, filter, order); absent or empty is {}."""
        value = self.get(name)
        if value in (None, "", [], [""]):
            return {}
        if isinstance(value, list):
            return {str(index): item for index, item in enumerate(value)}
        if not isinstance(value, dict):
            raise RestError("INVALID_ARG_VALUE", f"Parameter {name!r} must be an object.")
        return value

    def list(self, name: str) -> list[Any]:
        value = self.get(name)
        if value in (None, "", [""]):
            return []
        if isinstance(value, dict):
            return list(value.values())
        return value if isinstance(value, list) else [value]

    def integer(self, name: str, default: int | None = None, *, required: bool = False) -> int | None:
        value = self.get(name)
        if value in (None, ""):
            if required:
                raise Invalid("REQUIRED", name.upper(), f"{name.upper()} is not defined or invalid.")
            return default
        try:
            return int(str(value).strip())
        except ValueError:
            raise Invalid("NOT_A_NUMBER", name.upper(), f"{name.upper()} is not defined or invalid.") from None

    def flag(self, name: str, default: bool = False) -> bool:
        return to_bool(self.get(name), default)


def to_bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("y", "1", "true", "yes", "on")
