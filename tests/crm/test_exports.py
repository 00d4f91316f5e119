"""Exports of CRM lists: CSV for Russian Excel and XLSX, the chosen columns in the reader's language, export rights."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kontora.accounts import services as accounts
from kontora.crm import services
from tests.factories import make_company, make_contact, make_deal, stage


@pytest.fixture
def as_user(client):
    def login(user, language: str | None = "en"):
        if language:
            accounts.set_language(user, language)
        client.force_login(user)
        return client

    return login


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))


def read_xlsx(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_has_bom_semicolons_and_english_headers(org, as_user):
    company = make_company("Вектор", by=org.sales_rep)
    deal = make_deal("Поставка; серверов", by=org.sales_rep, amount=Decimal("1500.50"), company=company)

    response = as_user(org.sales_rep).get(reverse("crm:deal_export", args=["csv"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="deals-')
    header, *rows = read_csv(response)
    assert header == ["ID", "Deal name", "Stage", "Amount", "Company", "Responsible", "Created"]
    assert rows[0][:6] == [str(deal.pk), "Поставка; серверов", "Новая", "1500.50", "Вектор", "Anna Testov"]


def test_csv_numbers_use_the_russian_decimal_comma(org, as_user):
    make_deal("Сделка", by=org.sales_rep, amount=Decimal("1500.50"))

    response = as_user(org.sales_rep, "ru").get(reverse("crm:deal_export", args=["csv"]))

    header, row = read_csv(response)
    assert row[header.index("ID") + 3] == "1500,50"


def test_export_uses_the_chosen_columns(org, as_user):
    make_deal("Сделка", by=org.sales_rep, probability=30)
    client = as_user(org.sales_rep)
    client.post(reverse("crm:deal_list"), {"save_columns": "1", "columns": ["PROBABILITY", "CLOSED"]})

    header, row = read_csv(client.get(reverse("crm:deal_export", args=["csv"])))

    assert header == ["ID", "Deal name", "Probability, %", "Closed"]
    assert row[2:] == ["30", "No"]


def test_export_follows_the_list_filter_and_sort(org, as_user):
    small = make_deal("Маленькая", by=org.sales_rep, amount=Decimal("10"))
    big = make_deal("Большая", by=org.sales_rep, amount=Decimal("1000"))
    make_deal("Другая", by=org.sales_rep, amount=Decimal("500"))
    services.move_deal(big, stage("WON"), by=org.sales_rep)

    response = as_user(org.sales_rep).get(
        reverse("crm:deal_export", args=["csv"]), {"q": "ая", "sort": "OPPORTUNITY", "amount_to": "5000"}
    )

    ids = [int(row[0]) for row in read_csv(response)[1:]]
    assert ids[0] == small.pk and ids[-1] == big.pk and len(ids) == 3


def test_foreign_records_never_reach_the_export(org, as_user):
    mine = make_deal("Моя", by=org.sales_rep)
    colleague = make_deal("Руководителя", by=org.sales_head)  # readable by Anna, not hers to export
    foreign = make_deal("Маркетинга", by=org.marketing_rep)
    client = as_user(org.sales_rep)

    listed = client.get(reverse("crm:deal_list"))
    csv_ids = [int(row[0]) for row in read_csv(client.get(reverse("crm:deal_export", args=["csv"])))[1:]]
    xlsx_ids = [row[0] for row in read_xlsx(client.get(reverse("crm:deal_export", args=["xlsx"])))[1:]]
    forced = read_csv(client.get(reverse("crm:deal_export", args=["csv"]), {"q": "Маркетинга"}))[1:]

    assert colleague.pk in [row["record"].pk for row in listed.context["rows"]]
    assert csv_ids == xlsx_ids == [mine.pk]
    assert foreign.pk not in csv_ids
    assert forced == []


def test_heads_export_their_subtree(org, as_user):
    kazan = make_deal("Казанская", by=org.kazan_rep)
    make_deal("Маркетинга", by=org.marketing_rep)

    response = as_user(org.sales_head).get(reverse("crm:deal_export", args=["csv"]))

    assert [int(row[0]) for row in read_csv(response)[1:]] == [kazan.pk]


@pytest.mark.parametrize("persona", ["reader", "nobody"])
def test_without_the_export_right_there_is_no_export(org, as_user, persona):
    make_deal("Сделка", by=org.sales_rep)
    client = as_user(getattr(org, persona), None)

    response = client.get(reverse("crm:deal_export", args=["csv"]))

    assert response.status_code == 404
    assert client.get(reverse("crm:deal_list")).context["can_export"] is False


def test_unknown_format_is_not_found(org, as_user):
    response = as_user(org.sales_rep).get(reverse("crm:deal_export", args=["pdf"]))

    assert response.status_code == 404


def test_xlsx_keeps_numbers_numeric_and_formulas_as_text(org, as_user):
    make_deal('=HYPERLINK("http://evil")', by=org.sales_rep, amount=Decimal("1500.50"))

    response = as_user(org.sales_rep).get(reverse("crm:deal_export", args=["xlsx"]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, row = read_xlsx(response)
    assert header[:4] == ("ID", "Deal name", "Stage", "Amount")
    assert row[1] == '=HYPERLINK("http://evil")'
    assert row[3] == pytest.approx(1500.5)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_csv_defuses_formulas(org, as_user):
    make_deal("=1+2", by=org.sales_rep)

    _header, row = read_csv(as_user(org.sales_rep).get(reverse("crm:deal_export", args=["csv"])))

    assert row[1] == "'=1+2"


def test_contacts_export_names_and_custom_fields(org, as_user):
    from kontora.crm.choices import EntityType
    from kontora.crm.models import FieldDefinition

    FieldDefinition.objects.create(
        entity_type=EntityType.CONTACT, code="UF_CRM_SIZE", kind="enumeration", label_ru="Размер", label_en="Size",
        options=[{"ID": "1", "VALUE": "Большой"}, {"ID": "2", "VALUE": "Малый"}],
    )  # fmt: skip
    make_contact("Петров", by=org.sales_rep, first_name="Иван", custom={"UF_CRM_SIZE": "2"})
    client = as_user(org.sales_rep)
    client.post(reverse("crm:contact_list"), {"save_columns": "1", "columns": ["UF_CRM_SIZE"]})

    header, row = read_csv(client.get(reverse("crm:contact_export", args=["csv"])))

    assert header == ["ID", "Last name", "First name", "Middle name", "Size"]
    assert row[1:] == ["Петров", "Иван", "", "Малый"]
