"""Task screens at company scale: Kontora's selectors against bare SQL returning the same numbers and rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_tasks \\
        .venv/bin/python -m bench.bench_tasks [--tasks 1000000] [--repeat 15]

Generates the data set with bench.tasks_data on first use (an existing one is reused). The user is a typical
employee (about a thousand tasks as responsible, a few hundred more as co-executor, observer or creator).
"""

import argparse

from bench import tasks_data
from bench.harness import report, setup_django

# The six counters by hand: what needs the person (doing: responsible or co-executor), one statement.
COUNTERS_SQL = """
WITH doing AS (
    SELECT t.* FROM tasks_task t WHERE t.deleted_at IS NULL AND t.status IN (1, 2, 3, 6) AND t.responsible_id = %(me)s
    UNION
    SELECT t.* FROM tasks_task t JOIN tasks_taskmember m ON m.task_id = t.id AND m.user_id = %(me)s AND m.role = 'A'
    WHERE t.deleted_at IS NULL AND t.status IN (1, 2, 3, 6)
), mine AS (
    SELECT id, last_comment_at, last_comment_by_id FROM tasks_task
    WHERE deleted_at IS NULL AND last_comment_at IS NOT NULL AND (responsible_id = %(me)s OR created_by_id = %(me)s)
    UNION
    SELECT t.id, t.last_comment_at, t.last_comment_by_id FROM tasks_task t
    JOIN tasks_taskmember m ON m.task_id = t.id AND m.user_id = %(me)s
    WHERE t.deleted_at IS NULL AND t.last_comment_at IS NOT NULL
)
SELECT
    (SELECT count(*) FROM doing d WHERE d.created_by_id <> %(me)s
        AND NOT EXISTS (SELECT 1 FROM tasks_taskview v WHERE v.task_id = d.id AND v.user_id = %(me)s)),
    (SELECT count(*) FROM doing WHERE deadline < now()),
    (SELECT count(*) FROM doing WHERE deadline >= now() AND deadline < now() + interval '24 hours'),
    (SELECT count(*) FROM tasks_task WHERE deleted_at IS NULL AND responsible_id = %(me)s
        AND status IN (1, 2, 3, 6) AND deadline IS NULL AND created_by_id <> %(me)s),
    (SELECT count(*) FROM mine c LEFT JOIN tasks_taskview v ON v.task_id = c.id AND v.user_id = %(me)s
        WHERE c.last_comment_by_id IS DISTINCT FROM %(me)s AND (v.seen_at IS NULL OR v.seen_at < c.last_comment_at)
        AND NOT (v.task_id IS NULL AND c.id IN (SELECT id FROM doing WHERE created_by_id <> %(me)s))),
    (SELECT count(*) FROM tasks_task WHERE deleted_at IS NULL AND created_by_id = %(me)s AND status = 4
        AND responsible_id <> %(me)s)
"""
DOING_SQL = """
SELECT t.*, c.*, r.*, p.*, c.last_name AS creator_name, r.last_name AS responsible_name, p.name AS project_name
FROM tasks_task t JOIN accounts_user c ON c.id = t.created_by_id JOIN accounts_user r ON r.id = t.responsible_id
LEFT JOIN tasks_project p ON p.id = t.project_id
WHERE t.deleted_at IS NULL AND t.responsible_id = %s ORDER BY t.id DESC LIMIT 50
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from kontora.accounts.models import User
    from kontora.tasks import selectors
    from kontora.tasks.selectors import COUNTERS

    data = tasks_data.generate(args.tasks, args.users)
    me = data.user_id
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE responsible_id = %s), count(*) FILTER (WHERE created_by_id = %s) "
            "FROM tasks_task",
            [me, me],
        )
        doing, created = cursor.fetchone()
    print(f"{data.tasks:,} tasks; user {me} is responsible for {doing:,} and set {created:,}")

    def kontora_counters() -> list[int]:
        values = selectors.counters(me)
        return [values[key] for key in COUNTERS]

    def bare_counters() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(COUNTERS_SQL, {"me": me})
            return list(cursor.fetchone())

    found = kontora_counters()
    assert found == bare_counters(), (found, bare_counters())
    print("counters:", dict(zip(COUNTERS, found, strict=True)))
    report("(a) the six counters of an employee", kontora_counters, bare_counters, args.repeat)

    def kontora_doing() -> list[tuple]:
        user = User.objects.get(pk=me)  # a new request
        rows = selectors.with_list_columns(selectors.tasks_for(user, "doing")).order_by("-id")[:50]
        return [
            (task.pk, task.title, task.created_by.last_name, task.responsible.last_name,
             task.project.name if task.project else None)
            for task in rows
        ]  # fmt: skip

    def bare_doing() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [me])
            cursor.fetchone()
            cursor.execute(DOING_SQL, [me])
            names = {}
            for position, column in enumerate(cursor.description):
                names.setdefault(column.name, position)
            columns = ("id", "title", "creator_name", "responsible_name", "project_name")
            return [tuple(row[names[column]] for column in columns) for row in cursor.fetchall()]

    assert kontora_doing() == bare_doing()
    report('(b) "Doing", first page of 50 with the list columns', kontora_doing, bare_doing, args.repeat)


if __name__ == "__main__":
    main()
