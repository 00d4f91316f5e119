"""The analytics pages of the builder, dashboards, plan/fact, wall and channels; sharing and exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kontora.analytics import services
from kontora.analytics.models import Dashboard, Metric, PeriodKind, Report
from tests import factories

pytestmark = pytest.mark.django_db

DEFINITION = {"dimensions": [{"field": "ASSIGNED_BY_ID"}], "measures": [{"function": "count"},
              {"function": "sum", "field": "OPPORTUNITY"}], "chart": "bar"}  # fmt: skip


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def deals(org):
    for owner, amount in ((org.sales_rep, 100), (org.sales_rep, 200), (org.kazan_rep, 400), (org.marketing_rep, 800)):
        factories.make_deal(by=owner, amount=Decimal(amount))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_builder_previews_and_saves_a_report(org, deals):
    client = client_for(org.sales_head)
    assert client.get(reverse("analytics:report_new")).status_code == 200
    swapped = client.get(
        reverse("analytics:report_new"), {"entity": "task", "changed": "entity"}, HTTP_HX_REQUEST="true"
    )
    assert b"REAL_STATUS" in swapped.content
    data = {"entity": "deal", "d1_field": "ASSIGNED_BY_ID", "d2_field": "DATE_CREATE", "d2_bucket": "month",
            "m1_function": "sum", "m1_field": "OPPORTUNITY", "chart": "bar", "f1_field": "OPPORTUNITY",
            "f1_op": ">=", "f1_value": "150", "filter_json": ""}  # fmt: skip
    preview = client.get(reverse("analytics:report_new"), {**data, "preview": "1"}, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert preview.context["result"].definition.filter == {">=OPPORTUNITY": "150"}
    totals = {row.labels[0]: row.values[0] for row in preview.context["result"].rows}
    assert totals == {org.sales_rep.full_name: Decimal(200), org.kazan_rep.full_name: Decimal(400)}

    saved = client.post(reverse("analytics:report_new"), {**data, "name": "Выручка по людям", "save": "1"})
    report = Report.objects.get(name="Выручка по людям")
    assert saved.status_code == 302 and saved.url == reverse("analytics:report", args=[report.pk])
    assert client.get(saved.url).status_code == 200
    listed = client.get(reverse("analytics:reports")).content.decode()
    assert "<td>Сделки</td>" in listed  # what the report counts, named in the user's language
    nameless = client.post(reverse("analytics:report_new"), {**data, "save": "1"})
    assert nameless.status_code == 200 and Report.objects.count() == 1


@pytest.mark.parametrize(("entity", "first"), [("deal", "STAGE_ID"), ("lead", "STATUS_ID"), ("task", "REAL_STATUS"),
                                              ("contact", "TYPE_ID"), ("company", "ASSIGNED_BY_ID")])  # fmt: skip
def test_a_new_report_groups_by_the_stage_or_status_first_and_never_by_id(org, entity, first):
    client = client_for(org.sales_head)
    page = client.get(reverse("analytics:report_new"), {"entity": entity, "changed": "entity"}, HTTP_HX_REQUEST="true")
    form = page.context["form"]

    assert form["d1_field"].value() == first
    assert "ID" not in dict(form.fields["d1_field"].choices)


def test_a_shared_report_shows_each_reader_only_his_own_records(org, deals):
    report = services.save_report(None, by=org.sales_head, name="Сделки", entity="deal", definition=DEFINITION)
    assert client_for(org.marketing_rep).get(reverse("analytics:report", args=[report.pk])).status_code == 404

    chosen = {"users": [org.marketing_rep.pk], "departments": [org.kazan.pk]}
    share = client_for(org.sales_head).post(reverse("analytics:report_share", args=[report.pk]), chosen)
    assert share.status_code == 302

    head_rows = client_for(org.sales_head).get(reverse("analytics:report", args=[report.pk])).context["result"].rows
    assert {row.labels[0]: row.values[0] for row in head_rows} == {org.sales_rep.full_name: 2,
                                                                   org.kazan_rep.full_name: 1}  # fmt: skip
    reader_rows = client_for(org.marketing_rep).get(reverse("analytics:report", args=[report.pk])).context["result"]
    assert [(row.labels[0], row.values[0]) for row in reader_rows.rows] == [(org.marketing_rep.full_name, 1)]
    kazan = client_for(org.kazan_rep).get(reverse("analytics:report", args=[report.pk]))
    assert [(row.labels[0], row.values[0]) for row in kazan.context["result"].rows] == [(org.kazan_rep.full_name, 1)]
    assert client_for(org.sales_rep).get(reverse("analytics:report", args=[report.pk])).status_code == 404
    assert client_for(org.marketing_rep).get(reverse("analytics:report_edit", args=[report.pk])).status_code == 404
    assert client_for(org.marketing_rep).post(reverse("analytics:report_delete", args=[report.pk])).status_code == 404


def test_reports_export_to_csv_and_excel_with_the_export_grant(org, deals):
    report = services.save_report(None, by=org.sales_head, name="Сделки", entity="deal", definition=DEFINITION)
    services.share(report, by=org.sales_head, departments=[org.sales])
    as_csv = _csv(client_for(org.sales_head).get(reverse("analytics:report", args=[report.pk]), {"export": "csv"}))
    assert as_csv[0][0] == "Ответственный" and len(as_csv) == 3
    # an employee may export only his own records (export level OWN), though he reads his department's
    rep_rows = _csv(client_for(org.sales_rep).get(reverse("analytics:report", args=[report.pk]), {"export": "csv"}))
    assert [(name, count, Decimal(total)) for name, count, total in rep_rows[1:]] == [
        (org.sales_rep.full_name, "2", Decimal(300))]  # fmt: skip
    workbook = client_for(org.sales_head).get(reverse("analytics:report", args=[report.pk]), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))][1:] == [2, 300]


def test_dashboards_hold_widgets_in_order_and_are_shared(org, deals):
    first = services.save_report(None, by=org.sales_head, name="Первый", entity="deal", definition=DEFINITION)
    second = services.save_report(None, by=org.sales_head, name="Второй", entity="lead", definition=DEFINITION)
    client = client_for(org.sales_head)
    created = client.post(reverse("analytics:dashboards"), {"name": "Отдел продаж"})
    dashboard = Dashboard.objects.get()
    assert created.url == reverse("analytics:dashboard", args=[dashboard.pk])
    change = reverse("analytics:dashboard_change", args=[dashboard.pk])
    client.post(change, {"add": "1", "report": first.pk})
    client.post(change, {"add": "1", "report": second.pk, "wide": "1"})
    widgets = list(dashboard.widgets.order_by("position"))
    client.post(change, {"order": "1", "widget": [widgets[1].pk, widgets[0].pk]})
    assert [widget.report.name for widget in dashboard.widgets.order_by("position")] == ["Второй", "Первый"]
    assert client.get(reverse("analytics:dashboard", args=[dashboard.pk])).status_code == 200

    assert client_for(org.kazan_rep).get(reverse("analytics:dashboard", args=[dashboard.pk])).status_code == 404
    client.post(change, {"share": "1", "users": [org.kazan_rep.pk]})
    page = client_for(org.kazan_rep).get(reverse("analytics:dashboard", args=[dashboard.pk]))
    assert page.status_code == 200 and page.context["may_change"] is False
    deal_widget = next(item for item in page.context["widgets"] if item["widget"].report == first)
    assert [(row.labels[0], row.values[0]) for row in deal_widget["result"].rows] == [(org.kazan_rep.full_name, 1)]
    # a reader of the dashboard opens its reports too, but cannot change the dashboard
    assert client_for(org.kazan_rep).get(reverse("analytics:report", args=[first.pk])).status_code == 200
    assert client_for(org.kazan_rep).post(change, {"delete": "1"}).status_code == 404


def test_plan_fact_page_wall_and_exports(org, deals):
    client = client_for(org.sales_head)
    plan = {"metric": Metric.REVENUE, "period_kind": PeriodKind.MONTH, "day": timezone.localdate().isoformat(),
            "user": org.sales_rep.pk, "target": "1000"}  # fmt: skip
    response = client.post(reverse("analytics:plans"), plan)
    assert response.status_code == 302
    page = client.get(reverse("analytics:plans"))
    assert page.status_code == 200 and page.context["sections"][0]["lines"][0].plan.target == Decimal(1000)
    assert client.get(reverse("analytics:wall")).status_code == 200
    figures = client.get(reverse("analytics:wall"), HTTP_HX_REQUEST="true")
    assert b'id="wall-figures"' in figures.content and b"<html" not in figures.content
    rows = _csv(client.get(reverse("analytics:plans"), {"export": "csv"}))
    assert rows[1][1] == org.sales_rep.full_name and rows[1][2] == "1000.00"
    refused = client_for(org.sales_rep).post(reverse("analytics:plans"), {"metric": Metric.REVENUE})
    assert refused.status_code == 404


def test_channels_page_is_for_heads_and_imports_report_bad_rows(org):
    assert client_for(org.sales_rep).get(reverse("analytics:channels")).status_code == 404
    client = client_for(org.sales_head)
    assert client.get(reverse("analytics:channels")).status_code == 200
    upload = SimpleUploadedFile("spend.csv", b"channel,from,to,amount\nWEB,2026-01-01,2026-01-31,100\nWEB,x,y,z\n")
    result = client.post(reverse("analytics:spend_import"), {"kind": "source", "file": upload})
    assert result.status_code == 200
    assert len(result.context["result"].created) == 1 and result.context["result"].errors[0][0] == 3
    assert b'id="import-errors"' in result.content
