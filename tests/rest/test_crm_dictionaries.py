"""crm.status, pipelines, product rows, a deal's contacts, duplicates, products and user fields over the wire."""

import json
from decimal import Decimal

from kontora.crm.models import Category, Deal, FieldDefinition, Lead, Product, Status
from tests.factories import make_company, make_contact, make_deal, make_lead


def call(client, base: str, name: str, params: dict | None = None) -> dict:
    response = client.post(f"{base}{name}", data=json.dumps(params or {}), content_type="application/json")
    body = response.json()
    assert (response.status_code == 200) == ("result" in body), body
    return body


# crm.status -----------------------------------------------------------------------------------------------------


def test_status_list_filters_and_orders_and_writes_strings(client, hook):
    base = hook()

    body = call(client, base, "crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE"}, "order": {"SORT": "desc"}})

    rows = body["result"]
    assert body["total"] == 8
    assert [row["STATUS_ID"] for row in rows][:2] == ["APOLOGY", "LOSE"]
    won = next(row for row in rows if row["STATUS_ID"] == "WON")
    assert won["SEMANTICS"] == "S" and won["SYSTEM"] == "Y" and won["CATEGORY_ID"] == "0"
    assert won["EXTRA"] == {"SEMANTICS": "success", "COLOR": "#7BD500"}
    assert won["NAME_INIT"] == "Сделка успешна" and isinstance(won["SORT"], str)
    assert next(row for row in rows if row["STATUS_ID"] == "NEW")["SEMANTICS"] is None
    assert next(row for row in rows if row["STATUS_ID"] == "APOLOGY")["EXTRA"]["SEMANTICS"] == "apology"


def test_status_add_update_delete_by_an_administrator(client, hook, org):
    base = hook(org.admin)

    added = call(
        client,
        base,
        "crm.status.add",
        {"fields": {"ENTITY_ID": "SOURCE", "STATUS_ID": "fair", "NAME": "Ярмарка", "SORT": 500}},
    )
    pk = added["result"]
    updated = call(client, base, "crm.status.update", {"id": pk, "fields": {"NAME": "Выставка-ярмарка", "SORT": 5}})
    got = call(client, base, "crm.status.get", {"id": pk})["result"]

    assert isinstance(pk, int) and updated["result"] is True
    assert (got["ENTITY_ID"], got["STATUS_ID"], got["NAME"], got["SORT"]) == ("SOURCE", "FAIR", "Выставка-ярмарка", "5")
    assert "EXTRA" not in got
    assert call(client, base, "crm.status.delete", {"id": pk})["result"] is True
    assert not Status.objects.filter(pk=pk).exists()


def test_a_stage_added_to_a_pipeline_gets_its_prefix_and_failure_semantics(client, hook, org):
    base = hook(org.admin)
    category = call(client, base, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Опт"}})["result"]
    entity_id = f"DEAL_STAGE_{category['category']['id']}"

    pk = call(
        client,
        base,
        "crm.status.add",
        {
            "fields": {
                "ENTITY_ID": entity_id,
                "STATUS_ID": "REFUSED",
                "NAME": "Отказ",
                "EXTRA": {"SEMANTICS": "failure"},
            }
        },
    )["result"]
    success = call(
        client,
        base,
        "crm.status.add",
        {"fields": {"ENTITY_ID": entity_id, "NAME": "Ещё одна победа", "SEMANTICS": "S"}},
    )

    stage = Status.objects.get(pk=pk)
    assert stage.status_id == f"C{category['category']['id']}:REFUSED" and stage.semantics == "F"
    assert success["error"] == "" and success["error_description"].startswith("SEMANTICS: ")


def test_an_employee_cannot_change_dictionaries_or_pipelines(client, hook):
    base = hook()

    status = call(client, base, "crm.status.add", {"fields": {"ENTITY_ID": "SOURCE", "STATUS_ID": "X", "NAME": "x"}})
    category = call(client, base, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Моя"}})
    legacy = call(client, base, "crm.dealcategory.add", {"fields": {"NAME": "Моя"}})

    assert (status["error"], status["error_description"]) == ("", "Access denied.")
    assert category["error"] == "ACCESS_DENIED"
    assert legacy["error_description"] == "Access denied."
    assert not Status.objects.filter(entity_id="SOURCE", status_id="X").exists()
    assert Category.objects.count() == 1


def test_status_entity_types_and_items(client, hook):
    base = hook()

    types = call(client, base, "crm.status.entity.types")["result"]
    items = call(client, base, "crm.status.entity.items", {"entityId": "STATUS"})["result"]

    assert {"STATUS", "SOURCE", "DEAL_TYPE", "DEAL_STAGE"} <= {entry["ID"] for entry in types}
    assert [item["STATUS_ID"] for item in items] == ["NEW", "IN_PROCESS", "PROCESSED", "CONVERTED", "JUNK"]
    assert set(call(client, base, "crm.status.fields")["result"]["ENTITY_ID"]) >= {"type", "isRequired", "title"}


# Pipelines --------------------------------------------------------------------------------------------------------


def test_category_methods_wrap_camel_case_rows(client, hook, org):
    base = hook(org.admin)

    added = call(client, base, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Опт", "sort": 300}})
    pk = added["result"]["category"]["id"]
    call(client, base, "crm.category.update", {"entityTypeId": 2, "id": pk, "fields": {"name": "Оптовые продажи"}})
    listed = call(client, base, "crm.category.list", {"entityTypeId": 2})
    other_type = call(client, base, "crm.category.list", {"entityTypeId": 3})

    assert listed["total"] == 2
    default, wholesale = listed["result"]["categories"]
    assert default == {
        "id": 0,
        "name": "Продажи",
        "sort": 10,
        "entityTypeId": 2,
        "isDefault": "Y",
        "originId": "",
        "originatorId": "",
    }
    assert (wholesale["id"], wholesale["name"], wholesale["sort"], wholesale["isDefault"]) == (
        pk,
        "Оптовые продажи",
        300,
        "N",
    )
    assert other_type["error"] == "ENTITY_TYPE_NOT_SUPPORTED"
    assert call(client, base, "crm.category.delete", {"entityTypeId": 2, "id": pk})["result"] == []
    assert not Category.objects.filter(pk=pk).exists()
    missing = call(client, base, "crm.category.get", {"entityTypeId": 2, "id": pk})
    assert (missing["error"], missing["error_description"]) == ("NOT_FOUND", "Not found")


def test_a_pipeline_with_deals_or_the_default_one_is_not_deleted(client, hook, org):
    base = hook(org.admin)
    pk = call(client, base, "crm.dealcategory.add", {"fields": {"NAME": "Опт"}})["result"]
    make_deal(by=org.admin, category=Category.objects.get(pk=pk))

    busy = call(client, base, "crm.dealcategory.delete", {"id": pk})
    default = call(client, base, "crm.category.delete", {"entityTypeId": 2, "id": 0})

    assert busy["error"] == "" and busy["error_description"] != "Not found"
    assert default["error"] == "ERROR_ARGUMENT"
    assert Category.objects.filter(pk__in=[0, pk]).count() == 2


def test_legacy_deal_categories_and_their_stages(client, hook, org):
    base = hook(org.admin)
    pk = call(client, base, "crm.dealcategory.add", {"fields": {"NAME": "Опт", "SORT": 200}})["result"]

    listed = call(client, base, "crm.dealcategory.list", {"order": {"ID": "ASC"}})
    stages = call(client, base, "crm.dealcategory.stage.list", {"id": pk})["result"]
    default_stages = call(client, base, "crm.dealcategory.stage.list")["result"]
    default = call(client, base, "crm.dealcategory.default.get")["result"]

    assert listed["total"] == 1
    assert {key: listed["result"][0][key] for key in ("ID", "NAME", "SORT", "IS_LOCKED")} == {
        "ID": str(pk),
        "NAME": "Опт",
        "SORT": "200",
        "IS_LOCKED": "N",
    }
    assert [stage["STATUS_ID"] for stage in stages] == [f"C{pk}:NEW", f"C{pk}:WON", f"C{pk}:LOSE"]
    assert default_stages[0]["STATUS_ID"] == "NEW" and len(default_stages) == 8
    assert default == {"ID": "0", "NAME": "Продажи"}
    assert call(client, base, "crm.dealcategory.update", {"id": pk, "fields": {"NAME": "Опт-2"}})["result"] is True
    assert call(client, base, "crm.dealcategory.get", {"id": pk})["result"]["NAME"] == "Опт-2"
    assert call(client, base, "crm.dealcategory.get", {"id": 0})["error_description"] == "Not found"


# Product rows ---------------------------------------------------------------------------------------------------


def test_productrows_set_replaces_every_row_and_the_amount_follows(client, hook, org):
    deal = make_deal(by=org.sales_rep, amount=Decimal(5))
    base = hook(org.sales_rep)

    call(
        client,
        base,
        "crm.deal.productrows.set",
        {
            "id": deal.pk,
            "rows": [
                {"PRODUCT_NAME": "Монтаж", "PRICE": 90, "QUANTITY": 2, "DISCOUNT_RATE": 10},
                {"PRODUCT_NAME": "Доставка", "PRICE": "500"},
            ],
        },
    )
    first = call(client, base, "crm.deal.productrows.get", {"id": deal.pk})["result"]
    call(
        client, base, "crm.deal.productrows.set", {"id": deal.pk, "rows": [{"PRODUCT_NAME": "Только это", "PRICE": 7}]}
    )
    second = call(client, base, "crm.deal.productrows.get", {"id": deal.pk})["result"]

    montage = first[0]
    assert (montage["PRODUCT_NAME"], montage["PRICE"], montage["PRICE_BRUTTO"], montage["QUANTITY"]) == (
        "Монтаж",
        "90",
        "100",
        "2",
    )
    assert (montage["OWNER_TYPE"], montage["OWNER_ID"], montage["DISCOUNT_TYPE_ID"], montage["DISCOUNT_SUM"]) == (
        "D",
        str(deal.pk),
        "2",
        "10",
    )
    assert [row["PRODUCT_NAME"] for row in second] == ["Только это"]
    deal.refresh_from_db()
    assert deal.amount == Decimal(7) and deal.is_manual_amount is False


def test_productrows_take_a_catalogue_product_and_an_absolute_discount(client, hook, org):
    product = Product.objects.create(name="Кабель", price=Decimal(200), vat_rate=Decimal(20), unit="м")
    deal = make_deal(by=org.sales_rep)
    base = hook(org.sales_rep)

    call(
        client,
        base,
        "crm.deal.productrows.set",
        {
            "id": deal.pk,
            "rows": [
                {
                    "PRODUCT_ID": product.pk,
                    "PRICE": 180,
                    "DISCOUNT_TYPE_ID": 1,
                    "DISCOUNT_SUM": 16.67,
                    "TAX_RATE": 20,
                    "TAX_INCLUDED": "Y",
                    "QUANTITY": 3,
                },
            ],
        },
    )
    row = call(client, base, "crm.deal.productrows.get", {"id": deal.pk})["result"][0]

    assert (row["PRODUCT_ID"], row["PRODUCT_NAME"], row["MEASURE_NAME"], row["MEASURE_CODE"]) == (
        str(product.pk),
        "Кабель",
        "м",
        "006",
    )
    assert (row["PRICE"], row["PRICE_BRUTTO"], row["TAX_RATE"], row["TAX_INCLUDED"]) == ("180", "200", "20", "Y")
    deal.refresh_from_db()
    assert deal.amount == Decimal(540)


def test_productrows_of_a_deal_the_caller_cannot_see_are_not_found(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    base = hook(org.marketing_rep)

    got = call(client, base, "crm.deal.productrows.get", {"id": deal.pk})
    put = call(client, base, "crm.deal.productrows.set", {"id": deal.pk, "rows": [{"PRODUCT_NAME": "x", "PRICE": 1}]})

    assert (got["error"], got["error_description"]) == ("", "Not found")
    assert put["error_description"] == "Not found"


def test_a_reader_sees_product_rows_but_cannot_set_them(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    base = hook(org.reader)

    refused = call(client, base, "crm.deal.productrows.set", {"id": deal.pk, "rows": []})

    assert call(client, base, "crm.deal.productrows.get", {"id": deal.pk})["result"] == []
    assert refused["error_description"] == "Access denied."


def test_lead_productrows_set_the_leads_amount(client, hook, org):
    lead = make_lead(by=org.sales_rep)
    base = hook(org.sales_rep)

    call(client, base, "crm.lead.productrows.set", {"id": lead.pk, "rows": [{"PRODUCT_NAME": "Аудит", "PRICE": 1500}]})
    rows = call(client, base, "crm.lead.productrows.get", {"id": lead.pk})["result"]

    assert [(row["OWNER_TYPE"], row["PRODUCT_NAME"], row["PRICE"]) for row in rows] == [("L", "Аудит", "1500")]
    assert Lead.objects.get(pk=lead.pk).amount == Decimal(1500)


# Links ----------------------------------------------------------------------------------------------------------


def test_deal_contact_items_set_add_and_delete(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    first, second, third = (make_contact(name, by=org.sales_rep) for name in ("Первый", "Второй", "Третий"))
    base = hook(org.sales_rep)

    call(
        client,
        base,
        "crm.deal.contact.items.set",
        {
            "id": deal.pk,
            "items": [{"CONTACT_ID": first.pk, "SORT": 10}, {"CONTACT_ID": second.pk, "SORT": 20, "IS_PRIMARY": "Y"}],
        },
    )
    call(client, base, "crm.deal.contact.add", {"id": deal.pk, "fields": {"CONTACT_ID": third.pk}})
    call(client, base, "crm.deal.contact.delete", {"id": deal.pk, "fields": {"CONTACT_ID": first.pk}})
    items = call(client, base, "crm.deal.contact.items.get", {"id": deal.pk})["result"]

    assert [item["CONTACT_ID"] for item in items] == [second.pk, third.pk]
    assert [item["IS_PRIMARY"] for item in items] == ["Y", "N"]
    assert set(Deal.objects.get(pk=deal.pk).contacts.values_list("pk", flat=True)) == {second.pk, third.pk}


def test_a_contact_the_caller_cannot_see_is_not_linked(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    hidden = make_contact("Чужой", by=org.marketing_rep)
    base = hook(org.sales_rep)

    refused = call(client, base, "crm.deal.contact.items.set", {"id": deal.pk, "items": [{"CONTACT_ID": hidden.pk}]})

    assert refused["error"] == "" and str(hidden.pk) in refused["error_description"]
    assert not deal.contacts.exists()


def test_contact_company_items(client, hook, org):
    contact = make_contact(by=org.sales_rep)
    company = make_company(by=org.sales_rep)
    base = hook(org.sales_rep)

    call(client, base, "crm.contact.company.items.set", {"id": contact.pk, "items": [{"COMPANY_ID": company.pk}]})
    items = call(client, base, "crm.contact.company.items.get", {"id": contact.pk})["result"]

    assert items == [{"COMPANY_ID": company.pk, "SORT": 10, "ROLE_ID": 0, "IS_PRIMARY": "Y"}]


# Duplicates -----------------------------------------------------------------------------------------------------


def test_findbycomm_returns_only_records_the_caller_sees(client, hook, org):
    mine = make_contact(by=org.sales_rep, phones=["+7 (900) 123-45-67"])
    lead = make_lead(by=org.sales_rep, emails=["buyer@example.com"])
    make_contact("Чужой", by=org.marketing_rep, phones=["89001234567"])
    base = hook(org.sales_rep)

    phones = call(client, base, "crm.duplicate.findbycomm", {"type": "PHONE", "values": ["8 900 123 45 67"]})
    emails = call(
        client,
        base,
        "crm.duplicate.findbycomm",
        {"type": "EMAIL", "values": ["Buyer@Example.com"], "entity_type": "LEAD"},
    )
    nothing = call(client, base, "crm.duplicate.findbycomm", {"type": "EMAIL", "values": ["none@example.com"]})
    too_many = call(client, base, "crm.duplicate.findbycomm", {"type": "PHONE", "values": [str(n) for n in range(21)]})

    assert phones["result"] == {"CONTACT": [mine.pk]}
    assert emails["result"] == {"LEAD": [lead.pk]}
    assert nothing["result"] == []
    assert too_many["error"] == "" and "at most 20" in too_many["error_description"]


# Products -------------------------------------------------------------------------------------------------------


def test_products_add_list_update_and_delete(client, hook, org):
    base = hook(org.admin)

    pk = call(
        client,
        base,
        "crm.product.add",
        {
            "fields": {
                "NAME": "Кабель",
                "PRICE": "99.50",
                "CURRENCY_ID": "rub",
                "MEASURE": 6,
                "VAT_ID": 4,
                "VAT_INCLUDED": "Y",
            }
        },
    )["result"]
    call(client, base, "crm.product.update", {"id": pk, "fields": {"PRICE": 120}})
    listed = call(client, base, "crm.product.list", {"filter": {"%NAME": "кабель"}})
    deleted = call(client, base, "crm.product.delete", {"id": pk})

    row = listed["result"][0]
    assert listed["total"] == 1
    assert (row["ID"], row["NAME"], row["PRICE"], row["CURRENCY_ID"], row["MEASURE"], row["VAT_ID"], row["ACTIVE"]) == (
        str(pk),
        "Кабель",
        "120",
        "RUB",
        "006",
        "4",
        "Y",
    )
    assert deleted["result"] is True and Product.objects.get(pk=pk).active is False


def test_an_employee_reads_active_products_but_cannot_add_them(client, hook, org):
    Product.objects.create(name="Активный")
    Product.objects.create(name="Снятый", active=False)
    base = hook()

    listed = call(client, base, "crm.product.list")
    refused = call(client, base, "crm.product.add", {"fields": {"NAME": "Мой"}})

    assert [row["NAME"] for row in listed["result"]] == ["Активный"]
    assert refused["error_description"] == "Access denied."


# User fields ----------------------------------------------------------------------------------------------------


def test_userfield_add_get_list_update_delete(client, hook, org):
    base = hook(org.admin)

    pk = call(
        client,
        base,
        "crm.deal.userfield.add",
        {
            "fields": {
                "FIELD_NAME": "delivery",
                "USER_TYPE_ID": "enumeration",
                "MULTIPLE": "N",
                "MANDATORY": "Y",
                "EDIT_FORM_LABEL": {"ru": "Доставка", "en": "Delivery"},
                "LIST": [{"VALUE": "Самовывоз", "SORT": 20}, {"VALUE": "Курьер", "SORT": 10}],
            }
        },
    )["result"]
    got = call(client, base, "crm.deal.userfield.get", {"id": pk})["result"]
    courier = got["LIST"][0]["ID"]
    call(
        client,
        base,
        "crm.deal.userfield.update",
        {"id": pk, "fields": {"LIST": [{"ID": courier, "VALUE": "Курьер до двери"}, {"VALUE": "Почта"}]}},
    )
    listed = call(client, base, "crm.deal.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_DELIVERY"}, "LANG": "en"})
    other_entity = call(client, base, "crm.lead.userfield.get", {"id": pk})

    assert (got["FIELD_NAME"], got["ENTITY_ID"], got["USER_TYPE_ID"], got["MANDATORY"]) == (
        "UF_CRM_DELIVERY",
        "CRM_DEAL",
        "enumeration",
        "Y",
    )
    assert got["EDIT_FORM_LABEL"] == {"ru": "Доставка", "en": "Delivery"}
    assert [item["VALUE"] for item in got["LIST"]] == ["Курьер", "Самовывоз"]
    row = listed["result"][0]
    assert row["EDIT_FORM_LABEL"] == "Delivery" and listed["total"] == 1
    assert [item["VALUE"] for item in row["LIST"]] == ["Курьер до двери", "Самовывоз", "Почта"]
    assert row["LIST"][0]["ID"] == courier
    assert other_entity["error_description"] == "Not found"
    assert call(client, base, "crm.deal.userfield.delete", {"id": pk})["result"] is True
    assert not FieldDefinition.objects.filter(pk=pk).exists()


def test_userfield_types_map_onto_kontora_kinds_and_others_are_refused(client, hook, org):
    base = hook(org.admin)

    number = call(
        client, base, "crm.contact.userfield.add", {"fields": {"FIELD_NAME": "AGE", "USER_TYPE_ID": "integer"}}
    )
    link = call(
        client,
        base,
        "crm.lead.userfield.add",
        {"fields": {"FIELD_NAME": "UF_CRM_DEAL", "USER_TYPE_ID": "crm", "SETTINGS": {"DEAL": "Y"}}},
    )
    refused = call(client, base, "crm.company.userfield.add", {"fields": {"FIELD_NAME": "F", "USER_TYPE_ID": "file"}})

    age = FieldDefinition.objects.get(pk=number["result"])
    assert (age.code, age.kind, age.entity_type) == ("UF_CRM_AGE", "double", 3)
    linked = call(client, base, "crm.lead.userfield.get", {"id": link["result"]})["result"]
    assert linked["USER_TYPE_ID"] == "crm" and linked["SETTINGS"]["DEAL"] == "Y" and linked["SETTINGS"]["LEAD"] == "N"
    assert refused["error"] == "" and "'file' is not supported" in refused["error_description"]


def test_an_employee_cannot_add_user_fields(client, hook):
    refused = call(client, hook(), "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "X", "USER_TYPE_ID": "string"}})

    assert refused["error_description"] == "Access denied."
    assert not FieldDefinition.objects.exists()
