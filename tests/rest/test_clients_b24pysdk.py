"""b24pysdk 1.3.2, Bitrix24's official SDK, against a live Kontora over https in webhook mode (spec §6)."""

import pytest
from b24pysdk.errors import BitrixAPIBadRequest, BitrixAPINotFound
from b24pysdk.errors.oauth import BitrixOAuthNoAuthFound

from tests.factories import make_deal

pytest_plugins = ["tests.rest.live"]
pytestmark = pytest.mark.processes


def ids(rows) -> list[int]:
    return [int(row["ID"]) for row in rows]


def test_profile_fields_add_get_update(b24, org):
    # given anna's webhook
    client = b24(org.sales_rep)

    # when she asks who she is, what a deal is made of, and adds, reads and renames a deal
    profile = client.profile().result
    fields = client.crm.deal.fields().value
    added = client.crm.deal.add(fields={"TITLE": "Поставка"}).result
    read = client.crm.deal.get(bitrix_id=added).result
    updated = client.crm.deal.update(bitrix_id=added, fields={"TITLE": "Поставка станков"}).result
    reread = client.crm.deal.get(bitrix_id=added).result

    # then every answer has the shape the SDK parses
    assert int(profile["ID"]) == org.sales_rep.pk
    assert {"ID", "TITLE", "STAGE_ID", "ASSIGNED_BY_ID"} <= set(fields)
    assert isinstance(added, int)
    assert (read["ID"], read["TITLE"]) == (str(added), "Поставка")
    assert updated is True
    assert reread["TITLE"] == "Поставка станков"


def test_paging_and_both_bulk_listers(b24, bulk_deals, org):
    # given 131 deals anna can see
    client = b24(org.sales_rep)
    made = {client.crm.deal.add(fields={"TITLE": "Первая"}).result, *bulk_deals(130, by=org.sales_rep)}

    # when she lists a page, then everything with both listers, then 120 with the fast one
    page = client.crm.deal.list(select=["ID", "TITLE"]).response
    slow = client.crm.deal.list(select=["ID", "TITLE"]).as_list().result
    quick = list(client.crm.deal.list(select=["ID", "TITLE"]).as_list_fast().result)
    limited = list(client.get_token().call_list_fast("crm.deal.list", {"select": ["ID"]}, limit=120)["result"])

    # then the page is 50 of 131 with the next offset, and the listers give every deal exactly once
    assert (len(page.result), page.total, page.next) == (50, 131, 50)
    assert len(slow) == len(quick) == 131
    assert set(ids(slow)) == set(ids(quick)) == made
    assert len(set(ids(limited))) == len(limited) == 120


def test_batch_refers_to_an_earlier_result(b24, org):
    # given anna's webhook
    token = b24(org.sales_rep).get_token()

    # when one batch adds a deal and reads it back through $result[a]
    answer = token.call_batch({"a": ("crm.deal.add", {"fields": {"TITLE": "Из пакета"}}),
                               "g": ("crm.deal.get", {"id": "$result[a]"})})["result"]  # fmt: skip

    # then the second command saw the first one's id
    assert not answer["result_error"]
    assert int(answer["result"]["g"]["ID"]) == answer["result"]["a"]
    assert answer["result"]["g"]["TITLE"] == "Из пакета"


def test_errors_map_to_the_sdk_exceptions(b24, org):
    # given a good client and one with a wrong code
    client = b24(org.sales_rep)
    impostor = b24(token=f"{org.sales_rep.pk}/{'x' * 32}")

    # when a deal is read without an id, an unknown method is called, and the wrong code calls at all
    # then each failure comes back as the exception the SDK raises for Bitrix24's answer
    with pytest.raises(BitrixAPIBadRequest):
        client.get_token().call_method("crm.deal.get", {})
    with pytest.raises(BitrixAPINotFound):
        client.get_token().call_method("crm.deal.nonexistent", {})
    with pytest.raises(BitrixOAuthNoAuthFound):
        impostor.profile().result  # noqa: B018


def test_a_thousand_deals_through_both_listers(b24, bulk_deals, org):
    # given 1,000 deals
    client = b24(org.sales_rep)
    made = set(bulk_deals(1000, by=org.sales_rep))

    # when anna lists them with the paging lister and with the fast (ID-window) lister
    slow = client.crm.deal.list(select=["ID"]).as_list().result
    quick = list(client.crm.deal.list(select=["ID"]).as_list_fast().result)

    # then each gives exactly the 1,000 deals, none twice
    assert len(slow) == len(quick) == 1000
    assert set(ids(slow)) == set(ids(quick)) == made


def test_tasks_list_as_list(b24, bulk_tasks, org):
    # given 75 tasks of anna's
    client = b24(org.sales_rep)
    made = set(bulk_tasks(75, by=org.sales_rep))

    # when she lists them all
    tasks = client.tasks.task.list(select=["ID", "TITLE"]).as_list().result

    # then the SDK unwraps the {"tasks": […]} pages into the 75 tasks
    assert {int(task["id"]) for task in tasks} == made


def test_an_own_deals_role_sees_only_its_deals_through_every_path(b24, bulk_deals, own_deals_employee, org):
    # given a man who may see only his own deals, his 3, and 60 deals of others in his department
    mine = {make_deal("Моя", by=own_deals_employee).pk for _ in range(3)}
    others = bulk_deals(60, by=org.sales_rep)
    client = b24(own_deals_employee)
    token = client.get_token()

    # when he lists, bulk-lists, reads and batches
    page = client.crm.deal.list(select=["ID"]).response
    slow = client.crm.deal.list(select=["ID"]).as_list().result
    quick = list(client.crm.deal.list(select=["ID"]).as_list_fast().result)
    own = client.crm.deal.get(bitrix_id=min(mine)).result
    batched = token.call_batch({"list": ("crm.deal.list", {"select": ["ID"]}),
                                "own": ("crm.deal.get", {"id": min(mine)}),
                                "other": ("crm.deal.get", {"id": others[0]})})["result"]  # fmt: skip

    # then he sees his three deals and nothing of the others', which are as good as missing
    assert (set(ids(page.result)), page.total) == (mine, 3)
    assert set(ids(slow)) == set(ids(quick)) == mine
    assert int(own["ID"]) == min(mine)
    assert set(ids(batched["result"]["list"])) == mine
    assert int(batched["result"]["own"]["ID"]) == min(mine)
    assert "other" in batched["result_error"] and "other" not in batched["result"]
    with pytest.raises(BitrixAPIBadRequest):
        token.call_method("crm.deal.get", {"id": others[0]})
