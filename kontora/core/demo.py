"""The demo company: each app registers a builder under registry["demo"]; `kontora demo` runs them in order."""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from kontora.core.registry import registry


@dataclass(frozen=True)
class DemoBuilder:
    """`build(password)` creates the app's demo data and returns (login, password, description) lines."""

    order: int
    build: Callable[[str | None], list[tuple[str, str, str]]]


def is_empty() -> bool:
    return not get_user_model().objects.exists()


# True while the demo company is being built (its commit included): the made-up history it writes is not mailed.
building: ContextVar[bool] = ContextVar("kontora_demo_building", default=False)


def build(password: str | None = None) -> list[tuple[str, str, str]]:
    logins: list[tuple[str, str, str]] = []
    token = building.set(True)
    try:
        with transaction.atomic():
            for builder in sorted(registry.items("demo").values(), key=lambda item: item.order):
                logins.extend(builder.build(password))
    finally:
        building.reset(token)
    return logins
