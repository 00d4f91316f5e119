"""CSV and XLSX of a list: the fields as columns, only what the reader may export, values as people read them."""

import csv
import io

import pytest
from openpyxl import load_workbook

from kontora.lists import services
from tests.factories import PASSWORD, make_list


@pytest.fixture(autouse=True)
def english(org):
    for person in org.people():
        person.language = "en"
        person.save(update_fields=["language"])


@pytest.fixture
def lst(org):
    lst = make_list("cash", name="Cash", fields=(
        {"code": "amount", "name": "Amount", "type": "number"},
        {"code": "who", "name": "Who", "type": "user"},
        {"code": "paid", "name": "Paid", "type": "bool"},
    ))  # fmt: skip
    services.add_element(lst, by=org.sales_rep, name="=cmd()", values={"amount": 10, "who": org.kazan_rep.pk})
    services.add_element(lst, by=org.kazan_rep, name="Kazan", values={"amount": 20, "paid": True})
    services.add_element(lst, by=org.marketing_rep, name="Marketing", values={"amount": 30})
    return lst


def test_csv_of_a_head_holds_his_tree_only(client, org, lst):
    client.login(username=org.sales_head.username, password=PASSWORD)

    response = client.get("/lists/cash/?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))

    assert rows[0] == ["ID", "Name", "Amount", "Who", "Paid", "Created by", "Created"]
    body = sorted(rows[1:], key=lambda row: row[1])
    assert [row[1:5] for row in body] == [["'=cmd()", "10", org.kazan_rep.full_name, ""], ["Kazan", "20", "", "Yes"]]
    assert [row[5] for row in body] == [org.sales_rep.full_name, org.kazan_rep.full_name]


def test_xlsx_of_an_employee_holds_his_own(client, org, lst):
    client.login(username=org.kazan_rep.username, password=PASSWORD)

    response = client.get("/lists/cash/?export=xlsx&q=kazan")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))

    assert response["Content-Disposition"].startswith('attachment; filename="cash-')
    assert rows[0][:5] == ("ID", "Name", "Amount", "Who", "Paid")
    assert [row[1:5] for row in rows[1:]] == [("Kazan", 20, None, "Yes")]
