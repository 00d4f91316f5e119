"""lists.get, lists.field.get and lists.element.* over HTTP, as Bitrix24's clients call them."""

import base64
import json

import pytest

from kontora.events.models import Event
from kontora.lists import builtin
from kontora.lists.models import ListElement
from kontora.rest import services as rest_services


def post(client, url: str, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def hook(org):
    def make(user=None, scopes=("lists",)) -> str:
        person = user or org.sales_rep
        _webhook, code = rest_services.create_webhook(person, by=person, scopes=list(scopes))
        return f"/rest/{person.pk}/{code}/"

    return make


@pytest.fixture
def lists(org):
    return builtin.ensure_builtin_lists()


def test_lists_get_and_fields(client, hook, lists):
    base = hook()

    everything = post(client, f"{base}lists.get", {"IBLOCK_TYPE_ID": "lists"}).json()
    one = post(client, f"{base}lists.get", {"IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": "cash"}).json()
    fields = post(client, f"{base}lists.field.get", {"IBLOCK_TYPE_ID": "lists", "IBLOCK_ID": lists["vacation"].pk})
    wrong_type = post(client, f"{base}lists.get", {"IBLOCK_TYPE_ID": "crm"}).json()

    assert [row["CODE"] for row in everything["result"]] == [
        "vacation", "cash", "outgoing_documents", "business_trip", "dismissal",
    ]  # fmt: skip
    assert everything["total"] == 5 and one["result"][0]["ID"] == str(lists["cash"].pk)
    kind = lists["vacation"].fields.get(code="kind")
    result = fields.json()["result"]
    assert list(result) == ["NAME", *[f"PROPERTY_{field.pk}" for field in lists["vacation"].fields.all()]]
    assert result[f"PROPERTY_{kind.pk}"]["TYPE"] == "L" and result[f"PROPERTY_{kind.pk}"]["IS_REQUIRED"] == "Y"
    assert list(result[f"PROPERTY_{kind.pk}"]["DISPLAY_VALUES_FORM"].values()) == kind.options
    assert wrong_type["error"] == "ERROR_IBLOCK_TYPE_ID"


def test_element_add_get_update_delete(client, hook, lists, org):
    cash = lists["cash"]
    fields = {field.code: f"PROPERTY_{field.pk}" for field in cash.fields.all()}
    base = hook()

    added = post(client, f"{base}lists.element.add", {
        "IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": "cash", "ELEMENT_CODE": "taxi-1",
        "FIELDS": {"NAME": "Такси", fields["amount"]: {"n0": "1500.50"}, "PURPOSE": "Встреча с клиентом",
                   fields["needed_on"]: "01.12.2026"},
    }).json()  # fmt: skip
    pk = added["result"]
    got = post(client, f"{base}lists.element.get", {"IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": "cash",
                                                    "ELEMENT_CODE": "taxi-1"}).json()  # fmt: skip
    updated = post(client, f"{base}lists.element.update", {
        "IBLOCK_TYPE_ID": "lists", "IBLOCK_ID": cash.pk, "ELEMENT_ID": pk, "FIELDS": {fields["amount"]: "2000"},
    }).json()  # fmt: skip
    invalid = post(client, f"{base}lists.element.update", {
        "IBLOCK_TYPE_ID": "lists", "IBLOCK_ID": cash.pk, "ELEMENT_ID": pk, "FIELDS": {fields["amount"]: "много"},
    }).json()  # fmt: skip

    assert isinstance(pk, int)
    row = got["result"][0]
    assert (row["ID"], row["NAME"], row["CODE"]) == (str(pk), "Такси", "taxi-1")
    assert row["CREATED_BY"] == str(org.sales_rep.pk)
    assert list(row[fields["amount"]].values()) == ["1500.5"]
    assert list(row[fields["needed_on"]].values()) == ["01.12.2026"]
    assert updated["result"] is True
    assert invalid["error"] == "ERROR_ARGUMENT" and "amount" in invalid["error_description"]
    assert ListElement.objects.get(pk=pk).values["amount"] == 2000
    assert Event.objects.filter(name="lists.element.updated", object_id=str(pk)).count() == 1

    deleted = post(client, f"{base}lists.element.delete", {"IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": "cash",
                                                           "ELEMENT_ID": pk}).json()  # fmt: skip
    assert deleted["result"] is True and not ListElement.objects.filter(pk=pk).exists()


def test_required_and_missing_things_answer_with_bitrix_errors(client, hook, lists):
    base = hook()
    common = {"IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": "cash"}

    no_code = post(client, f"{base}lists.element.add", {**common, "FIELDS": {"NAME": "x"}}).json()
    no_amount = post(client, f"{base}lists.element.add", {**common, "ELEMENT_CODE": "a", "FIELDS": {"NAME": "x"}})
    no_list = post(client, f"{base}lists.element.get", {"IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": "nope"}).json()
    no_element = post(client, f"{base}lists.element.delete", {**common, "ELEMENT_ID": 999999}).json()

    assert no_code["error"] == "ERROR_REQUIRED_PARAMETERS_MISSING"
    assert no_amount.json()["error"] == "ERROR_ARGUMENT" and "amount" in no_amount.json()["error_description"]
    assert no_list["error"] == "ERROR_IBLOCK_NOT_FOUND"
    assert no_element["error"] == "ERROR_ELEMENT_NOT_FOUND"


def test_rest_reads_through_the_gate_and_needs_the_scope(client, hook, lists, org):
    docs = lists["outgoing_documents"]
    file_field = docs.fields.get(code="file")
    mine = post(client, f"{hook(org.kazan_rep)}lists.element.add", {
        "IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": docs.code, "ELEMENT_CODE": "letter",
        "FIELDS": {"NAME": "Письмо", "TITLE": "Письмо", "RECIPIENT": "ООО «Вектор»",
                   f"PROPERTY_{file_field.pk}": {"n0": ["letter.txt", base64.b64encode(b"hello").decode()]}},
    }).json()["result"]  # fmt: skip

    def ids(user) -> list[str]:
        rows = post(client, f"{hook(user)}lists.element.get", {"IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": docs.code})
        return [row["ID"] for row in rows.json()["result"]]

    foreign_update = post(client, f"{hook(org.sales_head)}lists.element.update", {
        "IBLOCK_TYPE_ID": "lists", "IBLOCK_CODE": docs.code, "ELEMENT_ID": mine, "FIELDS": {"NAME": "x"},
    }).json()  # fmt: skip
    no_scope = post(client, f"{hook(org.kazan_rep, scopes=('crm',))}lists.get", {"IBLOCK_TYPE_ID": "lists"})

    assert ListElement.objects.get(pk=mine).values["file"]["name"] == "letter.txt"
    assert ids(org.kazan_rep) == ids(org.sales_head) == ids(org.admin) == [str(mine)]
    assert ids(org.marketing_rep) == [] and ids(org.sales_rep) == []
    assert foreign_update["error"] == "ERROR_ELEMENT_NOT_FOUND"
    assert no_scope.json()["error"] == "insufficient_scope"
