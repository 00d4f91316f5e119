"""Task reports: every figure against hand-written SQL on generated data; only visible tasks; CSV and Excel files."""

import csv
import io
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kontora.accounts import services as accounts
from kontora.tasks import reports
from kontora.tasks.choices import MemberRole, Status
from kontora.tasks.models import Task, TaskMember, TimeEntry
from tests.factories import make_project, make_task

OPEN = "(1, 2, 3, 6)"


def _generate(org, now, seed: int = 7) -> None:
    """Sixty tasks among five people: statuses, deadlines either side of the closing, time entries, members."""
    rng = random.Random(seed)  # noqa: S311  reproducible test data
    people = [org.sales_head, org.sales_rep, org.kazan_rep, org.marketing_rep, org.director]
    for number in range(60):
        creator, responsible = rng.choice(people), rng.choice(people)
        others = [person for person in people if person.pk not in (creator.pk, responsible.pk)]
        task = make_task(
            f"Задача {number}", by=creator, responsible=responsible, time_estimate=rng.choice([0, 1800, 3600, 7200]),
            accomplices=[rng.choice(others)] if rng.random() < 0.3 else [],
            deadline=now + timedelta(hours=rng.randint(-24 * 40, 24 * 10)) if rng.random() < 0.8 else None,
        )  # fmt: skip
        status = rng.choice([Status.NEW, Status.PENDING, Status.IN_PROGRESS, Status.AWAITING_CONTROL,
                             Status.COMPLETED, Status.COMPLETED, Status.DEFERRED])  # fmt: skip
        closed = now - timedelta(days=rng.randint(0, 50), minutes=rng.randint(0, 600))
        # test data: a closing in the past, which no service would write
        Task.objects.filter(pk=task.pk).update(status=status, closed_at=closed if status == Status.COMPLETED else None)
        for _ in range(rng.randint(0, 3)):
            TimeEntry.objects.create(
                task=task, user=rng.choice(people), seconds=rng.randint(60, 9000),
                started_at=now - timedelta(days=rng.randint(0, 45), seconds=rng.randint(0, 9999)),
                stopped_at=now - timedelta(days=1),
            )  # fmt: skip
    running = Task.objects.filter(status=Status.IN_PROGRESS).order_by("pk")[:3]
    for index, task in enumerate(running):
        TimeEntry.objects.create(task=task, user=people[index], seconds=120,
                                 started_at=now - timedelta(seconds=1000 * (index + 1)))  # fmt: skip


def _visible_sql(user) -> tuple[str, list]:
    """By hand: what an administrator and an employee may read (OWN: participants; projects' members)."""
    if user.username == "admin":
        return "t.deleted_at IS NULL", []
    return (
        "t.deleted_at IS NULL AND (t.responsible_id = %s OR t.created_by_id = %s "
        "OR t.id IN (SELECT task_id FROM tasks_taskmember WHERE user_id = %s) "
        "OR t.project_id IN (SELECT project_id FROM tasks_projectmember WHERE user_id = %s AND role <> 'Z'))",
        [user.pk] * 4,
    )


def _elapsed_sql() -> str:
    if connection.vendor == "postgresql":
        return "CAST(EXTRACT(EPOCH FROM (%s - e.started_at)) AS INTEGER)"
    return "CAST(ROUND((julianday(%s) - julianday(e.started_at)) * 86400) AS INTEGER)"


def _sql_figures(user, period, now, group: str) -> dict:
    """{group value: (on_time, late, overdue, spent, estimate)}, group being t.responsible_id or u.department_id."""
    visible, vis_params = _visible_sql(user)
    adapt = connection.ops.adapt_datetimefield_value
    start, end, at = adapt(period.start), adapt(period.end), adapt(now)
    join = "FROM tasks_task t JOIN accounts_user u ON u.id = t.responsible_id"
    queries = {
        "completed": (
            f"SELECT {group}, SUM(CASE WHEN t.deadline IS NULL OR t.closed_at <= t.deadline THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN t.closed_at > t.deadline THEN 1 ELSE 0 END) {join} WHERE {visible} "
            f"AND t.status = 5 AND t.closed_at >= %s AND t.closed_at < %s GROUP BY {group}",
            [*vis_params, start, end],
        ),
        "overdue": (
            f"SELECT {group}, COUNT(*) {join} WHERE {visible} AND t.status IN {OPEN} AND t.deadline < %s "
            f"GROUP BY {group}",
            [*vis_params, at],
        ),
        "spent": (
            f"SELECT {group}, SUM(CASE WHEN e.stopped_at IS NULL THEN e.seconds + {_elapsed_sql()} ELSE e.seconds "
            f"END) {join} JOIN tasks_timeentry e ON e.task_id = t.id WHERE {visible} AND e.started_at >= %s "
            f"AND e.started_at < %s GROUP BY {group}",
            [at, *vis_params, start, end],
        ),
        "estimate": (
            f"SELECT {group}, SUM(t.time_estimate) {join} WHERE {visible} AND (EXISTS (SELECT 1 FROM tasks_timeentry "
            "e WHERE e.task_id = t.id AND e.started_at >= %s AND e.started_at < %s) OR (t.status = 5 AND "
            f"t.closed_at >= %s AND t.closed_at < %s)) GROUP BY {group}",
            [*vis_params, start, end, start, end],
        ),
    }
    figures: dict = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            cursor.execute(sql, params)
            for key, *values in cursor.fetchall():
                row = figures.setdefault(key, [0, 0, 0, 0, 0])
                if name == "completed":
                    row[0], row[1] = int(values[0]), int(values[1])
                else:
                    row[{"overdue": 2, "spent": 3, "estimate": 4}[name]] = int(values[0] or 0)
    return {key: tuple(row) for key, row in figures.items() if any(row)}


def _figures(row) -> tuple:
    return (row.on_time, row.late, row.overdue, row.spent, row.estimate)


@pytest.mark.parametrize("viewer", ["admin", "sales_rep"])
def test_every_figure_matches_bare_sql(org, viewer):
    # given generated tasks, closings, time entries and running timers
    now = timezone.now().replace(microsecond=0)
    _generate(org, now)
    user = getattr(org, viewer)
    period = reports.Period(timezone.localdate() - timedelta(days=30), timezone.localdate())

    # when
    result = reports.report(user, period, now=now)

    # then
    people = {row.person.pk: _figures(row) for row in result.people}
    departments = {row.department.pk if row.department else None: _figures(row) for row in result.departments}
    assert people == _sql_figures(user, period, now, "t.responsible_id")
    assert departments == _sql_figures(user, period, now, "u.department_id")
    totals = [sum(values) for values in zip(*people.values(), strict=False)]
    assert _figures(result.total) == tuple(totals)
    assert result.total.completed > 0 and result.total.overdue > 0 and result.total.spent > 0


def test_employee_report_never_counts_tasks_he_cannot_see(org):
    # given a task of Irina's that Anna has nothing to do with, and one Anna observes
    now = timezone.now()
    hidden = make_task("Чужая", by=org.marketing_rep, time_estimate=3600, deadline=now - timedelta(days=2))
    seen = make_task("Наблюдаю", by=org.marketing_rep, auditors=[org.sales_rep], deadline=now - timedelta(days=1))
    Task.objects.filter(pk=hidden.pk).update(status=Status.COMPLETED, closed_at=now - timedelta(hours=1))
    TimeEntry.objects.create(task=hidden, user=org.marketing_rep, seconds=600, stopped_at=now)
    period = reports.preset_period("this_month")

    # when
    anna = reports.report(org.sales_rep, period, now=now)
    admin = reports.report(org.admin, period, now=now)

    # then Anna sees only the observed task's lateness; the administrator sees both
    assert [(_figures(row), row.person) for row in anna.people] == [((0, 0, 1, 0, 0), org.marketing_rep)]
    assert _figures(admin.people[0]) == (0, 1, 1, 600, 3600)
    assert seen.pk != hidden.pk


def test_periods_presets():
    today = timezone.localdate().replace(year=2026, month=5, day=17)

    assert reports.preset_period("this_month", today) == reports.Period(today.replace(day=1), today.replace(day=31))
    assert reports.preset_period("last_month", today) == reports.Period(
        today.replace(month=4, day=1), today.replace(month=4, day=30)
    )
    assert reports.preset_period("this_quarter", today) == reports.Period(
        today.replace(month=4, day=1), today.replace(month=6, day=30)
    )


def test_sorting_by_a_column_orders_people_and_departments(org):
    now = timezone.now()
    for person, count in ((org.sales_rep, 1), (org.sales_head, 3), (org.kazan_rep, 2)):
        for _ in range(count):
            make_task(by=person, deadline=now - timedelta(days=1))

    result = reports.report(org.admin, reports.preset_period("this_month"), sort="overdue", descending=True)

    assert [row.department.name for row in result.departments] == ["Sales", "Kazan"]
    assert [row.person.username for row in result.departments[0].people] == ["oleg", "anna"]
    assert result.departments[0].overdue == 4


def test_page_shows_people_departments_and_help(client, org):
    make_task("Просроченная", by=org.sales_rep, deadline=timezone.now() - timedelta(days=1))
    accounts.set_language(org.sales_head, "en")
    client.force_login(org.sales_head)

    response = client.get(reverse("tasks:reports"), {"preset": "last_month", "sort": "-overdue"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-person="{org.sales_rep.pk}"' in page
    assert f'data-department="{org.sales.pk}"' in page
    assert 'data-figure="overdue"><span class="overdue">1</span>' in page
    assert "running timers count up to now" in page


def test_csv_export_has_people_subtotals_and_total(client, org):
    now = timezone.now()
    task = make_task("Готово", by=org.sales_rep, deadline=now + timedelta(days=1), time_estimate=7200)
    Task.objects.filter(pk=task.pk).update(status=Status.COMPLETED, closed_at=now)
    TimeEntry.objects.create(task=task, user=org.sales_rep, seconds=5400, stopped_at=now)
    accounts.set_language(org.sales_rep, "en")
    client.force_login(org.sales_rep)

    response = client.get(reverse("tasks:reports"), {"preset": "this_month", "export": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Department", "Responsible", "Completed on time"]
    assert rows[1:] == [
        ["Sales", org.sales_rep.full_name, "1", "0", "1", "100", "0", "1.5", "2.0"],
        ["Sales", "Department total", "1", "0", "1", "100", "0", "1.5", "2.0"],
        ["Total", "", "1", "0", "1", "100", "0", "1.5", "2.0"],
    ]


def test_xlsx_export_and_export_right(client, org):
    # given a project task Anna sees as a member, which her "export" right (own tasks only) does not reach
    project = make_project(by=org.marketing_rep, members=[org.sales_rep])
    make_task(by=org.marketing_rep, project=project, deadline=timezone.now() - timedelta(days=1))
    make_task(by=org.sales_rep, deadline=timezone.now() - timedelta(days=1))
    accounts.set_language(org.sales_rep, "en")
    client.force_login(org.sales_rep)

    page = client.get(reverse("tasks:reports"))
    response = client.get(reverse("tasks:reports"), {"export": "xlsx"})

    assert f'data-person="{org.marketing_rep.pk}"' in page.content.decode()
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:2] == ["Sales", org.sales_rep.full_name]
    assert values[-1][:7] == ["Total", None, 0, 0, 0, None, 1]
    assert not TaskMember.objects.filter(user=org.sales_rep, role=MemberRole.AUDITOR).exists()


def test_reader_without_export_right_gets_404_for_files(client, org):
    accounts.set_language(org.reader, "en")
    client.force_login(org.reader)

    assert client.get(reverse("tasks:reports")).status_code == 200
    assert client.get(reverse("tasks:reports"), {"export": "csv"}).status_code == 404
