"""List pages: the directory, an element form built from the fields, the card, filters, settings for admins."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import format_html

from kontora.core.registry import registry
from kontora.lists import services
from kontora.lists.models import ListElement, ListField
from tests.factories import PASSWORD, make_list

FIELDS = (
    {"code": "amount", "name": "Amount", "type": "number", "required": True},
    {"code": "due", "name": "Due", "type": "date"},
    {"code": "who", "name": "Who", "type": "user"},
    {"code": "scan", "name": "Scan", "type": "file"},
)


@pytest.fixture(autouse=True)
def english(org):
    for person in org.people():
        person.language = "en"
        person.save(update_fields=["language"])


@pytest.fixture
def lst(org):
    return make_list("cash", name="Cash", fields=FIELDS)


def sign_in(client, user) -> None:
    client.login(username=user.username, password=PASSWORD)


def test_directory_counts_only_the_elements_i_may_read(client, org, lst):
    services.add_element(lst, by=org.sales_rep, name="mine", values={"amount": 1})
    services.add_element(lst, by=org.marketing_rep, name="theirs", values={"amount": 2})
    sign_in(client, org.sales_rep)

    page = client.get("/lists/").content.decode()

    assert 'data-list="cash"' in page and "1 element" in page and "New list" not in page


def test_employee_adds_an_element_through_the_form(client, org, lst):
    sign_in(client, org.sales_rep)

    form = client.get("/lists/cash/new/").content.decode()
    refused = client.post("/lists/cash/new/", {"name": "Taxi", "amount": ""})
    saved = client.post("/lists/cash/new/", {
        "name": "Taxi", "amount": "1500.5", "due": "2026-12-01", "who": org.sales_head.pk,
        "scan": SimpleUploadedFile("check.txt", b"receipt"),
    })  # fmt: skip

    element = ListElement.objects.get()
    assert 'name="amount"' in form and 'type="date"' in form and 'type="file"' in form
    assert "Amount: fill in this field." in refused.content.decode()
    assert saved.status_code == 302 and saved.url == f"/lists/cash/{element.pk}/"
    assert element.values["amount"] == 1500.5 and element.values["who"] == org.sales_head.pk
    card = client.get(saved.url).content.decode()
    assert "1,500.5" in card or "1500.5" in card
    assert org.sales_head.full_name in card and "check.txt" in card
    download = client.get(f"/lists/cash/{element.pk}/files/scan/0/")
    assert b"".join(download.streaming_content) == b"receipt"


def test_card_edit_and_delete_follow_the_gate(client, org, lst):
    element = services.add_element(lst, by=org.sales_rep, name="Taxi", values={"amount": 3})
    sign_in(client, org.marketing_rep)
    assert client.get(f"/lists/cash/{element.pk}/").status_code == 404
    assert client.get(f"/lists/cash/{element.pk}/files/scan/0/").status_code == 404

    sign_in(client, org.sales_head)
    card = client.get(f"/lists/cash/{element.pk}/").content.decode()
    assert "Taxi" in card and f"/lists/cash/{element.pk}/edit/" not in card
    assert client.get(f"/lists/cash/{element.pk}/edit/").status_code == 404

    sign_in(client, org.sales_rep)
    edited = client.post(f"/lists/cash/{element.pk}/edit/", {"name": "Taxi home", "amount": "4"})
    deleted = client.post(f"/lists/cash/{element.pk}/", {"action": "delete"})

    assert edited.status_code == 302 and deleted.status_code == 302
    assert ListElement.all_objects.get(pk=element.pk).values == {"amount": 4}
    assert not ListElement.objects.exists()


def test_element_table_filters_by_text_author_and_date(client, org, lst):
    services.update_list(lst, by=None, readers=[org.marketing_rep])
    services.add_element(lst, by=org.sales_rep, name="Такси в аэропорт", values={"amount": 1})
    services.add_element(lst, by=org.kazan_rep, name="Канцелярия", values={"amount": 2})
    sign_in(client, org.marketing_rep)

    def names(query: str) -> set[str]:
        page = client.get(f"/lists/cash/?{query}").content.decode()
        return {name for name in ("Такси в аэропорт", "Канцелярия") if name in page}

    assert names("") == {"Такси в аэропорт", "Канцелярия"}
    assert names("q=такси") == {"Такси в аэропорт"}
    assert names(f"author={org.kazan_rep.pk}") == {"Канцелярия"}
    assert names("since=2000-01-01&until=2000-12-31") == set()
    assert names("since=bad-date") == {"Такси в аэропорт", "Канцелярия"}


def test_record_panels_slot_renders_what_other_apps_register(client, org, lst):
    element = services.add_element(lst, by=org.sales_rep, name="Taxi", values={"amount": 3})
    seen = []

    def panel(user, kind, obj):
        seen.append((user.pk, kind, obj.pk))
        return format_html('<section data-panel="test">{}</section>', "Business processes")

    registry.register("record_panels", "test", panel)
    try:
        sign_in(client, org.sales_rep)
        page = client.get(f"/lists/cash/{element.pk}/").content.decode()
    finally:
        registry.unregister("record_panels", "test")

    assert '<section data-panel="test">Business processes</section>' in page
    assert seen == [(org.sales_rep.pk, "list_element", element.pk)]


def test_admin_creates_a_list_adds_reorders_edits_and_deletes_fields(client, org):
    sign_in(client, org.sales_head)
    assert client.get("/lists/new/").status_code == 404

    sign_in(client, org.admin)
    created = client.post("/lists/new/", {"code": "trips", "name": "Trips", "sort": 10, "add_scope": "everyone"})
    first = client.post("/lists/trips/settings/", {
        "action": "add_field", "field-code": "city", "field-name": "City", "field-type": "string",
    })  # fmt: skip
    client.post("/lists/trips/settings/", {
        "action": "add_field", "field-code": "kind", "field-name": "Kind", "field-type": "select",
        "field-options": "Air\nTrain", "field-required": "on",
    })  # fmt: skip
    bad = client.post("/lists/trips/settings/", {
        "action": "add_field", "field-code": "city", "field-name": "Again", "field-type": "string",
    })  # fmt: skip
    kind = ListField.objects.get(code="kind")
    client.post("/lists/trips/settings/", {"action": "up", "field": kind.pk})
    client.post(f"/lists/trips/fields/{kind.pk}/", {"name": "Transport", "type": "select", "options": "Air\nBus"})
    city = ListField.objects.get(code="city")
    client.post("/lists/trips/settings/", {"action": "delete_field", "field": city.pk})

    assert created.status_code == 302 and first.status_code == 302
    assert "The list already has a field with this code." in bad.content.decode()
    kind.refresh_from_db()
    assert (kind.name, kind.options, kind.required) == ("Transport", ["Air", "Bus"], False)
    assert list(ListField.objects.values_list("code", flat=True)) == ["kind"]
