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


def make_company(title: str = "Вектор", *, by: User, **fields):
    from kontora.crm import services as crm

    return crm.create_company(by=by, title=title, **fields)


def make_contact(last_name: str = "Петров", *, by: User, **fields):
    from kontora.crm import services as crm

    fields.setdefault("first_name", "Иван")
    return crm.create_contact(by=by, last_name=last_name, **fields)


def make_lead(title: str = "Заявка с сайта", *, by: User, **fields):
    from kontora.crm import services as crm

    return crm.create_lead(by=by, title=title, **fields)


def make_deal(title: str | None = None, *, by: User, **fields):
    from kontora.crm import services as crm

    return crm.create_deal(by=by, title=title or f"Сделка {next(_counter)}", **fields)


def stage(code: str):
    from kontora.crm.models import Status

    entity = "DEAL_STAGE" if ":" not in code else f"DEAL_STAGE_{code.split(':')[0][1:]}"
    return Status.objects.get(entity_id=entity, status_id=code)


def make_task(title: str | None = None, *, by: User, **fields):
    from kontora.tasks.services.tasks import create_task

    return create_task(by=by, title=title or f"Задача {next(_counter)}", **fields)


def make_project(name: str | None = None, *, by: User, **fields):
    from kontora.tasks.services.projects import create_project

    return create_project(by=by, name=name or f"Проект {next(_counter)}", **fields)
