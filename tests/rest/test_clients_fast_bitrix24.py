"""fast_bitrix24 1.8.14 against a live Kontora over plain http (spec §6): everything it does goes through batch."""

import aiohttp
import pytest
from fast_bitrix24.server_response import ErrorInServerResponseException

from tests.factories import make_deal

pytest_plugins = ["tests.rest.live"]
pytestmark = pytest.mark.processes


def ids(rows) -> list[int]:
    return [int(row["ID"]) for row in rows]


def test_add_one_then_many_and_list_them_all(fast, org):
    # given anna's webhook
    bitrix = fast(org.sales_rep)

    # when she adds one deal, then 120 in one call, and lists every deal
    first = bitrix.call("crm.deal.add", {"fields": {"TITLE": "Первая"}})
    many = bitrix.call("crm.deal.add", [{"fields": {"TITLE": f"Сделка {n}"}} for n in range(120)])
    rows = bitrix.get_all("crm.deal.list", {"select": ["ID", "TITLE"], "filter": {">ID": 0}})

    # then the ids come back as ints, in a tuple for the many, and the listing has all 121 once
    assert isinstance(first, int)
    assert isinstance(many, tuple) and len(set(many)) == 120 and all(isinstance(pk, int) for pk in many)
    assert sorted(ids(rows)) == sorted([first, *many])


def test_get_all_of_a_thousand_deals(fast, bulk_deals, org):
    # given 1,000 deals
    made = set(bulk_deals(1000, by=org.sales_rep))

    # when anna lists them (page 1, then batches of start=50,100,…)
    rows = fast(org.sales_rep).get_all("crm.deal.list", {"select": ["ID"]})

    # then she has exactly the 1,000
    assert len(rows) == 1000
    assert set(ids(rows)) == made


def test_get_by_id_raw_call_and_batch_with_references(fast, org):
    # given three deals
    bitrix = fast(org.sales_rep)
    made = [make_deal(f"Сделка {n}", by=org.sales_rep).pk for n in range(3)]

    # when she reads them by id, reads one raw, and batches an add with a read of what it added
    by_id = bitrix.get_by_ID("crm.deal.get", made)
    raw = bitrix.call("crm.deal.get", {"ID": made[0]}, raw=True)
    batched = bitrix.call_batch({"halt": 0, "cmd": {"a": "crm.deal.add?fields[TITLE]=x",
                                                    "b": "crm.deal.get?id=$result[a]"}})  # fmt: skip

    # then each path gives the deals
    assert {int(key): row["TITLE"] for key, row in by_id.items()} == {pk: f"Сделка {n}" for n, pk in enumerate(made)}
    assert raw["result"]["ID"] == str(made[0])
    assert int(batched["b"]["ID"]) == batched["a"]
    assert batched["b"]["TITLE"] == "x"


def test_errors_raise_the_clients_exceptions(fast, org):
    # given anna's webhook
    bitrix = fast(org.sales_rep)

    # when a deal is read without an id, batched and raw
    # then the batched call raises on the command's error and the raw call on the HTTP 400
    with pytest.raises(ErrorInServerResponseException):
        bitrix.call("crm.deal.get", {"select": ["ID"]})
    with pytest.raises(aiohttp.ClientResponseError) as raised:
        bitrix.call("crm.deal.get", {}, raw=True)
    assert raised.value.status == 400


def test_get_all_of_tasks_unwraps_the_pages(fast, bulk_tasks, org):
    # given 75 tasks of anna's
    made = set(bulk_tasks(75, by=org.sales_rep))

    # when she gets them all
    tasks = fast(org.sales_rep).get_all("tasks.task.list", {"select": ["ID", "TITLE"]})

    # then the {"tasks": […]} pages come back as one flat list of 75
    assert isinstance(tasks, list)
    assert {int(task["id"]) for task in tasks} == made


def test_an_own_deals_role_sees_only_its_deals_through_every_path(fast, bulk_deals, own_deals_employee, org):
    # given a man who may see only his own deals, his 3, and 60 deals of others in his department
    mine = {make_deal("Моя", by=own_deals_employee).pk for _ in range(3)}
    others = bulk_deals(60, by=org.sales_rep)
    bitrix = fast(own_deals_employee)

    # when he lists everything, reads by id, reads raw and batches
    rows = bitrix.get_all("crm.deal.list", {"select": ["ID"]})
    by_id = bitrix.get_by_ID("crm.deal.get", sorted(mine))
    raw = bitrix.call("crm.deal.list", {"select": ["ID"]}, raw=True)
    batched = bitrix.call_batch({"halt": 0, "cmd": {"list": "crm.deal.list?select[]=ID",
                                                    "own": f"crm.deal.get?id={min(mine)}"}})  # fmt: skip

    # then only his deals come back, and others' deals are as good as missing on every path
    assert set(ids(rows)) == mine
    assert {int(key) for key in by_id} == mine
    assert (set(ids(raw["result"])), raw["total"]) == (mine, 3)
    assert set(ids(batched["list"])) == mine
    assert int(batched["own"]["ID"]) == min(mine)
    with pytest.raises(ErrorInServerResponseException):
        bitrix.call("crm.deal.get", {"ID": others[0]})
    with pytest.raises(ErrorInServerResponseException):
        bitrix.get_by_ID("crm.deal.get", [others[0]])
    with pytest.raises(aiohttp.ClientResponseError):
        bitrix.call("crm.deal.get", {"ID": others[0]}, raw=True)
    with pytest.raises(ErrorInServerResponseException):
        bitrix.call_batch({"halt": 0, "cmd": {"other": f"crm.deal.get?id={others[0]}"}})
