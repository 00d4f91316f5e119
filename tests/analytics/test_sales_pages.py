"""The sales analytics pages: they render, link each figure to its deals in the CRM list, and export."""

import io
import json
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kontora.analytics.selectors import funnel
from kontora.analytics.selectors.scope import Period, Scope
from kontora.crm.models import Category
from tests import factories


@pytest.fixture
def sales(org):
    return factories.make_sales_history([org.sales_rep, org.kazan_rep, org.marketing_rep, org.sales_head], deals=30)


def period_params() -> dict:
    today = timezone.localdate()
    return {"date_from": (today - timedelta(days=59)).isoformat(), "date_to": today.isoformat(), "category": 0}


def test_the_landing_page_links_every_screen_that_exists(client, admin):
    client.force_login(admin)
    page = client.get(reverse("analytics:landing")).content.decode()
    for name in ("funnel", "activity", "kpi", "forecast", "history"):
        assert f'href="{reverse(f"analytics:{name}")}"' in page


SCREENS = ("funnel", "activity", "kpi", "plans", "forecast", "channels", "reports", "dashboards", "history")


@pytest.mark.parametrize("name", SCREENS)
def test_every_analytics_screen_links_all_the_others_and_marks_itself(client, admin, name):
    client.force_login(admin)
    page = client.get(reverse(f"analytics:{name}")).content.decode()
    nav = re.search(r'<nav class="tabs analytics-tabs".*?</nav>', page, re.S).group(0)
    for other in SCREENS:
        assert f'href="{reverse(f"analytics:{other}")}"' in nav
    assert re.findall(r'href="([^"]+)" aria-current="page"', nav) == [reverse(f"analytics:{name}")]


def test_the_plan_column_reads_as_a_noun_in_russian(client, admin):
    client.force_login(admin)
    export = client.get(reverse("analytics:plans"), {"export": "csv"}).content.decode("utf-8-sig")
    assert export.splitlines()[0].split(";")[2] == "План"  # a verb, "Запланировать", on cards


@pytest.mark.parametrize("name", ["funnel", "activity", "kpi", "forecast", "history"])
def test_each_page_renders_and_exports_csv_and_excel(client, sales, org, admin, name):
    client.force_login(admin)
    url = reverse(f"analytics:{name}")
    params = {**period_params(), "person": org.sales_rep.pk} if name == "history" else period_params()
    assert client.get(url, params).status_code == 200
    csv = client.get(url, {**params, "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith("\ufeff".encode())
    xlsx = client.get(url, {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 2


def test_the_gap_number_opens_the_deal_list_with_exactly_those_deals(client, sales, admin):
    client.force_login(admin)
    page = client.get(reverse("analytics:funnel"), period_params()).content.decode()
    row = re.search(r'<tr data-stage="([A-Z_]+)" class="sales-gap".*?class="sales-count" href="([^"]+)">(\d+)<', page,
                    re.S)  # fmt: skip
    assert row is not None
    link = unescape(row.group(2))
    assert urlparse(link).path == reverse("crm:deal_list")
    today = timezone.localdate()
    result = funnel.funnel(admin, Scope(Period(today - timedelta(days=59), today), Category.objects.get(pk=0)))
    assert result.gap.stage.status_id == row.group(1) and result.gap.count == int(row.group(3))
    assert json.loads(parse_qs(urlparse(link).query)["filter"][0]) == result.gap.filter
    listed = client.get(link).content.decode()
    shown = set(re.findall(r'href="/crm/deals/(\d+)/"', listed))
    assert len(shown) == result.gap.count or result.gap.count > 50


def test_a_rep_sees_only_his_departments_people_in_the_activity_report(client, sales, org):
    client.force_login(org.marketing_rep)
    page = client.get(reverse("analytics:activity"), period_params()).content.decode()
    people = set(map(int, re.findall(r'data-person="(\d+)"', page)))
    assert people and people <= {org.marketing_rep.pk, org.reader.pk}


def test_the_history_of_someone_the_viewer_may_not_see_is_empty(client, org):
    factories.make_deal("Секретная", by=org.sales_rep)
    client.force_login(org.marketing_rep)
    page = client.get(reverse("analytics:history"), {"person": org.sales_rep.pk}).content.decode()
    assert "Секретная" not in page


def test_an_employee_reads_his_departments_funnel_but_exports_only_his_own_deals(client, org):
    mila = factories.make_user("mila", department=org.marketing)
    for owner in (org.marketing_rep, mila, mila):
        factories.make_deal(by=owner)
    client.force_login(org.marketing_rep)
    params = {**period_params(), "date_from": timezone.localdate().isoformat()}
    page = client.get(reverse("analytics:funnel"), params).content.decode()
    first = re.search(r'data-stage="NEW".*?class="sales-count" href="[^"]+">(\d+)<', page, re.S)
    assert int(first.group(1)) == 3
    exported = client.get(reverse("analytics:funnel"), {**params, "export": "csv"}).content.decode("utf-8-sig")
    assert exported.splitlines()[1].split(";")[:2] == [str(factories.stage("NEW").name), "1"]


def test_the_activity_chart_names_its_series_in_the_users_language(client, sales, org):
    client.force_login(org.sales_rep)  # the installation's language, Russian
    page = client.get(reverse("analytics:activity"), period_params()).content.decode()
    for key, label in (("calls", "Звонки"), ("meetings", "Встречи"), ("won", "Успех")):
        assert f'data-label{key}="{label}"' in page


def test_kpi_figures_read_as_numbers_in_the_users_locale(client, sales, admin):
    client.force_login(admin)
    page = client.get(reverse("analytics:kpi"), period_params()).content.decode()
    cells = dict(re.findall(r'<tr data-kpi="(\w+)"><th scope="row">[^<]*</th><td>([^<]*)</td>', page))
    assert re.fullmatch(r"\d{1,3}(\xa0\d{3})+", cells["revenue"]), cells["revenue"]  # roubles, grouped
    assert re.fullmatch(r"\d+(,\d)?", cells["win_rate"]), cells["win_rate"]  # a percentage to a tenth
