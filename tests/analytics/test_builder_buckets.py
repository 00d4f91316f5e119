"""Report dates fall into the viewer's own days, weeks, months, quarters and years, whichever way the database groups.

On PostgreSQL the builder finds a date-time's bucket among bucket starts it computed (kontora.analytics.builder
.grouping); these tests hold it to the local calendar as Python's zoneinfo has it, at the edges where it could go
wrong: either side of local midnight, outside the window of computed starts, where clocks jump at midnight.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Avg, Count, Max, Min, Sum
from django.utils import timezone

from kontora.analytics.builder import engine, grouping
from kontora.analytics.builder.engine import Definition, Dimension, Measure
from kontora.crm.choices import EntityType
from kontora.crm.models import Deal
from kontora.crm.services.fields import create_field
from tests import factories

pytestmark = pytest.mark.django_db

# UTC instants: a second before and at Moscow's midnight of 1 March 2026, a Sunday night into Monday, and two far
# outside the window of computed starts (before 2016, after 2031).
INSTANTS = (
    datetime(2026, 2, 28, 20, 59, 59, tzinfo=UTC),
    datetime(2026, 2, 28, 21, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 20, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 21, 0, 0, tzinfo=UTC),
    datetime(2001, 5, 31, 21, 30, tzinfo=UTC),
    datetime(2040, 12, 31, 21, 30, tzinfo=UTC),
)


def _created(owner, instants) -> None:
    for instant in instants:
        deal = factories.make_deal(by=owner)
        Deal.objects.filter(pk=deal.pk).update(created_at=instant)


def _expected(instants, zone: str, kind: str) -> dict[date, int]:
    """Each instant's bucket start from its local date in the zone: the calendar, not the database."""
    counts: dict[date, int] = {}
    for instant in instants:
        day = instant.astimezone(ZoneInfo(zone)).date()
        start = {
            "day": day,
            "week": day - timedelta(days=day.weekday()),
            "month": day.replace(day=1),
            "quarter": date(day.year, (day.month - 1) // 3 * 3 + 1, 1),
            "year": date(day.year, 1, 1),
        }[kind]
        counts[start] = counts.get(start, 0) + 1
    return counts


def _report(viewer, kind: str) -> dict[date, int]:
    result = engine.run(viewer, Definition("deal", {}, [Dimension("DATE_CREATE", kind)]))
    return {row.keys[0]: row.values[0] for row in result.rows}


@pytest.mark.parametrize("kind", ["day", "week", "month", "quarter", "year"])
def test_instants_either_side_of_local_midnight_and_outside_the_window_fall_in_their_local_bucket(org, kind):
    _created(org.sales_rep, INSTANTS)

    assert _report(org.admin, kind) == _expected(INSTANTS, "Europe/Moscow", kind)


def test_a_viewer_in_another_time_zone_gets_his_own_days(org):
    _created(org.sales_rep, INSTANTS)

    with timezone.override(ZoneInfo("Asia/Vladivostok")):
        assert _report(org.admin, "day") == _expected(INSTANTS, "Asia/Vladivostok", "day")


def test_a_day_whose_midnight_is_skipped_begins_when_its_clocks_jump(org):
    # Chile moves its clocks from 24:00 to 01:00 on the first Sunday of September: 6 September 2026 has no midnight.
    instants = (datetime(2026, 9, 6, 3, 59, 59, tzinfo=UTC), datetime(2026, 9, 6, 4, 0, 0, tzinfo=UTC))
    _created(org.sales_rep, instants)

    with timezone.override(ZoneInfo("America/Santiago")):
        assert _report(org.admin, "day") == _expected(instants, "America/Santiago", "day")
        assert _report(org.admin, "day") == {date(2026, 9, 5): 1, date(2026, 9, 6): 1}


def test_a_zone_whose_clocks_went_back_across_midnight_gets_no_starts_and_the_exact_path():
    # Newfoundland went back from 00:01 to 23:01 each autumn until 2011: the local date went back to the day before.
    assert grouping.bucket_starts("day", "America/St_Johns", 2000) is None
    assert grouping.bucket_starts("month", "America/St_Johns", 2000) is not None
    assert grouping.bucket_starts("day", "America/St_Johns", 2026) is not None
    assert grouping.bucket_starts("day", "+03:00", 2026) is None


def test_bucket_starts_are_local_midnights_and_their_dates():
    instants, dates = grouping.bucket_starts("month", "Europe/Berlin", 2026)

    assert len(instants) == len(dates) + 1
    assert dates[0] == date(2016, 1, 1) and dates[-1] == date(2030, 12, 1)
    assert instants[-1] == datetime(2030, 12, 31, 23, tzinfo=UTC)
    # summer months begin at 22:00 UTC, winter ones at 23:00
    assert instants[dates.index(date(2026, 7, 1))] == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert instants[dates.index(date(2026, 1, 1))] == datetime(2025, 12, 31, 23, tzinfo=UTC)


def test_plain_dates_group_by_month_without_a_time_zone(org):
    for day in (date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1)):
        factories.make_deal(by=org.sales_rep, close_date=day)

    result = engine.run(org.admin, Definition("deal", {}, [Dimension("CLOSEDATE", "month")]))

    assert {row.keys[0]: row.values[0] for row in result.rows} == {date(2026, 3, 1): 2, date(2026, 4, 1): 1}


def test_grouped_rows_give_what_the_orm_grouped_query_gives(org):
    create_field(by=org.admin, entity_type=EntityType.DEAL, kind="double", label_ru="Бюджет", code="BUDGET")
    for amount, probability, budget in ((100, 10, "1.5"), (250, 35, "2"), (999, 80, None)):
        factories.make_deal(by=org.sales_rep, amount=Decimal(amount), probability=probability,
                            custom={"UF_CRM_BUDGET": budget} if budget else {})  # fmt: skip
    dimensions = {"d0": engine._expression(engine.source("deal").fields()["STAGE_ID"], "")}
    budget = engine._aggregate(Measure("sum", "UF_CRM_BUDGET"), engine.source("deal").fields())
    measures = {"m0": Count("pk"), "m1": Sum("amount"), "m2": Avg("probability"), "m3": Min("amount"),
                "m4": Max("probability"), "m5": budget}  # fmt: skip
    queryset = Deal.objects.filter(deleted_at__isnull=True)

    got = grouping.grouped_rows(queryset, dimensions, measures)
    orm = list(queryset.annotate(**dimensions).values("d0").annotate(**measures).order_by("d0"))

    assert got == orm
    assert [type(value) for value in got[0].values()] == [type(value) for value in orm[0].values()]
    assert got[0]["m2"] == pytest.approx((10 + 35 + 80) / 3)
