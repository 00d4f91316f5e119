"""Manager activity per person and department, each figure checked against hand-written SQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kontora.analytics.selectors import activity
from kontora.analytics.selectors.scope import Period, Scope
from tests import factories


def at(moment):
    """A time as the database stores it (SQLite: UTC text), as any SQL client would send it."""
    return connection.ops.adapt_datetimefield_value(moment)


@pytest.fixture
def sales(org):
    return factories.make_sales_history([org.sales_rep, org.kazan_rep, org.marketing_rep, org.sales_head], seed=11)


def period() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=29), today)


def sql(query: str, params: list) -> dict:
    """{person id: the row's figures} from a query whose first column is the person."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def expected(span: Period, owners: list[int]) -> dict[int, dict]:
    people = ",".join(str(pk) for pk in owners)
    now = timezone.now()
    result: dict[int, dict] = {}

    def put(rows: dict, *names: str) -> None:
        for person, values in rows.items():
            entry = result.setdefault(person, dict.fromkeys(activity.FIGURES, 0))
            for name, value in zip(names, values, strict=True):
                entry[name] = value

    put(sql(f"""SELECT responsible_id, SUM(CASE WHEN type_id = 2 THEN 1 ELSE 0 END),
                SUM(CASE WHEN type_id = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN type_id = 1 THEN 1 ELSE 0 END), COUNT(*)
                FROM crm_activity WHERE completed AND NOT in_bin AND completed_at >= %s AND completed_at < %s
                AND responsible_id IN ({people}) GROUP BY responsible_id""", [at(span.start), at(span.end)]),  # noqa: S608
        "calls", "emails", "meetings", "done")  # fmt: skip
    put(sql(f"""SELECT responsible_id, COUNT(*) FROM crm_activity WHERE NOT completed AND NOT in_bin
                AND deadline < %s AND responsible_id IN ({people}) GROUP BY responsible_id""", [at(now)]),  # noqa: S608
        "overdue")  # fmt: skip
    put(sql(f"""SELECT responsible_id, COUNT(*) FROM tasks_task WHERE status = 5 AND deleted_at IS NULL
                AND closed_at >= %s AND closed_at < %s AND responsible_id IN ({people})
                GROUP BY responsible_id""", [at(span.start), at(span.end)]),  # noqa: S608
        "tasks")  # fmt: skip
    put(sql(f"""SELECT responsible_id, COUNT(*) FROM crm_deal WHERE deleted_at IS NULL AND created_at >= %s
                AND created_at < %s AND responsible_id IN ({people}) GROUP BY responsible_id""",  # noqa: S608
            [at(span.start), at(span.end)]), "created")  # fmt: skip
    put(sql(f"""SELECT h.moved_by_id, COUNT(*) FROM crm_stagehistory h
                JOIN crm_status t ON t.id = h.to_stage_id JOIN crm_status f ON f.id = h.from_stage_id
                JOIN crm_deal d ON d.id = h.entity_id AND d.deleted_at IS NULL
                WHERE h.entity_type = 2 AND h.moved_at >= %s AND h.moved_at < %s AND t.semantics IN ('P', 'S')
                AND t.sort > f.sort AND h.moved_by_id IN ({people}) AND d.responsible_id IN ({people})
                GROUP BY h.moved_by_id""", [at(span.start), at(span.end)]),  # noqa: S608
        "moved")  # fmt: skip
    put(sql(f"""SELECT d.responsible_id, SUM(CASE WHEN s.semantics = 'S' THEN 1 ELSE 0 END),
                SUM(CASE WHEN s.semantics = 'F' THEN 1 ELSE 0 END),
                COALESCE(SUM(CASE WHEN s.semantics = 'S' THEN d.amount END), 0)
                FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id WHERE d.deleted_at IS NULL
                AND d.moved_at >= %s AND d.moved_at < %s AND s.semantics IN ('S', 'F')
                AND d.responsible_id IN ({people}) GROUP BY d.responsible_id""",  # noqa: S608
            [at(span.start), at(span.end)]), "won", "lost", "won_amount")  # fmt: skip
    return result


def figures_of(row) -> dict:
    return {name: getattr(row, name) for name in activity.FIGURES}


def normalized(rows: dict[int, dict]) -> dict[int, dict]:
    return {
        person: {name: Decimal(value) if name == "won_amount" else int(value) for name, value in values.items()}
        for person, values in rows.items()
        if any(values.values())
    }


def test_each_persons_figures_are_what_bare_sql_counts(sales, org, admin):
    span = period()
    report = activity.report(admin, Scope(span))
    everyone = [person.pk for person in org.people()]

    got = {row.person.pk: figures_of(row) for department in report.departments for row in department.people}
    assert normalized(got) == normalized(expected(span, everyone))
    assert report.total.calls == sum(row["calls"] for row in got.values())


def test_departments_add_up_their_people_and_sorting_orders_by_the_figure(sales, admin):
    report = activity.report(admin, Scope(period()), sort="won", descending=True)
    for department in report.departments:
        assert department.won == sum(person.won for person in department.people)
        assert [person.won for person in department.people] == sorted(
            (person.won for person in department.people), reverse=True
        )


def test_a_head_sees_his_departments_people_and_a_rep_only_himself(sales, org):
    span = period()
    head = activity.report(org.sales_head, Scope(span))
    tree = [org.sales_head.pk, org.sales_rep.pk, org.kazan_rep.pk, org.nobody.pk]
    got = {row.person.pk: figures_of(row) for department in head.departments for row in department.people}
    assert set(got) <= set(tree)
    assert normalized(got) == normalized(expected(span, tree))


def test_the_chart_series_sums_to_the_table(sales, admin):
    report = activity.report(admin, Scope(period()), grain="week")
    assert sum(report.series["calls"]) == report.total.calls
    assert sum(report.series["tasks"]) == report.total.tasks
    assert sum(report.series["won"]) == report.total.won
    assert report.series["labels"] == sorted(report.series["labels"])
