"""A CRM at company scale for the benchmarks: a million deals and what goes with them, loaded into PostgreSQL by COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_crm \\
        .venv/bin/python -m bench.crm_data [--deals 1000000] [--users 200] [--departments 20]

Per deal: 0.05 companies, 0.2 contacts, about 1 activity and 3 stage-history rows; 200 people in 20 departments
(every department has a head). Nothing goes through the services: this is the shape the services would have
left, written straight into the tables Django created. Secondary indexes are dropped during the load and rebuilt
after it, and foreign-key triggers are off for the session (session_replication_role = replica), so the rows
must be right by construction. An existing data set is reused, not doubled.
"""

import argparse
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.harness import setup_django

SEED = 2026
DAY = 86400
SPAN_DAYS = 730
SEARCH_PHONE = "+79161234567"  # the number bench_crm looks up as "8 916 123-45-67"
TREE = [
    # name, parent index
    ("Руководство", None),
    ("Продажи Москва", 0),
    ("Продажи Регионы", 0),
    ("Маркетинг", 0),
    ("Сервис", 0),
    *[(f"Группа продаж Москва {n}", 1) for n in range(1, 6)],
    *[(f"Продажи {city}", 2) for city in ("Казань", "Самара", "Уфа", "Пермь", "Нижний Новгород", "Екатеринбург")],
    ("Digital-маркетинг", 3),
    ("События", 3),
    ("Внедрение", 4),
    ("Поддержка", 4),
]
HEAD_DEPARTMENT = 1  # "Продажи Москва": the head whose screens are measured sees 6 departments
TITLES = [
    "Кластер PostgreSQL",
    "Миграция на управляемый PostgreSQL",
    "Аналитика на ClickHouse",
    "Redis-кластер под кэш",
    "Продление поддержки 24/7",
    "Кухня из массива дуба",
    "Офисная мебель",
]
MEN = ["Иван", "Олег", "Рустам", "Сергей", "Павел", "Кирилл", "Тимур", "Андрей"]
WOMEN = ["Анна", "Мария", "Елена", "Дарья", "Алина", "Гульнара", "Ольга", "Ксения"]
LAST = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Галиев", "Морозов", "Волков", "Захаров"]
TABLES = [
    "crm_company",
    "crm_contact",
    "crm_contact_companies",
    "crm_multifield",
    "crm_deal",
    "crm_deal_contacts",
    "crm_stagehistory",
    "crm_activity",
]
SUBJECTS = ["Созвон по требованиям", "Отправить КП", "Встреча с ИТ-директором", "Выставить счёт", "Демо панели"]


@dataclass
class Dataset:
    deals: int
    head_id: int
    category_ids: list[int]


class _Clock:
    """Fast timestamps for COPY: seconds since the start of the span → 'YYYY-MM-DD HH:MM:SS+00'."""

    def __init__(self, start: datetime, days: int) -> None:
        self.start = int(start.timestamp())
        self.days = [(start + timedelta(days=n)).strftime("%Y-%m-%d ") for n in range(days + 60)]
        self.times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(DAY)]

    def __call__(self, seconds: int) -> str:
        return self.days[seconds // DAY] + self.times[seconds % DAY]


def _name(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return rng.choice(WOMEN), rng.choice(LAST) + "а"
    return rng.choice(MEN), rng.choice(LAST)


def _phone_value(digits: str, style: int) -> str:
    code, a, b, c = digits[1:4], digits[4:7], digits[7:9], digits[9:11]
    return (f"+7 {code} {a}-{b}-{c}", f"8 ({code}) {a}-{b}-{c}", f"8{digits[1:]}", f"+7{digits[1:]}")[style]


def _copy(cursor, table: str, columns: str, lines) -> int:
    """COPY text lines (already tab-separated, \\N for NULL) into a table, in chunks."""
    count = 0
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        chunk = []
        for line in lines:
            chunk.append(line)
            count += 1
            if len(chunk) == 20000:
                copy.write("".join(chunk))
                chunk = []
        if chunk:
            copy.write("".join(chunk))
    return count


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """Indexes that back no constraint: safe to drop for a bulk load and rebuild afterwards."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN "
        "(SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid)",
        [table],
    )
    return cursor.fetchall()


def existing() -> Dataset | None:
    from kontora.accounts.models import Department
    from kontora.crm.models import Category, Deal

    count = Deal.all_objects.count()
    if not count:
        return None
    department = Department.objects.filter(name=TREE[HEAD_DEPARTMENT][0]).first()
    return Dataset(count, department.head_id, list(Category.objects.values_list("pk", flat=True)))


def generate(deals: int, users: int = 200, departments: int = 20) -> Dataset:
    """Load the data set in one transaction (or reuse the one already there), then vacuum and analyze."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        raise SystemExit("bench.crm_data loads with COPY: point DATABASE_URL at an empty PostgreSQL database")
    found = existing()
    if found is not None:
        print(f"reusing the {found.deals:,} deals already in the database")
        return found
    started = time.perf_counter()
    with transaction.atomic():
        dataset = _load(deals, users, departments, started)
    with connection.cursor() as cursor:  # autocommit again: VACUUM cannot run in a transaction
        for table in [*TABLES, "accounts_user", "accounts_department"]:
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")  # the small tables too (stages, pipelines): autovacuum may be off, as on CI machines
    print(f"vacuum and analyze: {time.perf_counter() - started:.1f} s")
    return dataset


def _load(deals: int, users: int, departments: int, started: float) -> Dataset:
    from django.db import connection

    from kontora.accounts.models import Department, Role, User
    from kontora.crm import services
    from kontora.crm.choices import Semantics
    from kontora.crm.models import Category, LossReason, Status

    rng = random.Random(SEED)  # noqa: S311  reproducible data, not security
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=SPAN_DAYS)
    clock = _Clock(start, SPAN_DAYS)
    now_s = int((now - start).total_seconds())

    # People: a small org through the ORM (the gate reads it on every request).
    tree = TREE[:departments]
    made: list[Department] = []
    for name, parent in tree:
        made.append(Department.objects.create(name=name, parent=made[parent] if parent is not None else None))
    head_role, employee_role = Role.objects.builtin("head"), Role.objects.builtin("employee")
    names = [_name(rng) for _ in range(users)]
    people = User.objects.bulk_create(
        User(username=f"user{n}", first_name=first, last_name=last, department=made[n % len(made)], password="!")
        for n, (first, last) in enumerate(names)
    )
    through = User.roles.through
    through.objects.bulk_create(
        through(user_id=user.pk, role_id=(head_role if n < len(made) else employee_role).pk)
        for n, user in enumerate(people)
    )
    for n, department in enumerate(made):
        department.head = people[n]
        department.save(update_fields=["head"])
    user_ids = [user.pk for user in people]

    # Pipelines: the default one and two more, through the services.
    pipelines = [Category.objects.get(pk=0)]
    for name, stages in (("Внедрение", ["Пилот", "Договор", "Миграция"]), ("Мебель", ["Замер", "Производство"])):
        category = services.create_category(by=None, name=name)
        for stage in stages:
            services.create_stage(category, by=None, name=stage)
        pipelines.append(category)
    shapes = []
    for category in pipelines:
        stages = list(Status.objects.filter(entity_id=category.stage_entity).order_by("sort", "id"))
        shapes.append(
            (
                category.pk,
                [s.pk for s in stages if s.semantics == Semantics.PROCESS],
                next(s.pk for s in stages if s.semantics == Semantics.SUCCESS),
                [s.pk for s in stages if s.semantics == Semantics.FAILURE],
            )
        )
    reasons = list(LossReason.objects.order_by("sort").values_list("pk", flat=True))
    reason_weights = [40, 20, 15, 12, 8, 5][: len(reasons)] + [5] * (len(reasons) - 6)
    sources = list(Status.objects.filter(entity_id="SOURCE").values_list("pk", flat=True))
    industries = list(Status.objects.filter(entity_id="INDUSTRY").values_list("pk", flat=True))
    print(f"org and pipelines: {time.perf_counter() - started:.1f} s")

    companies = max(1, deals // 20)
    contacts = max(1, deals // 5)
    with connection.connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        dropped = []
        for table in TABLES:
            for name, definition in _secondary_indexes(cursor, table):
                dropped.append((name, definition))
                cursor.execute(f'DROP INDEX "{name}"')

        owner = [rng.choice(user_ids) for _ in range(companies + 1)]
        head_people = [pk for n, pk in enumerate(user_ids) if n % len(made) == HEAD_DEPARTMENT]

        def company_lines():
            for pk in range(1, companies + 1):
                at = clock(int(rng.random() * now_s * 0.3))
                yield (
                    f"{pk}\t{at}\t{at}\t\\N\t\tt\t{{}}\tООО «Компания {pk}»\t{rng.choice((15, 120, 900))}\t\\N\tRUB\t"
                    f"г. Москва, д. {pk % 200}\t{owner[pk]}\t\\N\t{owner[pk]}\t{owner[pk]}\t\\N\t"
                    f"{rng.choice(industries)}\n"
                )

        _copy(
            cursor,
            "crm_company",
            "id, created_at, updated_at, deleted_at, comments, opened, custom, title, employees, revenue, currency, "
            "address, created_by_id, deleted_by_id, modified_by_id, responsible_id, company_type_id, industry_id",
            company_lines(),
        )
        contact_owner = [0] + [rng.choice(user_ids) for _ in range(contacts)]
        contact_owner[1] = rng.choice(head_people)  # the one with SEARCH_PHONE is in the head's tree

        def contact_lines():
            for pk in range(1, contacts + 1):
                at = clock(int(rng.random() * now_s * 0.6))
                who = contact_owner[pk]
                first, last = _name(rng)
                yield (
                    f"{pk}\t{at}\t{at}\t\\N\t\tt\t{{}}\t\t{first}\t\t{last}\t\t\\N\t\t"
                    f"{who}\t\\N\t{who}\t{who}\t\\N\t\\N\t{rng.choice(sources)}\n"
                )

        _copy(
            cursor,
            "crm_contact",
            "id, created_at, updated_at, deleted_at, comments, opened, custom, honorific, first_name, middle_name, "
            "last_name, position, birthdate, address, created_by_id, deleted_by_id, modified_by_id, responsible_id, "
            "lead_id, contact_type_id, source_id",
            contact_lines(),
        )
        contact_company = [0] * (contacts + 1)

        def link_lines():
            row = 0
            for pk in range(1, contacts + 1):
                if rng.random() < 0.8:
                    row += 1
                    contact_company[pk] = rng.randint(1, companies)
                    yield f"{row}\t{pk}\t{contact_company[pk]}\n"

        _copy(cursor, "crm_contact_companies", "id, contact_id, company_id", link_lines())

        def multifield_lines():
            row = 0
            for entity_type, count in ((3, contacts), (4, companies)):
                for pk in range(1, count + 1):
                    # a bijection onto 9-digit numbers, so every phone is different; the searched one is set aside
                    digits = f"79{(pk * 7919 + entity_type * 104729) % 10**9:09d}"
                    if pk == 1:
                        digits = SEARCH_PHONE[1:]
                    elif "+" + digits == SEARCH_PHONE:
                        digits = "79000000000"
                    row += 1
                    value = _phone_value(digits, pk % 4)
                    yield f"{row}\t{entity_type}\t{pk}\tPHONE\tMOBILE\t{value}\t+{digits}\n"
                    if entity_type == 3 and pk % 10 < 7:
                        row += 1
                        yield f"{row}\t3\t{pk}\tEMAIL\tWORK\tperson{pk}@example.ru\tperson{pk}@example.ru\n"

        _copy(
            cursor,
            "crm_multifield",
            "id, entity_type, entity_id, type_id, value_type, value, normalized",
            multifield_lines(),
        )
        print(f"companies, contacts, phones: {time.perf_counter() - started:.1f} s")

        history_rows, activity_rows, link_rows = [], [], []
        step = now_s * 0.995 / deals

        def deal_lines():
            history_id = activity_id = link_id = 0
            for pk in range(1, deals + 1):
                roll = rng.random()
                category, process, won, lost = shapes[0 if roll < 0.7 else 1 if roll < 0.9 else 2]
                created = int(pk * step + rng.random() * 3600)
                age = now_s - created
                is_open = rng.random() < (0.7 if age < 60 * DAY else 0.12)
                # the path: the first stage, maybe one in between, then where the deal is now
                if is_open:
                    last = rng.randrange(len(process))
                    path = [process[0]]
                    if last > 1 and rng.random() < 0.7:
                        path.append(process[rng.randrange(1, last)])
                    if last:
                        path.append(process[last])
                    semantics = "P"
                else:
                    path = [process[0], process[rng.randrange(1, len(process))]]
                    if rng.random() < 0.6:
                        path.append(won)
                        semantics = "S"
                    else:
                        path.append(lost[0] if rng.random() < 0.85 or len(lost) == 1 else lost[1])
                        semantics = "F"
                span = age if is_open else min(age, int(rng.uniform(10, 90) * DAY))
                times = sorted(created + int(rng.random() * span) for _ in path[1:])
                times.insert(0, created)
                who = rng.choice(user_ids)
                for index, stage in enumerate(path):
                    history_id += 1
                    previous = "\\N" if index == 0 else path[index - 1]
                    seconds = "\\N" if index == 0 else times[index] - times[index - 1]
                    sem = semantics if index == len(path) - 1 else "P"
                    history_rows.append(
                        f"{history_id}\t2\t{pk}\t{sem}\t{clock(times[index])}\t{seconds}\t{category}\t{who}\t{who}\t"
                        f"{previous}\t{stage}\n"
                    )
                closed = semantics != "P"
                # activities: done ones in the past; an open deal usually has one planned, some of them overdue
                for _ in range(rng.choice((0, 0, 1, 1, 2)) if closed else rng.choice((0, 1, 1, 2))):
                    activity_id += 1
                    at = created + int(rng.random() * max(1, times[-1] - created))
                    deadline = at + int(rng.uniform(0.1, 5) * DAY)
                    activity_rows.append(
                        f"{activity_id}\t{clock(at)}\t{clock(at)}\t2\t{pk}\t{rng.randint(1, 3)}\t"
                        f"{rng.choice(SUBJECTS)}\t\t{clock(min(deadline, now_s + 30 * DAY))}\t2\tt\t"
                        f"{clock(min(deadline, now_s))}\tf\t{who}\t{who}\n"
                    )
                if not closed and rng.random() < 0.75:
                    activity_id += 1
                    deadline = now_s + int(rng.uniform(-10, 20) * DAY)
                    at = max(times[-1], min(deadline, now_s) - int(rng.uniform(0.1, 5) * DAY))
                    activity_rows.append(
                        f"{activity_id}\t{clock(at)}\t{clock(at)}\t2\t{pk}\t{rng.randint(1, 3)}\t"
                        f"{rng.choice(SUBJECTS)}\t\t{clock(deadline)}\t2\tf\t\\N\tf\t{who}\t{who}\n"
                    )
                company = rng.randint(1, companies) if rng.random() < 0.85 else None
                if rng.random() < 0.7:
                    link_id += 1
                    link_rows.append(f"{link_id}\t{pk}\t{rng.randint(1, contacts)}\n")
                reason = rng.choices(reasons, reason_weights)[0] if semantics == "F" else "\\N"
                amount = rng.randrange(2, 400) * 12500
                moved = clock(times[-1])
                yield (
                    f"{pk}\t{clock(created)}\t{moved}\t\\N\t\tt\t{{}}\t{rng.choice(TITLES)} №{pk}\t{amount}\tt\tRUB\t"
                    f"\\N\t\\N\t\\N\t{'t' if closed else 'f'}\t\t{moved}\t{category}\t"
                    f"{company if company else '\\N'}\t{who}\t\\N\t{who}\t{who}\t{who}\t\\N\t{reason}\t\\N\t"
                    f"{rng.choice(sources)}\t{path[-1]}\n"
                )
                if pk % 50000 == 0:
                    yield None  # a pause: flush the dependent rows collected so far

        deal_columns = (
            "id, created_at, updated_at, deleted_at, comments, opened, custom, title, amount, is_manual_amount, "
            "currency, probability, begin_date, close_date, closed, loss_comment, moved_at, category_id, company_id, "
            "created_by_id, deleted_by_id, modified_by_id, moved_by_id, responsible_id, lead_id, loss_reason_id, "
            "deal_type_id, source_id, stage_id"
        )
        history_columns = (
            "id, entity_type, entity_id, semantics, moved_at, seconds_in_previous, category_id, moved_by_id, "
            "responsible_id, from_stage_id, to_stage_id"
        )
        activity_columns = (
            "id, created_at, updated_at, owner_type, owner_id, type_id, subject, description, deadline, direction, "
            "completed, completed_at, in_bin, author_id, responsible_id"
        )
        totals = {"deals": 0, "history": 0, "activities": 0, "links": 0}
        lines = deal_lines()
        while True:
            batch = []
            for line in lines:
                if line is None:
                    break
                batch.append(line)
            if not batch:
                break
            totals["deals"] += _copy(cursor, "crm_deal", deal_columns, batch)
            totals["history"] += _copy(cursor, "crm_stagehistory", history_columns, history_rows)
            totals["activities"] += _copy(cursor, "crm_activity", activity_columns, activity_rows)
            totals["links"] += _copy(cursor, "crm_deal_contacts", "id, deal_id, contact_id", link_rows)
            history_rows.clear()
            activity_rows.clear()
            link_rows.clear()
        print(
            f"{totals['deals']:,} deals, {totals['history']:,} stage moves, {totals['activities']:,} activities, "
            f"{totals['links']:,} deal contacts: {time.perf_counter() - started:.1f} s"
        )
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )
        for _index, definition in dropped:
            cursor.execute(definition)
        print(f"{len(dropped)} indexes rebuilt: {time.perf_counter() - started:.1f} s")
    return Dataset(deals, people[HEAD_DEPARTMENT].pk, [category.pk for category in pipelines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--departments", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    generate(args.deals, args.users, args.departments)


if __name__ == "__main__":
    main()
