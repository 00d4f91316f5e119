"""Sales KPIs for a period and the one before it, each checked against hand-written SQL."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kontora.analytics.selectors import kpi
from kontora.analytics.selectors.scope import Period, Scope
from tests import factories


def at(moment):
    """A time as the database stores it (SQLite: UTC text), as any SQL client would send it."""
    return connection.ops.adapt_datetimefield_value(moment)


@pytest.fixture
def sales(org):
    return factories.make_sales_history([org.sales_rep, org.kazan_rep, org.marketing_rep, org.sales_head], seed=3)


def period() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=44), today)


def one(query: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def all_rows(query: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def moment(value) -> datetime:
    """SQLite gives times back in UTC without a zone, aggregated ones as text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def sql_figures(span: Period) -> dict:
    won, lost, revenue = one(
        """SELECT SUM(CASE WHEN s.semantics = 'S' THEN 1 ELSE 0 END),
           SUM(CASE WHEN s.semantics = 'F' THEN 1 ELSE 0 END),
           COALESCE(SUM(CASE WHEN s.semantics = 'S' THEN d.amount END), 0)
           FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id
           WHERE d.deleted_at IS NULL AND d.closed AND d.moved_at >= %s AND d.moved_at < %s""",
        [at(span.start), at(span.end)],
    )
    leads, converted = one(
        """SELECT COUNT(*), SUM(CASE WHEN s.semantics = 'S' THEN 1 ELSE 0 END) FROM crm_lead l
           JOIN crm_status s ON s.id = l.status_id WHERE l.deleted_at IS NULL AND l.created_at >= %s
           AND l.created_at < %s""",
        [at(span.start), at(span.end)],
    )
    spans = all_rows(
        """SELECT d.created_at, MIN(h.moved_at) FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id
           JOIN crm_stagehistory h ON h.entity_type = 2 AND h.entity_id = d.id
           JOIN crm_status hs ON hs.id = h.to_stage_id AND hs.semantics = 'S'
           WHERE d.deleted_at IS NULL AND s.semantics = 'S' AND d.moved_at >= %s AND d.moved_at < %s
           AND h.moved_at >= %s AND h.moved_at < %s GROUP BY d.id, d.created_at""",
        [at(span.start), at(span.end), at(span.start), at(span.end)],
    )
    return {
        "won": int(won or 0), "lost": int(lost or 0), "revenue": Decimal(revenue), "leads": leads,
        "converted": int(converted or 0), "spans": spans,
    }  # fmt: skip


def test_closed_won_revenue_average_win_rate_and_conversion_match_bare_sql(sales, admin):
    span = period()
    result = kpi.kpi(admin, Scope(span))
    for figures, expected_span in ((result.current, span), (result.previous, span.previous())):
        expected = sql_figures(expected_span)
        assert (figures.won, figures.lost, figures.revenue) == (expected["won"], expected["lost"], expected["revenue"])
        assert figures.closed == expected["won"] + expected["lost"]
        assert (figures.leads, figures.converted) == (expected["leads"], expected["converted"])
        if expected["won"]:
            assert figures.average_deal == (expected["revenue"] / expected["won"]).quantize(Decimal("0.01"))
            assert figures.win_rate == round(100 * expected["won"] / (expected["won"] + expected["lost"]), 1)
        days = [(moment(won) - moment(created)).total_seconds() / 86400 for created, won in expected["spans"]]
        assert figures.cycle_days == (round(sum(days) / len(days), 1) if days else None)
    assert result.current.won > 0


def test_average_days_in_each_stage_match_bare_sql(sales, admin):
    span = period()
    result = kpi.kpi(admin, Scope(span))
    expected = {
        stage: (round(float(seconds) / 86400, 1), count)
        for stage, seconds, count in all_rows(
            """SELECT h.from_stage_id, AVG(h.seconds_in_previous), COUNT(*) FROM crm_stagehistory h
               JOIN crm_deal d ON d.id = h.entity_id AND d.deleted_at IS NULL
               WHERE h.entity_type = 2 AND h.moved_at >= %s AND h.moved_at < %s AND h.from_stage_id IS NOT NULL
               AND h.seconds_in_previous IS NOT NULL GROUP BY h.from_stage_id""",
            [at(span.start), at(span.end)],
        )
    }
    assert {item.stage.pk: (item.days, item.moves) for item in result.stage_times} == expected


def test_new_clients_and_repeat_sales_follow_the_companies_earlier_wins(sales, admin):
    span = period()
    result = kpi.kpi(admin, Scope(span))
    won = all_rows(
        """SELECT d.company_id FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id WHERE d.deleted_at IS NULL
           AND s.semantics = 'S' AND d.moved_at >= %s AND d.moved_at < %s AND d.company_id IS NOT NULL""",
        [at(span.start), at(span.end)],
    )
    earlier = {
        company
        for (company,) in all_rows(
            """SELECT DISTINCT d.company_id FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id
               WHERE d.deleted_at IS NULL AND s.semantics = 'S' AND d.moved_at < %s AND d.company_id IS NOT NULL""",
            [at(span.start)],
        )
    }
    companies = [company for (company,) in won]
    # the generated deals link contacts only through companies, so companies are the clients here
    assert result.current.repeat_sales == sum(1 for company in companies if company in earlier)
    assert result.current.new_clients == len({company for company in companies if company not in earlier})


def test_a_rep_sees_only_his_departments_figures(sales, org):
    span = period()
    mine = kpi.figures(org.marketing_rep, Scope(span))
    won = one(
        """SELECT COUNT(*) FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id WHERE d.deleted_at IS NULL
           AND s.semantics = 'S' AND d.moved_at >= %s AND d.moved_at < %s AND d.responsible_id IN (%s, %s)""",
        [at(span.start), at(span.end), org.marketing_rep.pk, org.reader.pk],
    )[0]
    assert mine.won == won
