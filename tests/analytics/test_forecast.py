"""The revenue forecast: open deals by close month, weighted by probability or the stage's historical win share."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kontora.analytics.selectors import forecast
from kontora.analytics.selectors.scope import Scope, month_period
from kontora.crm import lists
from kontora.crm.models import Category
from tests import factories


@pytest.fixture
def sales(org):
    return factories.make_sales_history([org.sales_rep, org.kazan_rep, org.marketing_rep, org.sales_head], seed=5)


def sql_chances() -> dict[int, float]:
    """Per in-progress or won stage: of the closed deals whose furthest stage is it or later, the share won."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT st.id, COUNT(d.id), SUM(CASE WHEN cur.semantics = 'S' THEN 1 ELSE 0 END)
               FROM crm_status st
               LEFT JOIN crm_deal d ON d.category_id = st.category_id AND d.closed AND d.deleted_at IS NULL
                 AND (SELECT MAX(s.sort) FROM crm_stagehistory h JOIN crm_status s ON s.id = h.to_stage_id
                      WHERE h.entity_type = 2 AND h.entity_id = d.id AND s.semantics IN ('P', 'S')) >= st.sort
               LEFT JOIN crm_status cur ON cur.id = d.stage_id
               WHERE st.category_id = 0 AND st.semantics IN ('P', 'S') GROUP BY st.id"""
        )
        return {stage: (won or 0) / total if total else 0.0 for stage, total, won in cursor.fetchall()}


def sql_open(first: date, end: date, today: date) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT amount, probability, stage_id, close_date FROM crm_deal WHERE deleted_at IS NULL
               AND NOT closed AND category_id = 0 AND close_date >= %s AND close_date < %s""",
            [max(first, today), end],
        )
        return cursor.fetchall()


def test_expected_revenue_per_month_weights_each_deal_as_bare_sql_says(sales, admin):
    today = timezone.localdate()
    scope = Scope(month_period(today), Category.objects.get(pk=0))
    months = forecast.forecast(admin, scope, months=6, today=today)
    chances = sql_chances()

    assert len(months) == 6 and months[0].first == today.replace(day=1)
    assert forecast.stage_chances(admin, scope) == pytest.approx(chances)
    total_count = 0
    for index, month in enumerate(months):
        end = months[index + 1].first if index + 1 < len(months) else forecast._add_months(month.first, 1)
        rows = sql_open(month.first, end, today)
        expected = sum(
            (Decimal(amount) * (Decimal(p) / 100 if p is not None else Decimal(str(chances[stage])))
             for amount, p, stage, _close in rows),
            Decimal(0),
        )  # fmt: skip
        assert month.count == len(rows)
        assert month.amount == sum((Decimal(row[0]) for row in rows), Decimal(0))
        assert month.expected == expected.quantize(Decimal("0.01"))
        assert len(lists.rows(admin, lists.ListQuery("deal", month.filter))) == month.count
        total_count += month.count
    assert total_count > 0


def test_a_rep_forecasts_only_the_deals_he_may_see(sales, org):
    today = timezone.localdate()
    months = forecast.forecast(org.marketing_rep, Scope(month_period(today), Category.objects.get(pk=0)), today=today)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*) FROM crm_deal WHERE deleted_at IS NULL AND NOT closed AND category_id = 0
               AND close_date >= %s AND responsible_id IN (%s, %s)""",
            [today, org.marketing_rep.pk, org.reader.pk],
        )
        visible = cursor.fetchone()[0]
    assert sum(month.count for month in months) <= visible
    assert all(
        deal.responsible_id in (org.marketing_rep.pk, org.reader.pk)
        for month in months
        for deal in lists.rows(org.marketing_rep, lists.ListQuery("deal", month.filter))
    )
