"""crm.item.* over HTTP: camelCase with native values, OR groups, the gate, and the item family's errors."""

import json
from decimal import Decimal

from kontora.crm.models import Company, Deal, FieldDefinition, MultiField
from tests.factories import make_company, make_contact, make_deal, make_lead


def call(client, base: str, name: str, params: dict | None = None):
    return client.post(f"{base}{name}", data=json.dumps(params or {}), content_type="application/json")


def test_item_add_and_get_answer_camel_case_with_native_values(client, hook, org):
    company = make_company(by=org.sales_rep)
    contact = make_contact(by=org.sales_rep)
    base = hook(org.sales_rep)

    added = call(client, base, "crm.item.add", {"entityTypeId": 2, "fields": {
        "title": "Поставка", "opportunity": 1500.5, "companyId": company.pk, "contactIds": [contact.pk],
        "stageId": "PREPARATION", "begindate": "2025-02-01", "probability": 40,
    }}).json()["result"]["item"]  # fmt: skip
    got = call(client, base, "crm.item.get", {"entityTypeId": 2, "id": added["id"]}).json()["result"]["item"]

    deal = Deal.objects.get(pk=added["id"])
    assert (deal.title, deal.amount, deal.stage.status_id, deal.company_id) == (
        "Поставка",
        Decimal("1500.50"),
        "PREPARATION",
        company.pk,
    )
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert got == added
    assert got["id"] == deal.pk and got["entityTypeId"] == 2
    assert got["opportunity"] == 1500.5 and got["probability"] == 40 and got["categoryId"] == 0
    assert got["companyId"] == company.pk and got["contactIds"] == [contact.pk] and got["contactId"] == contact.pk
    assert got["stageId"] == "PREPARATION" and got["assignedById"] == org.sales_rep.pk
    assert got["createdBy"] == org.sales_rep.pk and got["createdTime"] and got["opened"] == "Y"
    assert got["begindate"].startswith("2025-02-01T00:00:00")
    assert "fm" not in got


def test_legacy_names_and_values_differ_from_crm_item(client, hook, org):
    deal = make_deal(by=org.sales_rep, amount=Decimal("10"))
    base = hook(org.sales_rep)

    item = call(client, base, "crm.item.get", {"entityTypeId": 2, "id": deal.pk}).json()["result"]["item"]
    fields = call(client, base, "crm.item.fields", {"entityTypeId": 2}).json()["result"]["fields"]

    assert item["id"] == deal.pk and item["opportunity"] == 10.0 and "ID" not in item
    assert fields["assignedById"]["upperName"] == "ASSIGNED_BY_ID" and fields["assignedById"]["type"] == "user"
    assert fields["createdTime"]["isReadOnly"] is True and fields["stageId"]["statusType"] == "DEAL_STAGE"


def test_item_update_changes_fields_and_moves_the_stage(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    base = hook(org.sales_rep)

    updated = call(
        client,
        base,
        "crm.item.update",
        {"entityTypeId": 2, "id": deal.pk, "fields": {"TITLE": "Новая", "stageId": "EXECUTING"}},
    )

    item = updated.json()["result"]["item"]
    deal.refresh_from_db()
    assert (deal.title, deal.stage.status_id) == ("Новая", "EXECUTING")
    assert (item["title"], item["stageId"], item["stageSemanticId"]) == ("Новая", "EXECUTING", "P")


def test_contacts_and_companies_carry_fm_and_custom_fields_in_uf_names(client, hook, org):
    FieldDefinition.objects.create(entity_type=3, code="UF_CRM_10_BUDGET", kind=FieldDefinition.Kind.NUMBER,
                                   label_ru="Бюджет")  # fmt: skip
    base = hook(org.sales_rep)

    added = call(client, base, "crm.item.add", {"entityTypeId": 3, "fields": {
        "name": "Ольга", "lastName": "Смирнова", "ufCrm10Budget": 500,
        "fm": [{"typeId": "PHONE", "valueType": "WORK", "value": "+7 999 111-22-33"},
               {"typeId": "EMAIL", "valueType": "WORK", "value": "olga@example.com"}],
    }}).json()["result"]["item"]  # fmt: skip
    original = call(client, base, "crm.item.list", {"entityTypeId": 3, "select": ["id", "UF_*"],
                                                    "useOriginalUfNames": "Y"}).json()["result"]["items"]  # fmt: skip

    assert (added["name"], added["lastName"], added["ufCrm10Budget"]) == ("Ольга", "Смирнова", 500)
    assert sorted((row["typeId"], row["value"]) for row in added["fm"]) == [
        ("EMAIL", "olga@example.com"),
        ("PHONE", "+7 999 111-22-33"),
    ]
    assert MultiField.objects.filter(entity_id=added["id"], entity_type=3).count() == 2
    assert original == [{"id": added["id"], "UF_CRM_10_BUDGET": 500, "entityTypeId": 3}]


def test_item_list_pages_selects_and_takes_or_groups(client, hook, org):
    for title in ("Альфа", "Бета", "Гамма"):
        make_company(title, by=org.sales_rep)
    base = hook(org.sales_rep)

    found = call(client, base, "crm.item.list", {
        "entityTypeId": 4, "select": ["id", "title"], "order": {"title": "DESC"},
        "filter": {"0": {"logic": "OR", "%title": "льф", "=title": "Гамма"}},
    }).json()  # fmt: skip
    paged = call(client, base, "crm.item.list", {"entityTypeId": 4, "select": ["id"], "start": 1}).json()

    titles = [row["title"] for row in found["result"]["items"]]
    assert titles == ["Гамма", "Альфа"] and found["total"] == 2 and "next" not in found
    assert set(found["result"]["items"][0]) == {"id", "title", "entityTypeId"}
    ids = sorted(Company.objects.values_list("pk", flat=True))
    assert [row["id"] for row in paged["result"]["items"]] == ids[1:] and paged["total"] == 3


def test_item_list_and_get_show_only_what_the_role_allows(client, hook, org):
    mine = make_lead(by=org.sales_rep)
    theirs = make_lead("Казанский лид", by=org.kazan_rep)

    listed = call(client, hook(org.sales_rep), "crm.item.list", {"entityTypeId": 1}).json()
    hidden = call(client, hook(org.sales_rep), "crm.item.get", {"entityTypeId": 1, "id": theirs.pk})
    update = call(client, hook(org.sales_rep), "crm.item.update",
                  {"entityTypeId": 1, "id": theirs.pk, "fields": {"title": "x"}})  # fmt: skip

    assert [row["id"] for row in listed["result"]["items"]] == [mine.pk] and listed["total"] == 1
    assert (hidden.status_code, hidden.json()["error"]) == (400, "NOT_FOUND")
    assert update.json()["error"] == "NOT_FOUND"
    theirs.refresh_from_db()
    assert theirs.title == "Казанский лид"


def test_read_only_user_gets_access_denied_on_writes(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    base = hook(org.reader)

    seen = call(client, base, "crm.item.get", {"entityTypeId": 2, "id": deal.pk})
    changed = call(client, base, "crm.item.update", {"entityTypeId": 2, "id": deal.pk, "fields": {"title": "x"}})
    deleted = call(client, base, "crm.item.delete", {"entityTypeId": 2, "id": deal.pk})
    added = call(client, base, "crm.item.add", {"entityTypeId": 4, "fields": {"title": "x"}})

    assert seen.status_code == 200
    assert [r.json()["error"] for r in (changed, deleted, added)] == ["ACCESS_DENIED"] * 3
    assert not Company.objects.exists()


def test_item_delete_moves_to_the_bin_and_unknown_types_are_not_found(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    base = hook(org.sales_rep)

    deleted = call(client, base, "crm.item.delete", {"entityTypeId": 2, "id": deal.pk})
    again = call(client, base, "crm.item.get", {"entityTypeId": 2, "id": deal.pk})
    unknown = call(client, base, "crm.item.list", {"entityTypeId": 999})

    assert deleted.json()["result"] == []
    assert Deal.all_objects.get(pk=deal.pk).deleted_at is not None
    assert again.json()["error"] == "NOT_FOUND"
    assert unknown.json()["error"] == "NOT_FOUND"
