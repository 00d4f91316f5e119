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


# Sales analytics


def make_sales_history(people: list[User], *, seed: int = 7, deals: int = 60, days: int = 120) -> list:
    """Deals of the default pipeline through the services, each along a random path (stages skipped, moves back,
    wins, losses with reasons), then back-dated over the last `days` days: creation, every move in order, the time
    in each stage. Also completed and overdue activities, completed tasks and leads, some converted. Returns deals."""
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from kontora.crm import services as crm
    from kontora.crm.choices import ActivityType, EntityType, Semantics
    from kontora.crm.models import Activity, Deal, Lead, LossReason, StageHistory, Status
    from kontora.tasks.models import Task
    from kontora.tasks.services.status import change_status

    rng = random.Random(seed)
    now = timezone.now()
    stages = list(Status.objects.filter(entity_id="DEAL_STAGE").order_by("sort", "id"))
    path = [item for item in stages if item.semantics == Semantics.PROCESS]
    won = next(item for item in stages if item.semantics == Semantics.SUCCESS)
    lost = [item for item in stages if item.semantics == Semantics.FAILURE]
    reasons = list(LossReason.objects.all()[:3]) + [None]
    sources = list(Status.objects.filter(entity_id="SOURCE")[:2]) + [None]
    companies = [make_company(f"Клиент {n}", by=people[0]) for n in range(4)]
    made = []
    for number in range(deals):
        owner = rng.choice(people)
        deal = crm.create_deal(
            by=owner, title=f"Сделка {number}", amount=Decimal(rng.randrange(1, 100) * 1000),
            source=rng.choice(sources), company=rng.choice([*companies, None]),
            probability=rng.choice([None, None, 30, 70]),
            close_date=(now + timedelta(days=rng.randrange(-20, 200))).date(),
        )  # fmt: skip
        furthest = rng.randrange(len(path))
        route = [item for item in path[1 : furthest + 1] if rng.random() < 0.8]
        if route and rng.random() < 0.2:
            route.append(path[max(0, path.index(route[-1]) - 1)])  # a move back
        for target in route:
            if target.pk != deal.stage_id:
                crm.move_deal(deal, target, by=owner)
        end = rng.random()
        if end < 0.3:
            crm.move_deal(deal, won, by=owner)
        elif end < 0.6:
            reason = rng.choice(reasons)
            crm.move_deal(deal, rng.choice(lost), by=owner, loss_reason=reason, reason_required=reason is not None)
        made.append(deal)
        created = now - timedelta(days=rng.randrange(1, days), hours=rng.randrange(24))
        moments = sorted(created + (now - created) * rng.random() for _ in range(10))
        rows = list(StageHistory.objects.filter(entity_type=EntityType.DEAL, entity_id=deal.pk).order_by("id"))
        previous = created
        for index, row in enumerate(rows):
            at = created if index == 0 else moments[index]
            StageHistory.objects.filter(pk=row.pk).update(
                moved_at=at, seconds_in_previous=None if index == 0 else int((at - previous).total_seconds())
            )
            previous = at
        Deal.objects.filter(pk=deal.pk).update(created_at=created, moved_at=previous)
    for number in range(deals):
        record = rng.choice(made)
        owner = record.responsible
        activity = crm.plan_activity(
            record, by=owner, responsible=owner, subject=f"Дело {number}",
            type_id=rng.choice(list(ActivityType.values)), deadline=now + timedelta(days=rng.randrange(-30, 30)),
        )  # fmt: skip
        if rng.random() < 0.6:
            crm.complete_activity(activity, by=owner)
            Activity.objects.filter(pk=activity.pk).update(completed_at=now - timedelta(days=rng.randrange(days)))
        task = make_task(by=owner, responsible=owner)
        if rng.random() < 0.5:
            change_status(task, "complete", by=owner)
            Task.objects.filter(pk=task.pk).update(closed_at=now - timedelta(days=rng.randrange(days)))
        lead = make_lead(f"Лид {number}", by=owner, source=rng.choice(sources), last_name=f"Клиентов {number}")
        if rng.random() < 0.4:
            crm.convert_lead(lead, by=owner, create_deal=False)
        Lead.objects.filter(pk=lead.pk).update(created_at=now - timedelta(days=rng.randrange(days)))
    return made


# lists and timeman


def make_list(code: str | None = None, *, fields: tuple[dict, ...] = (), **options):
    from kontora.lists import services as lists

    options.setdefault("name", "Заявки")
    lst = lists.create_list(by=None, code=code or f"list{next(_counter)}", **options)
    for field in fields:
        lists.add_field(lst, by=None, **field)
    return lst


def make_absence(user: User, start, end, kind: str = "vacation", **fields):
    from kontora.timeman import services as timeman

    return timeman.add_absence(user, start, end, kind, by=None, **fields)
