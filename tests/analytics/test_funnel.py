"""The funnel, its conversions, gap and loss reasons, each figure checked against hand-written SQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kontora.analytics.selectors import funnel
from kontora.analytics.selectors.scope import Period, Scope
from kontora.crm import lists
from kontora.crm.models import Category, Status
from tests import factories


def at(moment):
    """A time as the database stores it (SQLite: UTC text), as any SQL client would send it."""
    return connection.ops.adapt_datetimefield_value(moment)


@pytest.fixture
def sales(org):
    people = [org.sales_rep, org.kazan_rep, org.marketing_rep, org.sales_head]
    return factories.make_sales_history(people)


def period() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=59), today)


def sql_reached(stage: Status, owners: list[int] | None, span: Period) -> tuple[int, Decimal]:
    """Deals created in the period that entered the stage or a later in-progress or won stage: bare SQL."""
    owner_sql = f"AND d.responsible_id IN ({','.join(str(pk) for pk in owners)})" if owners is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT COUNT(*), COALESCE(SUM(d.amount), 0) FROM crm_deal d
                WHERE d.category_id = 0 AND d.deleted_at IS NULL AND d.created_at >= %s AND d.created_at < %s
                {owner_sql}
                AND EXISTS (SELECT 1 FROM crm_stagehistory h JOIN crm_status s ON s.id = h.to_stage_id
                            WHERE h.entity_type = 2 AND h.entity_id = d.id AND s.semantics IN ('P', 'S')
                            AND s.sort >= %s)""",  # noqa: S608
            [at(span.start), at(span.end), stage.sort],
        )
        count, amount = cursor.fetchone()
    return count, Decimal(amount)


def sql_lost_at(stage: Status, span: Period) -> int:
    """Lost deals whose furthest in-progress or won stage was this one."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*) FROM crm_deal d JOIN crm_status cur ON cur.id = d.stage_id
               WHERE d.category_id = 0 AND d.deleted_at IS NULL AND d.created_at >= %s AND d.created_at < %s
               AND cur.semantics = 'F'
               AND (SELECT MAX(s.sort) FROM crm_stagehistory h JOIN crm_status s ON s.id = h.to_stage_id
                    WHERE h.entity_type = 2 AND h.entity_id = d.id AND s.semantics IN ('P', 'S')) = %s""",
            [at(span.start), at(span.end), stage.sort],
        )
        return cursor.fetchone()[0]


def sql_losses(span: Period) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT d.loss_reason_id, COUNT(*), COALESCE(SUM(d.amount), 0) FROM crm_deal d
               JOIN crm_status cur ON cur.id = d.stage_id
               WHERE d.category_id = 0 AND d.deleted_at IS NULL AND d.created_at >= %s AND d.created_at < %s
               AND cur.semantics = 'F' GROUP BY d.loss_reason_id""",
            [at(span.start), at(span.end)],
        )
        return {reason: (count, Decimal(amount)) for reason, count, amount in cursor.fetchall()}


def test_every_stage_counts_the_deals_that_reached_it_or_went_further_as_bare_sql_does(sales, admin):
    span = period()
    result = funnel.funnel(admin, Scope(span, Category.objects.get(pk=0)))

    assert [row.stage.status_id for row in result.stages] == [
        "NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON",
    ]  # fmt: skip
    for row in result.stages:
        assert (row.count, row.amount) == sql_reached(row.stage, None, span)
        assert row.lost == sql_lost_at(row.stage, span)
    assert result.stages[0].count > result.stages[-1].count > 0


def test_conversions_are_from_the_previous_and_the_first_stage_and_the_gap_is_the_sharpest_drop(sales, admin):
    result = funnel.funnel(admin, Scope(period(), Category.objects.get(pk=0)))
    counts = [row.count for row in result.stages]

    for index, row in enumerate(result.stages):
        assert row.from_first == round(100 * counts[index] / counts[0], 1)
        if index:
            assert row.from_previous == round(100 * counts[index] / counts[index - 1], 1)
    steps = [(counts[i + 1] / counts[i], i) for i in range(len(counts) - 1) if counts[i]]
    worst = min(steps)[1]
    assert [row.gap for row in result.stages] == [index == worst for index in range(len(counts))]
    assert result.gap is result.stages[worst]


def test_loss_reasons_have_count_amount_and_share_of_the_lost_deals(sales, admin):
    span = period()
    result = funnel.funnel(admin, Scope(span, Category.objects.get(pk=0)))
    expected = sql_losses(span)
    lost = sum(count for count, _amount in expected.values())

    assert {row.reason.pk if row.reason else None: (row.count, row.amount) for row in result.losses} == expected
    for row in result.losses:
        assert row.share == round(100 * row.count / lost, 1)


def test_each_figure_filters_the_crm_deal_list_to_exactly_its_deals(sales, admin):
    span = period()
    result = funnel.funnel(admin, Scope(span, Category.objects.get(pk=0)))

    def ids(bitrix_filter: dict) -> set[int]:
        return set(lists.rows(admin, lists.ListQuery("deal", bitrix_filter)).values_list("pk", flat=True))

    for row in result.stages:
        assert len(ids(row.filter)) == row.count
        assert len(ids(row.lost_filter)) == row.lost
        assert len(ids(row.now_filter)) == row.now
    for row in result.losses:
        assert len(ids(row.filter)) == row.count
    gap = result.gap
    assert ids(gap.filter) == {
        pk for pk, in _rows("""SELECT d.id FROM crm_deal d WHERE d.category_id = 0 AND d.created_at >= %s
            AND d.created_at < %s AND d.deleted_at IS NULL AND EXISTS (SELECT 1 FROM crm_stagehistory h
            JOIN crm_status s ON s.id = h.to_stage_id WHERE h.entity_type = 2 AND h.entity_id = d.id
            AND s.semantics IN ('P', 'S') AND s.sort >= %s)""", [at(span.start), at(span.end), gap.stage.sort])
    }  # fmt: skip


def _rows(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_a_department_head_counts_only_his_departments_deals_and_a_rep_only_his_own(sales, org):
    span = period()
    category = Category.objects.get(pk=0)
    head = funnel.funnel(org.sales_head, Scope(span, category))
    marketing = funnel.funnel(org.marketing_rep, Scope(span, category))
    tree = [org.sales_head.pk, org.sales_rep.pk, org.kazan_rep.pk, org.nobody.pk]

    for row in head.stages:
        assert (row.count, row.amount) == sql_reached(row.stage, tree, span)
    for row in marketing.stages:  # an employee reads their department's deals: Marketing has only Irina's
        assert (row.count, row.amount) == sql_reached(row.stage, [org.marketing_rep.pk, org.reader.pk], span)
    assert funnel.funnel(org.nobody, Scope(span, category)).stages[0].count == 0


def test_the_person_filter_narrows_to_that_persons_deals(sales, org, admin):
    span = period()
    result = funnel.funnel(admin, Scope(span, Category.objects.get(pk=0), person=org.kazan_rep))
    for row in result.stages:
        assert (row.count, row.amount) == sql_reached(row.stage, [org.kazan_rep.pk], span)
    by_department = funnel.funnel(admin, Scope(span, Category.objects.get(pk=0), department=org.sales))
    tree = [org.sales_head.pk, org.sales_rep.pk, org.kazan_rep.pk, org.nobody.pk]
    assert [(r.count, r.amount) for r in by_department.stages] == [
        sql_reached(r.stage, tree, span) for r in result.stages
    ]
