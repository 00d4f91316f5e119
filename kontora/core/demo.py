"""The demo company: each app registers a builder under registry["demo"]; `kontora demo` runs them in order."""

from collections.abc import Callable
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


@transaction.atomic
def build(password: str | None = None) -> list[tuple[str, str, str]]:
    logins: list[tuple[str, str, str]] = []
    for builder in sorted(registry.items("demo").values(), key=lambda item: item.order):
        logins.extend(builder.build(password))
    return logins
