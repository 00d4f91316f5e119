"""Plain factory functions with overrides; state is built through services, as users would build it."""

import itertools

from kontora.accounts import services
from kontora.accounts.models import Department, Role, User

_counter = itertools.count(1)
PASSWORD = "Kontora-test-2026"


def role(preset: str) -> Role:
    return Role.objects.builtin(preset)


def make_department(
    name: str | None = None, *, parent: Department | None = None, head: User | None = None
) -> Department:
    return services.save_department(
        None, by=None, name=name or f"Department {next(_counter)}", parent=parent, head=head
    )


def make_user(
    username: str | None = None,
    *,
    department: Department | None = None,
    preset: str | None = "employee",
    password: str = PASSWORD,
    **fields,
) -> User:
    username = username or f"user{next(_counter)}"
    fields.setdefault("first_name", username.capitalize())
    fields.setdefault("last_name", "Testov")
    fields.setdefault("email", f"{username}@example.test")
    return services.create_user(
        by=None,
        username=username,
        password=password,
        department=department,
        roles=[role(preset)] if preset else [],
        **fields,
    )


def make_head(username: str, department: Department, preset: str = "head") -> User:
    head = make_user(username, department=department, preset=preset)
    services.save_department(department, by=None, name=department.name, parent=department.parent, head=head)
    return head
