"""The permission gate at company scale: listing what a head of department may see, against bare SQL.

    .venv/bin/python -m bench.bench_access [--people 20000] [--departments 200]

Generates a department tree and people, then compares `accounts.selectors.people(head)` (role resolution,
department tree, the gate's filter, ORM) with one hand-written SQL query returning the same rows.
"""

import argparse
import random

from bench.harness import report, setup_django


def generate(people: int, departments: int) -> dict:
    from kontora.accounts.models import Department, Role, User

    rng = random.Random(2026)  # noqa: S311  reproducible data, not security
    roots = [Department.objects.create(name="Board")]
    for index in range(1, departments):
        roots.append(Department.objects.create(name=f"Department {index}", parent=rng.choice(roots[: max(1, index)])))
    employee = Role.objects.builtin("employee")
    users = [
        User(
            username=f"user{index}",
            first_name=f"Name{index}",
            last_name=f"Surname{index}",
            department=rng.choice(roots),
            password="!",
        )
        for index in range(people)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    through = User.roles.through
    ids = list(User.objects.values_list("pk", flat=True))
    through.objects.bulk_create([through(user_id=pk, role_id=employee.pk) for pk in ids], batch_size=5000)
    head = User.objects.create(username="head", first_name="Head", department=roots[1], password="!")
    head.roles.set([Role.objects.builtin("head")])
    roots[1].head = head
    roots[1].save()
    return {"head": head, "department": roots[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--departments", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from kontora.accounts import access, selectors
    from kontora.accounts.models import User

    data = generate(args.people, args.departments)
    head_id = data["head"].pk
    subtree = sorted(access.DepartmentTree.load().subtree([data["department"].pk]))
    print(f"{args.people} people in {args.departments} departments; the head's tree has {len(subtree)} departments")

    def kontora_people() -> int:
        head = User.objects.get(pk=head_id)  # a new request: the access context is computed afresh
        rows = access.visible(head, User, "export").filter(is_active=True).order_by("last_name", "first_name")
        return len(list(rows.values_list("pk", "last_name", "department__name")))

    def bare_people() -> int:
        marks = ",".join(["%s"] * len(subtree))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.id, u.last_name, d.name FROM accounts_user u "
                "LEFT JOIN accounts_department d ON d.id = u.department_id "
                f"WHERE u.is_active AND (u.id = %s OR u.department_id IN ({marks})) "  # noqa: S608
                "ORDER BY u.last_name, u.first_name",
                [head_id, *subtree],
            )
            return len(cursor.fetchall())

    assert kontora_people() == bare_people()
    report("export-level people list for a head (whole tree)", kontora_people, bare_people)

    def kontora_search() -> int:
        head = User.objects.get(pk=head_id)
        return len(list(selectors.people(head, "Surname12").values_list("pk", flat=True)))

    def bare_search() -> int:
        columns = [
            "u.first_name",
            "u.last_name",
            "u.middle_name",
            "u.username",
            "u.email",
            "u.position",
            "u.phone",
            "d.name",
        ]
        # Case-insensitive in any alphabet, as the directory search is (Kontora makes SQLite's lower() Unicode-aware).
        pattern = "LOWER({}) LIKE %s"
        where = " OR ".join(pattern.format(column) for column in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.id FROM accounts_user u LEFT JOIN accounts_department d ON d.id = u.department_id "
                f"WHERE u.is_active AND ({where}) ORDER BY u.last_name, u.first_name",  # noqa: S608
                ["%surname12%"] * len(columns),
            )
            return len(cursor.fetchall())

    assert kontora_search() == bare_search()
    report("people directory search (everyone reads the directory)", kontora_search, bare_search)


if __name__ == "__main__":
    main()
