"""The report builder: grouped figures over what the viewer may see, checked against hand-written SQL."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kontora.analytics.builder import engine
from kontora.analytics.builder.engine import Definition, Dimension, Measure
from kontora.core.errors import Invalid
from kontora.crm import services as crm
from kontora.crm.choices import EntityType
from kontora.crm.models import Deal
from kontora.crm.services.fields import create_field
from tests import factories

pytestmark = pytest.mark.django_db

MONTHS = {"jan": (2026, 1, 14), "feb": (2026, 2, 10), "mar": (2026, 3, 20)}


def _deal(owner, amount: int, month: str, region: str = "", budget: int | None = None, won: bool = False) -> Deal:
    custom = {}
    if region:
        custom["UF_CRM_REGION"] = region
    if budget is not None:
        custom["UF_CRM_BUDGET"] = budget
    deal = factories.make_deal(by=owner, amount=Decimal(amount), custom=custom)
    if won:
        crm.move_deal(deal, factories.stage("WON"), by=owner)
    moment = timezone.make_aware(datetime(*MONTHS[month], 12))  # noqa: DTZ001
    Deal.objects.filter(pk=deal.pk).update(created_at=moment)
    return deal


@pytest.fixture
def deals(org):
    create_field(by=org.admin, entity_type=EntityType.DEAL, kind="string", label_ru="Регион", code="REGION")
    create_field(by=org.admin, entity_type=EntityType.DEAL, kind="double", label_ru="Бюджет", code="BUDGET")
    return [
        _deal(org.sales_rep, 100, "jan", "Москва", 10, won=True),
        _deal(org.sales_rep, 250, "jan", "Казань", 20),
        _deal(org.sales_rep, 300, "feb", "Москва", 5, won=True),
        _deal(org.kazan_rep, 700, "feb", "Казань", 40, won=True),
        _deal(org.kazan_rep, 50, "mar", "", None),
        _deal(org.marketing_rep, 999, "jan", "Москва", 1, won=True),
        _deal(org.sales_head, 120, "mar", "Москва", 3),
    ]


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE 'Europe/Moscow', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column})"


def _sql(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _ids(*users) -> list[int]:
    return [user.pk for user in users]


def _visible_to(org, viewer) -> list[int]:
    """Whose deals a viewer reads, written out from the org chart: heads their subtree, employees their department."""
    return {
        org.admin.pk: _ids(*org.people()),
        org.sales_head.pk: _ids(org.sales_head, org.sales_rep, org.kazan_rep, org.nobody),
        org.sales_rep.pk: _ids(org.sales_head, org.sales_rep, org.nobody),
        org.marketing_rep.pk: _ids(org.marketing_rep, org.reader),
    }[viewer.pk]


@pytest.mark.parametrize("viewer_case", ["admin", "sales_head", "sales_rep", "marketing_rep"])
def test_two_dimensions_stage_by_month_match_bare_sql(org, deals, viewer_case):
    viewer = getattr(org, viewer_case)
    definition = Definition("deal", {}, [Dimension("STAGE_ID"), Dimension("DATE_CREATE", "month")],
                            [Measure("count"), Measure("sum", "OPPORTUNITY")])  # fmt: skip
    result = engine.run(viewer, definition)

    owners = _visible_to(org, viewer)
    marks = ", ".join(["%s"] * len(owners))
    expected = {
        (stage, month): (count, Decimal(str(total)).quantize(Decimal("0.01")))
        for stage, month, count, total in _sql(
            f"SELECT s.status_id, {_month_sql('d.created_at')}, COUNT(*), SUM(d.amount) FROM crm_deal d "
            f"JOIN crm_status s ON s.id = d.stage_id WHERE d.deleted_at IS NULL AND d.responsible_id IN ({marks}) "
            "GROUP BY 1, 2",
            owners,
        )
    }
    stage_codes = dict(factories.stage("WON").__class__.objects.values_list("pk", "status_id"))
    got = {
        (stage_codes[row.keys[0]], row.keys[1].strftime("%Y-%m")): (row.values[0],
                                                                     Decimal(row.values[1]).quantize(Decimal("0.01")))
        for row in result.rows
    }  # fmt: skip
    assert got == expected
    assert sum(count for count, _ in expected.values()) == len(
        [deal for deal in deals if deal.responsible_id in owners])  # fmt: skip


def test_grouping_by_a_custom_field_and_the_responsible_with_a_custom_sum(org, deals):
    measures = [Measure("count"), Measure("sum", "UF_CRM_BUDGET"), Measure("max", "OPPORTUNITY")]
    definition = Definition("deal", {}, [Dimension("UF_CRM_REGION"), Dimension("ASSIGNED_BY_ID")], measures)
    result = engine.run(org.sales_head, definition)

    got = {(row.labels[0], row.keys[1]): (row.values[0], Decimal(str(row.values[1] or 0)), row.values[2])
           for row in result.rows}  # fmt: skip
    expected: dict = {}
    for deal in deals:
        if deal.responsible_id not in _visible_to(org, org.sales_head):
            continue
        deal.refresh_from_db()
        region = deal.custom.get("UF_CRM_REGION") or "Не задано"
        count, budget, top = expected.get((region, deal.responsible_id), (0, Decimal(0), Decimal(0)))
        expected[(region, deal.responsible_id)] = (
            count + 1,
            budget + Decimal(str(deal.custom.get("UF_CRM_BUDGET") or 0)),
            max(top, deal.amount),
        )
    got = {key: (count, budget.quantize(Decimal("0.01")), top) for key, (count, budget, top) in got.items()}
    expected = {key: (count, budget.quantize(Decimal("0.01")), top) for key, (count, budget, top) in expected.items()}
    assert {(key[0].replace("Not set", "Не задано"), key[1]): value for key, value in got.items()} == expected
    assert result.value("Москва", org.sales_rep.full_name) == 2


def test_the_filter_language_narrows_the_report(org, deals):
    definition = Definition("deal", {">=OPPORTUNITY": 200, "STAGE_SEMANTIC_ID": "S"}, [Dimension("ASSIGNED_BY_ID")])
    result = engine.run(org.admin, definition)

    expected = dict(_sql(
        "SELECT d.responsible_id, COUNT(*) FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id "
        "WHERE d.deleted_at IS NULL AND d.amount >= 200 AND s.semantics = 'S' GROUP BY 1", []))  # fmt: skip
    assert {row.keys[0]: row.values[0] for row in result.rows} == expected


def test_date_buckets_by_quarter_and_week_on_custom_dates(org):
    create_field(by=org.admin, entity_type=EntityType.DEAL, kind="date", label_ru="Дата договора", code="SIGNED")
    for day in ("2026-01-05", "2026-02-28", "2026-04-01", "2026-04-03"):
        factories.make_deal(by=org.sales_rep, custom={"UF_CRM_SIGNED": day})

    quarters = engine.run(org.admin, Definition("deal", {}, [Dimension("UF_CRM_SIGNED", "quarter")]))
    weeks = engine.run(org.admin, Definition("deal", {}, [Dimension("UF_CRM_SIGNED", "week")]))

    assert [(str(row.keys[0])[:10], row.values[0]) for row in quarters.rows] == [("2026-01-01", 2), ("2026-04-01", 2)]
    # 2026-04-01 and 04-03 share the week starting on Monday 2026-03-30
    assert [(str(row.keys[0])[:10], row.values[0]) for row in weeks.rows] == [
        ("2026-01-05", 1), ("2026-02-23", 1), ("2026-03-30", 2)]  # fmt: skip


def test_activities_and_tasks_can_be_counted(org):
    deal = factories.make_deal(by=org.sales_rep)
    crm.plan_activity(deal, by=org.sales_rep, subject="Позвонить", type_id=2)
    crm.plan_activity(deal, by=org.sales_rep, subject="Встреча", type_id=1)
    factories.make_task("Подготовить КП", by=org.sales_rep)

    activities = engine.run(org.sales_rep, Definition("activity", {}, [Dimension("TYPE_ID")]))
    tasks = engine.run(org.sales_rep, Definition("task", {}, [Dimension("RESPONSIBLE_ID")]))

    assert {row.labels[0]: row.values[0] for row in activities.rows} == {"Встреча": 1, "Звонок": 1}
    assert tasks.value(org.sales_rep.full_name) == 1


def test_a_bad_definition_is_refused_naming_the_part(org):
    with pytest.raises(Invalid) as error:
        engine.run(org.admin, Definition("deal", {}, [Dimension("NO_SUCH")]))
    assert error.value.field == "dimensions"
    with pytest.raises(Invalid) as error:
        engine.run(org.admin, Definition("deal", {}, [Dimension("STAGE_ID")], [Measure("sum", "TITLE")]))
    assert error.value.field == "measures"


def test_a_custom_field_by_quarter_matches_bare_sql(org, deals):
    result = engine.run(
        org.admin, Definition("deal", {}, [Dimension("UF_CRM_REGION"), Dimension("DATE_CREATE", "quarter")])
    )

    region = (
        "custom ->> 'UF_CRM_REGION'" if connection.vendor == "postgresql" else "json_extract(custom, '$.UF_CRM_REGION')"
    )
    expected = {
        (name, month): count
        for name, month, count in _sql(
            f"SELECT {region}, {_month_sql('created_at')}, COUNT(*) FROM crm_deal "
            "WHERE deleted_at IS NULL GROUP BY 1, 2",
            [],
        )
    }
    by_quarter: dict = {}
    for (name, month), count in expected.items():
        quarter = (int(month[5:]) - 1) // 3 * 3 + 1
        key = (name, f"{month[:4]}-{quarter:02d}")
        by_quarter[key] = by_quarter.get(key, 0) + count
    assert {(row.keys[0], row.keys[1].strftime("%Y-%m")): row.values[0] for row in result.rows} == by_quarter
