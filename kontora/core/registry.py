"""The registry: fixed keys that apps fill from AppConfig.ready() (entities, menu, events, REST methods, ...)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str  # a lazy translation
    url_name: str
    icon: str
    order: int = 100
    visible: Callable[[Any], bool] = field(default=lambda user: True)


@dataclass(frozen=True)
class Counter:
    """A number in the header (overdue activities, tasks to control...), kept live over the WebSocket.

    `count(user)` must be a cheap query; services push the new value as `realtime.push(ids, "counters", {key: n})`.
    """

    key: str
    label: str
    url_name: str
    count: Callable[[Any], int]
    order: int = 100


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str
    search: Callable[[Any, str, int], list[dict]]


@dataclass(frozen=True)
class RecordLinks:
    """Records of another app linked to a CRM record (a deal's tasks), shown on its card.

    `items(user, code)` returns the linked records the user may see, for a Bitrix24-style code ("D_12");
    `add_url(code)` the page that creates a new linked one.
    """

    key: str
    title: str
    items: Callable[[Any, str], list]
    add_url: Callable[[str], str]


class Registry:
    """A dictionary with a fixed set of keys; registering under an unknown key is a programming error."""

    KEYS = (
        "entities",
        "menu",
        "event_types",
        "rest_methods",
        "robot_actions",
        "search_providers",
        "report_sources",
        "dashboard_widgets",
        "durable_work",
        "demo",
        "counters",
        "record_links",
        "config_sections",
        "record_panels",
    )

    def __init__(self) -> None:
        self._store: dict[str, dict[str, Any]] = {key: {} for key in self.KEYS}

    def register(self, key: str, name: str, value: Any) -> Any:
        if key not in self._store:
            raise KeyError(f"unknown registry key {key!r}")
        self._store[key][name] = value
        return value

    def unregister(self, key: str, name: str) -> None:
        self._store[key].pop(name, None)

    def get(self, key: str, name: str) -> Any:
        return self._store[key][name]

    def items(self, key: str) -> dict[str, Any]:
        return dict(self._store[key])


registry = Registry()


def header_counters(user: Any) -> list[dict]:
    counters = sorted(registry.items("counters").values(), key=lambda counter: (counter.order, counter.key))
    return [{"counter": counter, "value": counter.count(user)} for counter in counters]


def menu_entries(user: Any) -> list[MenuEntry]:
    """Menu entries the user may open, in display order. Areas not built yet are simply not registered."""
    entries = [entry for entry in registry.items("menu").values() if entry.visible(user)]
    return sorted(entries, key=lambda entry: (entry.order, entry.key))
