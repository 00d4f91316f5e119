"""Tasks at company scale for the benchmarks: a million tasks of a thousand people, generated inside PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_tasks \\
        .venv/bin/python -m bench.tasks_data [--tasks 1000000] [--users 1000]

People go in through the ORM (20 departments, each with a head); the tasks, their co-executors and observers
(on about a fifth of the tasks) and the "seen" marks are written by INSERT … SELECT over generate_series with a
seeded random(), straight into the tables Django created. Secondary indexes are dropped during the load and rebuilt
after it, foreign-key triggers are off for the session, so the rows are right by construction. Statuses follow the
task's age: old tasks are mostly completed (some late), recent ones are open, some overdue; two in five tasks have
comments, and the responsible has seen about half of the latest ones. An existing data set is reused.
"""

import argparse
import time
from dataclasses import dataclass

from bench.harness import setup_django

SEED = 0.2026
DEPARTMENTS = 20
SPAN_DAYS = 730
TABLES = ["tasks_task", "tasks_taskmember", "tasks_taskview"]
TITLES = ["Подготовить отчёт", "Позвонить клиенту", "Согласовать договор", "Обновить сервер", "Провести встречу",
          "Выставить счёт", "Написать инструкцию", "Проверить резервные копии"]  # fmt: skip


@dataclass
class Dataset:
    tasks: int
    user_id: int  # the typical employee whose screens are measured


def _typical(first_id: int, users: int) -> int:
    return first_id + users // 2 + 1  # an employee (not a head: the heads are the first DEPARTMENTS people)


def existing(users: int) -> Dataset | None:
    from kontora.accounts.models import User
    from kontora.tasks.models import Task

    count = Task.all_objects.count()
    if not count:
        return None
    first = User.objects.filter(username="user0").values_list("pk", flat=True).first()
    return Dataset(count, _typical(first, users))


def generate(tasks: int, users: int = 1000) -> Dataset:
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        raise SystemExit("bench.tasks_data loads inside PostgreSQL: point DATABASE_URL at an empty database")
    found = existing(users)
    if found is not None:
        print(f"reusing the {found.tasks:,} tasks already in the database")
        return found
    started = time.perf_counter()
    with transaction.atomic():
        dataset = _load(tasks, users, started)
    with connection.cursor() as cursor:  # autocommit again: VACUUM cannot run in a transaction
        for table in [*TABLES, "accounts_user"]:
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")  # the small tables too (stages, pipelines): autovacuum may be off, as on CI machines
    print(f"vacuum and analyze: {time.perf_counter() - started:.1f} s")
    return dataset


def _people(users: int) -> int:
    """The org through the ORM; returns the first person's id (the ids are consecutive)."""
    from kontora.accounts.models import Department, Role, User

    made = [Department.objects.create(name="Руководство")]
    made += [Department.objects.create(name=f"Отдел {n}", parent=made[0]) for n in range(1, DEPARTMENTS)]
    head_role, employee_role = Role.objects.builtin("head"), Role.objects.builtin("employee")
    people = User.objects.bulk_create(
        User(
            username=f"user{n}",
            first_name=f"Имя{n}",
            last_name=f"Фамилия{n}",
            department=made[n % DEPARTMENTS],
            password="!",
        )  # fmt: skip
        for n in range(users)
    )
    through = User.roles.through
    through.objects.bulk_create(
        through(user_id=user.pk, role_id=(head_role if n < DEPARTMENTS else employee_role).pk)
        for n, user in enumerate(people)
    )
    for n, department in enumerate(made):
        department.head = people[n]
        department.save(update_fields=["head"])
    ids = [user.pk for user in people]
    assert ids == list(range(ids[0], ids[0] + users))
    return ids[0]


def _load(tasks: int, users: int, started: float) -> Dataset:
    from django.db import connection

    from bench.crm_data import _secondary_indexes

    first = _people(users)
    params = {"first": first, "users": users, "tasks": tasks, "span": SPAN_DAYS, "titles": TITLES}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(%s)", [SEED])
        dropped = []
        for table in TABLES:
            for name, definition in _secondary_indexes(cursor, table):
                dropped.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')
        # r: the task's random draws; age in days decides how likely the task is still open
        cursor.execute(
            """
            INSERT INTO tasks_task (id, created_at, updated_at, title, description, status, priority, deadline,
                date_start, closed_at, closed_by_id, status_changed_at, requires_control, allow_change_deadline,
                time_estimate, tags, comments_count, last_comment_at, last_comment_by_id, created_by_id,
                responsible_id)
            SELECT g, created, created, (%(titles)s::text[])[1 + g %% 8] || ' №' || g, '', status,
                CASE WHEN r[4] < 0.15 THEN 2 ELSE 1 END,
                deadline, CASE WHEN status IN (3, 4, 5) THEN created + interval '2 hours' END,
                CASE WHEN status IN (5, 7) THEN closed END, CASE WHEN status IN (5, 7) THEN responsible END,
                COALESCE(closed, created), r[5] < 0.2, false, (r[6] * 8)::int * 3600, '[]', comments,
                CASE WHEN comments > 0 THEN least(now(), created + (r[7] * 20) * interval '1 day') END,
                CASE WHEN comments > 0 THEN CASE WHEN r[8] < 0.5 THEN responsible ELSE creator END END,
                creator, responsible
            FROM (
                SELECT g, r, created, responsible, creator, deadline, status,
                    CASE WHEN status IN (5, 7) THEN CASE WHEN deadline IS NULL OR r[9] < 0.8
                        THEN created + r[10] * (coalesce(deadline, created + interval '10 days') - created)
                        ELSE deadline + r[10] * interval '5 days' END END AS closed,
                    CASE WHEN r[11] < 0.4 THEN 1 + (r[12] * 9)::int ELSE 0 END AS comments
                FROM (
                    SELECT g, r, created,
                        %(first)s + (r[1] * %(users)s)::int %% %(users)s AS responsible,
                        CASE WHEN r[2] < 0.6 THEN %(first)s + (r[1] * %(users)s)::int %% %(users)s
                             ELSE %(first)s + (r[2] * 7919 * %(users)s)::int %% %(users)s END AS creator,
                        CASE WHEN r[3] < 0.8 THEN created + (1 + r[13] * 30) * interval '1 day' END AS deadline,
                        CASE WHEN age > 90 AND r[14] < 0.93 OR age BETWEEN 30 AND 90 AND r[14] < 0.7
                                 OR age < 30 AND r[14] < 0.3 THEN CASE WHEN r[15] < 0.9 THEN 5 ELSE 7 END
                             WHEN r[15] < 0.45 THEN 2 WHEN r[15] < 0.75 THEN 3 WHEN r[15] < 0.85 THEN 4
                             WHEN r[15] < 0.95 THEN 1 ELSE 6 END AS status
                    FROM (
                        SELECT g, r, now() - (r[16] * %(span)s) * interval '1 day' AS created,
                            r[16] * %(span)s AS age
                        FROM (SELECT g, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE g > 0) AS r
                              FROM generate_series(1, %(tasks)s) g) drawn
                    ) aged
                ) shaped
            ) done
            """,
            params,
        )
        print(f"{tasks:,} tasks: {time.perf_counter() - started:.1f} s")
        cursor.execute(
            """
            INSERT INTO tasks_taskmember (task_id, user_id, role)
            SELECT id, %(first)s + (responsible_id - %(first)s + 1 + (random() * (%(users)s - 2))::int) %% %(users)s,
                CASE WHEN random() < 0.5 THEN 'A' ELSE 'U' END
            FROM tasks_task WHERE random() < 0.2
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO tasks_taskmember (task_id, user_id, role)
            SELECT id, %(first)s + (responsible_id - %(first)s + 3 + (random() * (%(users)s - 4))::int) %% %(users)s,
                'U'
            FROM tasks_task WHERE random() < 0.05
            ON CONFLICT DO NOTHING
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO tasks_taskview (task_id, user_id, seen_at)
            SELECT id, responsible_id, CASE WHEN last_comment_at IS NOT NULL AND random() < 0.5
                THEN last_comment_at - interval '1 hour' ELSE coalesce(last_comment_at, created_at) + interval '1 hour'
                END
            FROM tasks_task WHERE last_comment_at IS NOT NULL OR random() < 0.3
            """
        )
        print(f"members and views: {time.perf_counter() - started:.1f} s")
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )
        for definition in dropped:
            cursor.execute(definition)
        print(f"{len(dropped)} indexes rebuilt: {time.perf_counter() - started:.1f} s")
    return Dataset(tasks, _typical(first, users))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1000)
    args = parser.parse_args()
    setup_django()
    generate(args.tasks, args.users)


if __name__ == "__main__":
    main()
