"""The method registry: each method declared once, with its scope, and called with a `Call`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kontora.core.registry import registry
from kontora.rest.params import Params


@dataclass
class Call:
    """One method call: who calls (the webhook's or the token's user), with which scopes and parameters."""

    user: Any
    params: Params
    scopes: frozenset[str]
    application: Any = None  # the OAuth application, None for webhooks
    webhook: Any = None
    request: Any = None


@dataclass(frozen=True)
class ListResult:
    """A page of a list method: the envelope gets `total` and (while more rows exist) `next`."""

    result: Any
    total: int | None = None
    next: int | None = None


@dataclass(frozen=True)
class Method:
    name: str  # lowercase
    scope: str  # crm, task, user, department, im, … ; "" for methods every caller has
    handler: Callable[[Call], Any]
    doc: str = ""
    family: str = "default"  # how core errors are rendered: crm, item, tasks, default
    params: dict[str, str] = field(default_factory=dict)  # parameter → description, for the docs


def method(name: str, scope: str, *, family: str | None = None, params: dict[str, str] | None = None):
    """Declare a REST method: `@method("crm.deal.get", "crm")` over `def deal_get(call: Call) -> Any`."""

    def register(handler: Callable[[Call], Any]) -> Callable[[Call], Any]:
        lower = name.lower()
        guessed = "item" if lower.startswith("crm.item.") else "crm" if lower.startswith("crm.") else (
            "tasks" if lower.startswith(("tasks.", "task.")) else "default"
        )  # fmt: skip
        registry.register("rest_methods", lower, Method(
            name=lower, scope=scope, handler=handler, doc=(handler.__doc__ or "").strip(),
            family=family or guessed, params=params or {},
        ))  # fmt: skip
        return handler

    return register


def find(name: str) -> Method | None:
    return registry.items("rest_methods").get(name.lower())


def all_methods() -> dict[str, Method]:
    return dict(sorted(registry.items("rest_methods").items()))


# Bitrix24's scope names a webhook or an application may be given (methods arrive with the apps that serve them).
SCOPES = (
    "bizproc", "calendar", "crm", "department", "disk", "entity", "im", "lists", "log", "placement", "sonet_group",
    "task", "telephony", "timeman", "user", "user_basic",
)  # fmt: skip


def scopes() -> list[str]:
    return sorted(set(SCOPES) | {item.scope for item in registry.items("rest_methods").values() if item.scope})
