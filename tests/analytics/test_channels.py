"""End-to-end analytics: leads, deals, revenue and spend per channel; CSV import reports its bad rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kontora.analytics import services
from kontora.analytics.builder import channels
from kontora.analytics.models import ChannelKind, ChannelSpend
from kontora.core.errors import Forbidden, Invalid
from kontora.crm import services as crm
from kontora.crm.models import Status
from tests import factories

pytestmark = pytest.mark.django_db


def _source(code: str) -> Status:
    return Status.objects.get(entity_id="SOURCE", status_id=code)


@pytest.fixture
def month(org):
    today = timezone.localdate()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    web, call = _source("WEB"), _source("CALL")
    lead_web = factories.make_lead(by=org.sales_rep, source=web, utm_source="yandex")
    factories.make_lead(by=org.sales_rep, source=web, utm_source="yandex")
    factories.make_lead(by=org.kazan_rep, source=call)
    factories.make_lead(by=org.marketing_rep, source=web, utm_source="google")
    won = factories.make_deal(by=org.sales_rep, amount=Decimal(3000), lead=lead_web)  # source from its lead
    crm.move_deal(won, factories.stage("WON"), by=org.sales_rep)
    factories.make_deal(by=org.sales_rep, amount=Decimal(500), source=call)
    big = factories.make_deal(by=org.marketing_rep, amount=Decimal(9000), source=web)
    crm.move_deal(big, factories.stage("WON"), by=org.marketing_rep)
    services.record_spend(by=org.admin, kind=ChannelKind.SOURCE, channel="WEB", first_day=first, last_day=last,
                          amount=Decimal("1000.00"))  # fmt: skip
    # a spend row reaching 10 days into the previous month counts for its days inside this one only
    services.record_spend(by=org.admin, kind=ChannelKind.SOURCE, channel="CALL", first_day=first - timedelta(days=10),
                          last_day=first + timedelta(days=9), amount=Decimal("200.00"))  # fmt: skip
    return first, last


def _sql(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def test_channel_figures_match_bare_sql_for_an_administrator(org, month):
    first, last = month
    start = timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time()))
    end = start + timedelta(days=(last - first).days + 1)
    lines = {line.channel: line for line in channels.channel_report(org.admin, ChannelKind.SOURCE, first, last)}

    leads = dict(
        _sql(
            "SELECT s.status_id, COUNT(*) FROM crm_lead l LEFT JOIN crm_status s ON s.id = l.source_id "
            "WHERE l.deleted_at IS NULL AND l.created_at >= %s AND l.created_at < %s GROUP BY 1",
            [start, end],
        )
    )
    deals = {
        code: (count, won, Decimal(str(revenue or 0)))
        for code, count, won, revenue in _sql(
            "SELECT COALESCE(s.status_id, ls.status_id), COUNT(*), "
            "SUM(CASE WHEN st.semantics = 'S' THEN 1 ELSE 0 END), SUM(CASE WHEN st.semantics = 'S' THEN d.amount END) "
            "FROM crm_deal d JOIN crm_status st ON st.id = d.stage_id LEFT JOIN crm_status s ON s.id = d.source_id "
            "LEFT JOIN crm_lead l ON l.id = d.lead_id LEFT JOIN crm_status ls ON ls.id = l.source_id "
            "WHERE d.deleted_at IS NULL AND d.created_at >= %s AND d.created_at < %s GROUP BY 1", [start, end])
    }  # fmt: skip
    assert {code: line.leads for code, line in lines.items() if line.leads} == leads
    assert {code: (line.deals, line.won, line.revenue) for code, line in lines.items() if line.deals} == deals

    web = lines["WEB"]
    assert (web.leads, web.won, web.revenue, web.spend) == (3, 2, Decimal(12000), Decimal(1000))
    assert web.cost_per_lead == (Decimal(1000) / 3).quantize(Decimal("0.01"))
    assert web.cost_per_deal == Decimal(500)
    assert web.roi == Decimal("1100.0")  # (12000 − 1000) / 1000
    assert lines["CALL"].spend == (Decimal(200) * 10 / 20).quantize(Decimal("0.01"))
    assert lines["CALL"].roi == Decimal("-100.0")


def test_a_rep_counts_only_his_departments_records_but_the_same_spend(org, month):
    first, last = month
    lines = {line.channel: line for line in channels.channel_report(org.sales_rep, ChannelKind.SOURCE, first, last)}
    assert (lines["WEB"].leads, lines["WEB"].won, lines["WEB"].revenue) == (2, 1, Decimal(3000))
    assert "CALL" in lines and lines["CALL"].leads == 0  # Kazan's lead is not his department's


def test_utm_channels_come_from_the_leads(org, month):
    first, last = month
    lines = {line.channel: line for line in channels.channel_report(org.admin, ChannelKind.UTM_SOURCE, first, last)}
    assert (lines["yandex"].leads, lines["yandex"].deals, lines["yandex"].revenue) == (2, 1, Decimal(3000))
    assert lines["google"].leads == 1


def test_csv_import_saves_good_rows_and_reports_every_bad_one(org):
    text = (
        "channel;from;to;amount;comment\n"
        "WEB;2026-01-01;2026-01-31;15 000,50;январь\n"
        ";2026-01-01;2026-01-31;100;\n"
        "CALL;31.01.2026;01.01.2026;100;\n"
        "EMAIL;2026-02-01;2026-02-28;много;\n"
        "EMAIL;2026-02-30;2026-03-01;5;\n"
        "EMAIL;01.02.2026;28.02.2026;-5;\n"
        "CALL;01.02.2026;28.02.2026;700;\n"
    )
    result = services.import_spend(text, by=org.sales_head)

    assert [(row.channel, row.amount) for row in result.created] == [("WEB", Decimal("15000.50")),
                                                                      ("CALL", Decimal(700))]  # fmt: skip
    assert [line for line, _message, _raw in result.errors] == [3, 4, 5, 6, 7]
    assert all(message for _line, message, _raw in result.errors)
    assert ChannelSpend.objects.count() == 2
    assert ChannelSpend.objects.get(channel="WEB").first_day == date(2026, 1, 1)


def test_import_needs_the_header_and_the_right_person(org):
    with pytest.raises(Invalid):
        services.import_spend("WEB,2026-01-01,2026-01-31,100\n", by=org.admin)
    with pytest.raises(Forbidden):
        services.import_spend("channel,from,to,amount\nWEB,2026-01-01,2026-01-31,100\n", by=org.sales_rep)
