"""crm.{lead,deal,contact,company}.* over HTTP: value formats, select, filters, paging, the gate, writes."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kontora.accounts import roles
from kontora.accounts import services as accounts
from kontora.accounts.models import Level
from kontora.crm import services as crm
from kontora.crm.choices import EntityType
from kontora.crm.models import Contact, Deal, Lead, LossReason, MultiField
from kontora.crm.services.fields import create_field
from tests.factories import make_company, make_contact, make_deal, make_lead, stage

OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
SEVEN_KEYS = {"type", "isRequired", "isReadOnly", "isImmutable", "isMultiple", "isDynamic", "title"}


def call(client, base: str, name: str, payload: dict | None = None):
    return client.post(f"{base}{name}", data=json.dumps(payload or {}), content_type="application/json")


def ok(client, base: str, name: str, payload: dict | None = None) -> dict:
    response = call(client, base, name, payload)
    assert response.status_code == 200, response.content
    return response.json()


def own_deals_user(org):
    """An employee whose role lets him see and change only the deals he is responsible for."""
    role = roles.create_role(by=org.admin, name="Own deals")
    roles.set_grants(role, by=org.admin, levels={
        ("crm.deal", action, ""): Level.OWN for action in ("read", "add", "update", "delete")
    })  # fmt: skip
    return accounts.create_user(
        by=None, username="petr", password="Kontora-test-2026", department=org.sales, roles=[role],
        first_name="Petr", last_name="Own", email="petr@example.test",
    )  # fmt: skip


# Reads and value formats


def test_deal_get_writes_strings_null_links_offsets_and_flags(client, hook, org):
    deal = make_deal("Поставка", by=org.sales_rep, amount=Decimal("19999.99"), begin_date=datetime.date(2024, 8, 30))

    body = ok(client, hook(), "crm.deal.get", {"id": deal.pk})

    row = body["result"]
    assert row["ID"] == str(deal.pk)
    assert row["TITLE"] == "Поставка"
    assert row["OPPORTUNITY"] == "19999.99"
    assert row["CATEGORY_ID"] == "0"
    assert (row["STAGE_ID"], row["STAGE_SEMANTIC_ID"]) == ("NEW", "P")
    assert row["ASSIGNED_BY_ID"] == str(org.sales_rep.pk)
    assert row["COMPANY_ID"] is None and row["CONTACT_ID"] is None and row["CONTACT_IDS"] == []
    assert (row["OPENED"], row["CLOSED"]) == ("Y", "N")
    assert OFFSET.match(row["DATE_CREATE"]) and OFFSET.match(row["DATE_MODIFY"])
    assert row["BEGINDATE"].startswith("2024-08-30T00:00:00")
    assert OFFSET.match(row["BEGINDATE"])


def test_get_of_a_missing_record_is_not_found_with_an_empty_code(client, hook, org):
    base = hook()

    missing = call(client, base, "crm.deal.get", {"id": 999999})
    no_id = call(client, base, "crm.lead.get", {})

    assert (missing.status_code, missing.json()) == (400, {"error": "", "error_description": "Not found"})
    assert (no_id.status_code, no_id.json()["error"]) == (400, "")


def test_contact_get_has_multifields_and_links(client, hook, org):
    company = make_company("Вектор", by=org.sales_rep)
    contact = make_contact("Петров", by=org.sales_rep, phones=[("+7 999 111-22-33", "MOBILE")],
                           emails=["p@example.test"], companies=[company])  # fmt: skip

    row = ok(client, hook(), "crm.contact.get", {"ID": contact.pk})["result"]

    phone = MultiField.objects.get(entity_type=EntityType.CONTACT, entity_id=contact.pk, type_id="PHONE")
    assert row["PHONE"] == [{"ID": str(phone.pk), "TYPE_ID": "PHONE", "VALUE": "+7 999 111-22-33",
                             "VALUE_TYPE": "MOBILE"}]  # fmt: skip
    assert row["EMAIL"][0]["VALUE"] == "p@example.test"
    assert "WEB" not in row
    assert (row["HAS_PHONE"], row["HAS_EMAIL"], row["HAS_IMOL"]) == ("Y", "Y", "N")
    assert (row["COMPANY_ID"], row["COMPANY_IDS"]) == (str(company.pk), [str(company.pk)])
    assert (row["NAME"], row["LAST_NAME"]) == ("Иван", "Петров")


def test_select_star_leaves_out_custom_and_multifields_which_come_only_when_named(client, hook, org):
    create_field(by=org.admin, entity_type=EntityType.CONTACT, kind="string", label_ru="Код", code="CODE")
    make_contact("Петров", by=org.sales_rep, phones=["+79991112233"], custom={"UF_CRM_CODE": "A1"})
    base = hook()

    default = ok(client, base, "crm.contact.list")["result"][0]
    star = ok(client, base, "crm.contact.list", {"select": ["*"]})["result"][0]
    custom = ok(client, base, "crm.contact.list", {"select": ["UF_*"]})["result"][0]
    named = ok(client, base, "crm.contact.list", {"select": ["NAME", "PHONE", "UF_CRM_CODE"]})["result"][0]

    assert default["UF_CRM_CODE"] == "A1" and "LAST_NAME" in default and "PHONE" not in default
    assert "UF_CRM_CODE" not in star and "PHONE" not in star and star["LAST_NAME"] == "Петров"
    assert set(custom) == {"ID", "UF_CRM_CODE"}
    assert set(named) == {"ID", "NAME", "PHONE", "UF_CRM_CODE"}
    assert named["PHONE"][0]["VALUE"] == "+79991112233"


def test_filters_take_several_prefixes(client, hook, org):
    old = make_deal("Старая поставка", by=org.sales_rep)
    Deal.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    fresh = make_deal("Новая поставка", by=org.sales_rep)
    won = make_deal("Выигранная поставка", by=org.sales_rep, stage=stage("WON"))
    other = make_deal("Ремонт", by=org.sales_rep)
    base = hook()
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    def ids(filter_: dict) -> list[int]:
        return [int(row["ID"]) for row in ok(client, base, "crm.deal.list", {"filter": filter_})["result"]]

    assert ids({">=DATE_CREATE": since, "%TITLE": "поставка"}) == [fresh.pk, won.pk]
    assert ids({"@ID": [old.pk, won.pk, other.pk], "!STAGE_ID": "WON"}) == [old.pk, other.pk]
    assert ids({"%title": "ПОСТАВКА", "<DATE_CREATE": since}) == [old.pk]


def test_contacts_are_found_by_phone_in_any_format_and_by_email(client, hook, org):
    ivan = make_contact("Петров", by=org.sales_rep, phones=["+7 916 123-45-67"], emails=["Ivan@Example.test"])
    make_contact("Сидоров", by=org.sales_rep, phones=["+7 916 000-00-00"])
    base = hook()

    def ids(filter_: dict) -> list[int]:
        return [int(row["ID"]) for row in ok(client, base, "crm.contact.list", {"filter": filter_})["result"]]

    assert ids({"PHONE": "8 (916) 123-45-67"}) == [ivan.pk]
    assert ids({"EMAIL": ["ivan@example.test", "x@example.test"]}) == [ivan.pk]
    compared = call(client, base, "crm.contact.list", {"filter": {">PHONE": "1"}})

    assert ids({"%PHONE": "12345"}) == [ivan.pk]
    assert compared.json()["error_description"].startswith("PHONE: ")


def test_a_filter_on_an_unknown_field_names_it(client, hook, org):
    response = call(client, hook(), "crm.deal.list", {"filter": {">NO_SUCH": 1}})

    assert response.status_code == 400
    assert response.json()["error"] == ""
    assert response.json()["error_description"].startswith("NO_SUCH:")


def test_order_accepts_lowercase_directions_and_defaults_to_id(client, hook, org):
    first = make_deal("Бета", by=org.sales_rep)
    second = make_deal("Альфа", by=org.sales_rep)
    third = make_deal("Гамма", by=org.sales_rep)
    base = hook()

    default = ok(client, base, "crm.deal.list", {"select": ["ID"]})["result"]
    by_title = ok(client, base, "crm.deal.list", {"order": {"title": "desc"}, "select": ["TITLE"]})["result"]

    assert [row["ID"] for row in default] == [str(first.pk), str(second.pk), str(third.pk)]
    assert [row["TITLE"] for row in by_title] == ["Гамма", "Бета", "Альфа"]


def test_lists_page_by_fifty_round_start_down_and_skip_the_count_with_minus_one(client, hook, org):
    deals = [make_deal(f"Сделка {n}", by=org.sales_rep) for n in range(55)]
    base = hook()

    first = ok(client, base, "crm.deal.list", {"select": ["ID"]})
    rounded = ok(client, base, "crm.deal.list", {"select": ["ID"], "start": 37})
    last = ok(client, base, "crm.deal.list", {"select": ["ID"], "start": 50})
    fast = ok(client, base, "crm.deal.list", {"select": ["ID"], "start": -1, "filter": {">ID": deals[2].pk}})

    assert (len(first["result"]), first["total"], first["next"]) == (50, 55, 50)
    assert rounded["result"] == first["result"]
    assert [row["ID"] for row in last["result"]] == [str(deal.pk) for deal in deals[50:]]
    assert (last["total"], "next" in last) == (55, False)
    assert len(fast["result"]) == 50 and "next" not in fast
    assert fast["result"][0]["ID"] == str(deals[3].pk)


def test_a_user_who_sees_only_his_deals_gets_only_those_through_list_get_and_batch(client, hook, org):
    petr = own_deals_user(org)
    mine = make_deal("Моя", by=petr)
    theirs = make_deal("Чужая", by=org.sales_rep)
    base = hook(petr)

    listed = ok(client, base, "crm.deal.list")
    got = call(client, base, "crm.deal.get", {"id": theirs.pk})
    batch = ok(client, base, "batch", {"halt": 0, "cmd": {
        "mine": f"crm.deal.get?id={mine.pk}", "theirs": f"crm.deal.get?id={theirs.pk}",
        "list": "crm.deal.list?select[]=ID",
    }})["result"]  # fmt: skip

    assert [row["ID"] for row in listed["result"]] == [str(mine.pk)] and listed["total"] == 1
    assert (got.status_code, got.json()["error_description"]) == (400, "Not found")
    assert batch["result"]["mine"]["TITLE"] == "Моя"
    assert batch["result_error"]["theirs"] == {"error": "", "error_description": "Not found"}
    assert batch["result"]["list"] == [{"ID": str(mine.pk)}]


def test_another_users_deal_cannot_be_changed_or_deleted(client, hook, org):
    petr = own_deals_user(org)
    theirs = make_deal("Чужая", by=org.sales_rep)
    base = hook(petr)

    update = call(client, base, "crm.deal.update", {"id": theirs.pk, "fields": {"TITLE": "Моя"}})
    delete = call(client, base, "crm.deal.delete", {"id": theirs.pk})

    assert (update.status_code, update.json()["error_description"]) == (400, "Not found")
    assert delete.status_code == 400
    assert Deal.objects.get(pk=theirs.pk).title == "Чужая"


# Writes


def test_deal_add_update_delete_through_the_services(client, hook, org):
    contact = make_contact("Петров", by=org.sales_rep)
    base = hook()

    added = ok(client, base, "crm.deal.add", {"fields": {
        "TITLE": "Поставка", "OPPORTUNITY": "1500.50", "CURRENCY_ID": "usd", "CONTACT_ID": contact.pk,
        "BEGINDATE": "30.08.2024", "NO_SUCH_FIELD": "ignored",
    }, "params": {"REGISTER_SONET_EVENT": "Y"}})  # fmt: skip
    deal = Deal.objects.get(pk=added["result"])
    updated = ok(client, base, "crm.deal.update", {"id": deal.pk, "fields": {
        "TITLE": "Поставка 2", "STAGE_ID": "PREPARATION", "CATEGORY_ID": 5, "PROBABILITY": 40,
    }})  # fmt: skip
    deal.refresh_from_db()
    deleted = ok(client, base, "crm.deal.delete", {"id": deal.pk})

    assert isinstance(added["result"], int)
    assert (deal.title, deal.amount, deal.currency, deal.probability) == ("Поставка 2", 1500.5, "USD", 40)
    assert (deal.stage.status_id, deal.category_id, deal.begin_date) == ("PREPARATION", 0, datetime.date(2024, 8, 30))
    assert list(deal.contacts.all()) == [contact]
    assert deal.created_by == org.sales_rep
    assert updated["result"] is True and deleted["result"] is True
    assert Deal.all_objects.get(pk=deal.pk).deleted_at is not None
    assert call(client, base, "crm.deal.get", {"id": deal.pk}).json()["error_description"] == "Not found"


def test_deal_add_takes_a_pipeline_and_defaults_to_its_first_stage(client, hook, org):
    pipeline = crm.create_category(by=org.admin, name="Партнёры")
    base = hook(org.admin)

    first = ok(client, base, "crm.deal.add", {"fields": {"TITLE": "A", "CATEGORY_ID": pipeline.pk}})["result"]
    row = ok(client, base, "crm.deal.get", {"id": first})["result"]

    assert row["CATEGORY_ID"] == str(pipeline.pk)
    assert row["STAGE_ID"] == f"C{pipeline.pk}:NEW"


def test_rejected_values_name_the_field(client, hook, org):
    base = hook()

    amount = call(client, base, "crm.deal.add", {"fields": {"TITLE": "x", "OPPORTUNITY": "-5"}})
    probability = call(client, base, "crm.deal.add", {"fields": {"TITLE": "x", "PROBABILITY": 150}})
    stage_code = call(client, base, "crm.deal.add", {"fields": {"TITLE": "x", "STAGE_ID": "NOPE"}})
    email = call(client, base, "crm.contact.add", {"fields": {"NAME": "Иван", "EMAIL": [{"VALUE": "not-mail"}]}})
    person = call(client, base, "crm.contact.add", {"fields": {"POST": "CEO"}})

    for response, field in ((amount, "OPPORTUNITY"), (probability, "PROBABILITY"), (stage_code, "STAGE_ID"),
                            (email, "EMAIL"), (person, "LAST_NAME")):  # fmt: skip
        assert response.status_code == 400
        assert response.json()["error"] == ""
        assert response.json()["error_description"].startswith(f"{field}: ")
    assert not Deal.objects.exists() and not Contact.objects.exists()


def test_contact_update_merges_phones_by_id(client, hook, org):
    contact = make_contact("Петров", by=org.sales_rep, phones=["+79990000001", "+79990000002", "+79990000003"])
    first, second, third = MultiField.objects.filter(entity_id=contact.pk, entity_type=EntityType.CONTACT)
    base = hook()

    ok(client, base, "crm.contact.update", {"id": contact.pk, "fields": {"PHONE": [
        {"ID": first.pk, "VALUE": "+79995555555", "VALUE_TYPE": "MOBILE"},
        {"ID": second.pk, "VALUE": "+79990000002", "DELETE": "Y"},
        {"VALUE": "+79997777777", "VALUE_TYPE": "HOME"},
    ]}})  # fmt: skip
    phones = ok(client, base, "crm.contact.get", {"id": contact.pk})["result"]["PHONE"]

    assert [(item["VALUE"], item["VALUE_TYPE"]) for item in phones] == [
        ("+79995555555", "MOBILE"), ("+79990000003", "WORK"), ("+79997777777", "HOME"),
    ]  # fmt: skip
    assert third.value == "+79990000003"


def test_company_and_lead_add_with_multifields_and_custom_fields(client, hook, org):
    create_field(by=org.admin, entity_type=EntityType.LEAD, kind="double", label_ru="Бюджет", code="BUDGET")
    create_field(by=org.admin, entity_type=EntityType.LEAD, kind="boolean", label_ru="VIP", code="VIP")
    base = hook()

    company_id = ok(client, base, "crm.company.add", {"fields": {
        "TITLE": "Вектор", "WEB": [{"VALUE": "https://vector.example", "VALUE_TYPE": "WORK"}], "EMPLOYEES": "40",
    }})["result"]  # fmt: skip
    lead_id = ok(client, base, "crm.lead.add", {"fields": {
        "NAME": "Иван", "LAST_NAME": "Петров", "STATUS_ID": "IN_PROCESS", "SOURCE_ID": "WEB",
        "PHONE": [{"VALUE": "+79991112233", "VALUE_TYPE": "WORK"}], "COMPANY_ID": company_id,
        "UF_CRM_BUDGET": "1200.5", "UF_CRM_VIP": "Y", "UF_CRM_UNDEFINED": "dropped",
    }})["result"]  # fmt: skip
    company = ok(client, base, "crm.company.get", {"id": company_id})["result"]
    lead = ok(client, base, "crm.lead.get", {"id": lead_id})["result"]

    assert company["WEB"][0]["VALUE"] == "https://vector.example" and company["EMPLOYEES"] == "40"
    assert (lead["TITLE"], lead["STATUS_ID"], lead["STATUS_SEMANTIC_ID"], lead["SOURCE_ID"]) == (
        "Иван Петров", "IN_PROCESS", "P", "WEB",
    )  # fmt: skip
    assert lead["PHONE"][0]["VALUE"] == "+79991112233" and lead["COMPANY_ID"] == str(company_id)
    assert (lead["UF_CRM_BUDGET"], lead["UF_CRM_VIP"]) == ("1200.5", "1")
    assert "UF_CRM_UNDEFINED" not in Lead.objects.get(pk=lead_id).custom


def test_moving_a_lead_to_converted_over_rest_sets_the_status_and_creates_nothing(client, hook, org):
    lead = make_lead("Заявка", by=org.sales_rep, first_name="Иван", last_name="Петров")
    base = hook()

    result = ok(client, base, "crm.lead.update", {"id": lead.pk, "fields": {"STATUS_ID": "CONVERTED"}})
    row = ok(client, base, "crm.lead.get", {"id": lead.pk})["result"]

    assert result["result"] is True
    assert (row["STATUS_ID"], row["STATUS_SEMANTIC_ID"]) == ("CONVERTED", "S")
    assert not Contact.objects.exists() and not Deal.objects.exists()


def test_a_stock_client_marks_a_deal_lost_and_may_name_the_reason(client, hook, org):
    plain = make_deal("Поставка", by=org.sales_rep)
    explained = make_deal("Монтаж", by=org.sales_rep)
    base = hook()
    reason = LossReason.objects.first()

    first = ok(client, base, "crm.deal.update", {"id": plain.pk, "fields": {"STAGE_ID": "LOSE"}})
    lost_because = {"STAGE_ID": "LOSE", "LOSS_REASON_ID": reason.pk}
    second = ok(client, base, "crm.deal.update", {"id": explained.pk, "fields": lost_because})
    plain.refresh_from_db()
    explained.refresh_from_db()

    assert first["result"] is True and second["result"] is True
    assert (plain.stage.status_id, plain.closed, plain.loss_reason) == ("LOSE", True, None)
    assert explained.loss_reason == reason


@pytest.mark.parametrize("entity", ["lead", "deal", "contact", "company"])
def test_fields_describe_every_field_with_the_seven_keys(client, hook, org, entity):
    result = ok(client, hook(), f"crm.{entity}.fields")["result"]

    assert "ID" in result and "ASSIGNED_BY_ID" in result
    assert all(SEVEN_KEYS <= set(entry) for entry in result.values())
    assert result["ID"]["isReadOnly"] is True
    if entity != "deal":
        assert result["PHONE"]["isMultiple"] is True
    else:
        assert result["CATEGORY_ID"]["isImmutable"] is True and "PHONE" not in result


def test_company_without_a_title_is_refused_naming_the_field(client, hook):
    response = client.post(f"{hook()}crm.company.add", data="{}", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == ""
    assert "TITLE" in response.json()["error_description"]
