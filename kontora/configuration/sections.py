"""The contract every configuration section keeps, the change and error records, and helpers to diff items."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from kontora.core.errors import KontoraError
from kontora.core.registry import registry

FORMAT_VERSION = 1
MANIFEST = "kontora.yaml"

Op = Literal["add", "change", "remove"]


@dataclass(frozen=True)
class Change:
    """One difference between the folder and the installation; `run(by)` makes it (None: applied by another)."""

    section: str
    op: Op
    key: str
    details: tuple[str, ...] = ()
    run: Callable[[Any], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ConfigError:
    """What is wrong, and where: the file and the key path inside it ("pipelines[2].stages[0].name")."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}"


class ConfigErrors(Exception):
    """Raised with every problem found; nothing has been changed."""

    def __init__(self, errors: list[ConfigError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


class Section(Protocol):
    """A part of the configuration kept in its own files.

    `files` are the names (fnmatch patterns allowed: "processes/*.bpmn") the section owns in the folder.
    `order` says when it applies: sections others refer to (pipelines) go first.
    `export()` returns {file name: data}: a YAML file gets a dict, any other file a string written as is.
    `plan(data)` reads {file name: data} as loaded from the folder, validates it (raising `ConfigErrors`) and
    returns the changes against the installation as it is now; `apply(data, by=user)` makes them.
    """

    name: str
    files: tuple[str, ...]
    order: int

    def export(self) -> dict[str, Any]: ...

    def plan(self, data: dict[str, Any]) -> list[Change]: ...

    def apply(self, data: dict[str, Any], *, by: Any) -> None: ...


def register(section: Section) -> Section:
    return registry.register("config_sections", section.name, section)


def sections() -> list[Section]:
    """Registered sections in the order they apply."""
    return sorted(registry.items("config_sections").values(), key=lambda section: (section.order, section.name))


class PlannedSection:
    """A base for sections whose `apply` is running the changes `plan` returns."""

    name = ""

    def plan(self, data: dict[str, Any]) -> list[Change]:
        raise NotImplementedError

    def apply(self, data: dict[str, Any], *, by: Any) -> None:
        for change in self.plan(data):
            if change.run is not None:
                change.run(by)


@contextmanager
def at(file: str, key: str) -> Iterator[None]:
    """Turn a service's refusal into a configuration error naming the file and key it came from."""
    try:
        yield
    except KontoraError as error:
        field_name = getattr(error, "field", None)
        where = f"{key}.{field_name}" if field_name and key else key or (field_name or "")
        raise ConfigErrors([ConfigError(file, where, error.message)]) from error


def call(file: str, key: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`function(*args, **kwargs)`, its refusal reported at `file` and `key`."""
    with at(file, key):
        return function(*args, **kwargs)


class Reader:
    """Checks a loaded file's shape, collecting every problem with its key path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[ConfigError] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(ConfigError(self.file, key, message))

    def mapping(self, value: Any, key: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(key, "expected a mapping")
            return {}
        return value

    def items(self, value: Any, key: str) -> list[dict]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.error(key, "expected a list of mappings")
            return []
        return value

    def text(self, item: dict, name: str, key: str, *, default: str | None = None) -> str:
        value = item.get(name, default)
        if value is None or (not isinstance(value, str) and not isinstance(value, int | float)):
            self.error(f"{key}.{name}", "required text" if value is None else "expected text")
            return ""
        return str(value)

    def number(self, item: dict, name: str, key: str, *, default: int | None = None) -> int:
        value = item.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(f"{key}.{name}", "expected a whole number ≥ 0")
            return 0
        return value

    def flag(self, item: dict, name: str, key: str, *, default: bool) -> bool:
        value = item.get(name, default)
        if not isinstance(value, bool):
            self.error(f"{key}.{name}", "expected true or false")
            return default
        return value

    def choice(self, item: dict, name: str, key: str, choices: Any, *, default: str | None = None) -> str:
        value = item.get(name, default)
        if value not in choices:
            self.error(f"{key}.{name}", f"expected one of: {', '.join(str(choice) for choice in choices)}")
            return ""
        return value

    def unknown(self, item: dict, allowed: tuple[str, ...], key: str) -> None:
        for name in item:
            if name not in allowed:
                self.error(f"{key}.{name}", "unknown key")

    def duplicate(self, seen: set, value: Any, key: str, what: str) -> None:
        if value in seen:
            self.error(key, f"duplicate {what} {value!r}")
        seen.add(value)

    def done(self) -> None:
        if self.errors:
            raise ConfigErrors(self.errors)


def differences(old: dict[str, Any], new: dict[str, Any], skip: tuple[str, ...] = ()) -> tuple[str, ...]:
    """ "name: 'A' → 'B'" for each top-level field that differs (lists and mappings shown compactly)."""
    return tuple(
        f"{name}: {_show(old.get(name))} → {_show(new.get(name))}"
        for name in dict.fromkeys([*old, *new])
        if name not in skip and old.get(name) != new.get(name)
    )


def _show(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return repr(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
