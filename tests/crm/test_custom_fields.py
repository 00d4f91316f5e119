"""Custom fields (UF_CRM_*): administrators declare them; people fill them in, filter and export them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kontora.accounts import services as account_services
from kontora.core import filters
from kontora.core.errors import Forbidden, Invalid
from kontora.crm import custom, lists, schema
from kontora.crm.choices import EntityType
from kontora.crm.models import Company, Deal, FieldDefinition
from kontora.crm.services import fields as services
from kontora.events.models import ChangeSet
from tests.factories import make_company, make_deal

HTMX = {"HX-Request": "true"}
Kind = FieldDefinition.Kind


@pytest.fixture
def as_user(client):
    def login(user, language: str | None = None):
        if language:
            account_services.update_user(user, by=user, language=language)
        client.force_login(user)
        return client

    return login


def add_field(org, kind=Kind.STRING, entity_type=EntityType.DEAL, **options) -> FieldDefinition:
    options.setdefault("label_ru", f"Поле {kind}")
    return services.create_field(by=org.admin, entity_type=entity_type, kind=kind, **options)


def deal_form(**extra) -> dict:
    return {"title": "Поставка", "category": 0, "amount": "", "currency": "RUB", **extra}


# Definitions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        pytest.param(Kind.STRING, {}, id="string_case"),
        pytest.param(Kind.TEXT, {}, id="text_case"),
        pytest.param(Kind.NUMBER, {"multiple": True}, id="number_case"),
        pytest.param(Kind.MONEY, {}, id="money_case"),
        pytest.param(Kind.DATE, {}, id="date_case"),
        pytest.param(Kind.DATETIME, {}, id="datetime_case"),
        pytest.param(Kind.BOOLEAN, {}, id="boolean_case"),
        pytest.param(Kind.LIST, {"options": ["Малый", "Крупный"]}, id="list_case"),
        pytest.param(Kind.USER, {"multiple": True}, id="user_case"),
        pytest.param(Kind.LINK, {"link_to": "company"}, id="link_case"),
    ],
)
def test_administrator_adds_a_field_of_each_kind(org, kind, options):
    item = add_field(org, kind, label_en="Field", required=True, sort=5, **options)

    assert item.code == "UF_CRM_1"
    assert (item.kind, item.required, item.sort, item.multiple) == (kind, True, 5, options.get("multiple", False))
    assert "UF_CRM_1" in schema.fields_of("deal")
    assert ChangeSet.objects.filter(action="create", object_id=str(item.pk)).exists()


def test_list_options_get_ids_and_keep_them_when_edited(org):
    item = add_field(org, Kind.LIST, options=["Малый", "Крупный"])

    services.update_field(item, by=org.admin, options=["Крупный", "Средний"])

    assert item.options == [{"ID": "2", "VALUE": "Крупный"}, {"ID": "3", "VALUE": "Средний"}]


def test_codes_are_numbered_or_slugged_and_unique_per_entity(org):
    first = add_field(org)
    second = add_field(org)
    color = add_field(org, code="color")
    lead_color = add_field(org, entity_type=EntityType.LEAD, code="COLOR")

    assert [first.code, second.code, color.code, lead_color.code] == [
        "UF_CRM_1",
        "UF_CRM_2",
        "UF_CRM_COLOR",
        "UF_CRM_COLOR",
    ]
    with pytest.raises(Invalid) as taken:
        add_field(org, code="UF_CRM_COLOR")
    assert (taken.value.code, taken.value.field) == ("DUPLICATE", "code")
    with pytest.raises(Invalid) as cyrillic:
        add_field(org, code="цвет")
    assert cyrillic.value.field == "code"


def test_a_list_needs_options_and_a_kind_must_be_known(org):
    with pytest.raises(Invalid) as no_options:
        add_field(org, Kind.LIST)
    with pytest.raises(Invalid) as unknown:
        add_field(org, "json")

    assert (no_options.value.field, unknown.value.field) == ("options", "kind")


def test_only_administrators_manage_fields(org):
    item = add_field(org)

    with pytest.raises(Forbidden):
        services.create_field(by=org.sales_head, entity_type=EntityType.DEAL, kind=Kind.STRING, label_ru="x")
    with pytest.raises(Forbidden):
        services.update_field(item, by=org.sales_rep, label_ru="x")
    with pytest.raises(Forbidden):
        services.delete_field(item, by=org.sales_rep)


def test_deleting_a_field_removes_its_values(org):
    item = add_field(org)
    deal = make_deal(by=org.sales_rep, custom={"UF_CRM_1": "синий", "OTHER": 1})

    services.delete_field(item, by=org.admin)

    deal.refresh_from_db()
    assert deal.custom == {"OTHER": 1}
    assert not FieldDefinition.objects.exists()


def test_multiple_cannot_change_once_values_exist(org):
    item = add_field(org)
    make_deal(by=org.sales_rep, custom={"UF_CRM_1": "синий"})

    with pytest.raises(Invalid) as error:
        services.update_field(item, by=org.admin, multiple=True)

    assert error.value.field == "multiple"


# Values -----------------------------------------------------------------------------------------------------


def test_values_are_stored_in_the_documented_format(org):
    kinds = [
        (Kind.STRING, {}),
        (Kind.NUMBER, {}),
        (Kind.MONEY, {}),
        (Kind.DATE, {}),
        (Kind.DATETIME, {}),
        (Kind.BOOLEAN, {}),
        (Kind.LIST, {"options": ["Малый", "Крупный"], "multiple": True}),
        (Kind.USER, {}),
        (Kind.LINK, {"link_to": "company"}),
    ]
    for kind, options in kinds:
        add_field(org, kind, **options)
    company = make_company(by=org.sales_rep)
    moment = datetime.datetime(2025, 3, 1, 14, 30, tzinfo=timezone.get_current_timezone())

    values = custom.validate_custom(
        EntityType.DEAL,
        {
            "UF_CRM_1": "синий",
            "UF_CRM_2": Decimal("12"),
            "UF_CRM_3": Decimal("1500.50"),
            "UF_CRM_4": datetime.date(2025, 1, 31),
            "UF_CRM_5": moment,
            "UF_CRM_6": True,
            "UF_CRM_7": ["2"],
            "UF_CRM_8": org.sales_rep,
            "UF_CRM_9": company,
        },
    )

    assert values == {
        "UF_CRM_1": "синий",
        "UF_CRM_2": 12,
        "UF_CRM_3": 1500.5,
        "UF_CRM_4": "2025-01-31",
        "UF_CRM_5": "2025-03-01T14:30:00+03:00",
        "UF_CRM_6": True,
        "UF_CRM_7": ["2"],
        "UF_CRM_8": org.sales_rep.pk,
        "UF_CRM_9": str(company.pk),
    }


@pytest.mark.parametrize(
    ("kind", "options", "value", "code"),
    [
        pytest.param(Kind.NUMBER, {}, "много", "BAD_VALUE", id="number_case"),
        pytest.param(Kind.DATE, {}, "вчера", "BAD_VALUE", id="date_case"),
        pytest.param(Kind.LIST, {"options": ["Малый"]}, "9", "BAD_VALUE", id="option_case"),
        pytest.param(Kind.STRING, {"required": True}, "  ", "REQUIRED", id="required_case"),
    ],
)
def test_bad_values_name_the_field(org, kind, options, value, code):
    add_field(org, kind, **options)

    with pytest.raises(Invalid) as error:
        custom.validate_custom(EntityType.DEAL, {"UF_CRM_1": value})

    assert (error.value.code, error.value.field) == (code, "UF_CRM_1")


def test_unknown_codes_are_refused(org):
    with pytest.raises(Invalid) as error:
        custom.validate_custom(EntityType.DEAL, {"UF_CRM_404": "x"})

    assert error.value.field == "UF_CRM_404"


# Forms and cards --------------------------------------------------------------------------------------------


def test_required_field_fails_the_create_form_at_that_field_in_russian(org, as_user):
    add_field(org, label_ru="Цвет", required=True)
    client = as_user(org.sales_rep)

    response = client.post(reverse("crm:deal_add"), deal_form(responsible=org.sales_rep.pk))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["UF_CRM_1"] == ["Обязательное поле."]
    assert "Цвет" in response.content.decode()
    assert not Deal.objects.exists()


def test_create_form_saves_custom_values(org, as_user):
    add_field(org, Kind.STRING, label_ru="Цвет", required=True)
    add_field(org, Kind.NUMBER, label_ru="Места")
    add_field(org, Kind.LIST, label_ru="Размер", options=["Малый", "Крупный"])
    add_field(org, Kind.BOOLEAN, label_ru="VIP")
    client = as_user(org.sales_rep)

    response = client.post(
        reverse("crm:deal_add"),
        deal_form(responsible=org.sales_rep.pk, UF_CRM_1="синий", UF_CRM_2="12.5", UF_CRM_3="2", UF_CRM_4="on"),
    )

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert deal.custom == {"UF_CRM_1": "синий", "UF_CRM_2": 12.5, "UF_CRM_3": "2", "UF_CRM_4": True}


def test_company_create_form_has_its_own_fields(org, as_user):
    add_field(org, Kind.STRING, entity_type=EntityType.COMPANY, label_ru="ИНН")
    add_field(org, Kind.STRING, label_ru="Только для сделок")
    client = as_user(org.sales_rep)

    page = client.get(reverse("crm:company_add")).content.decode()
    client.post(
        reverse("crm:company_add"),
        {"title": "Вектор", "currency": "RUB", "responsible": org.sales_rep.pk, "UF_CRM_1": "7701234567"},
    )

    assert "ИНН" in page and "Только для сделок" not in page
    assert Company.objects.get().custom == {"UF_CRM_1": "7701234567"}


def test_card_shows_custom_fields_with_people_and_links(org, as_user):
    add_field(org, Kind.STRING, label_ru="Цвет", label_en="Colour")
    add_field(org, Kind.USER, label_ru="Куратор")
    add_field(org, Kind.LINK, label_ru="Партнёр", link_to="company")
    add_field(org, Kind.LIST, label_ru="Размер", options=["Малый", "Крупный"])
    partner = make_company("Партнёр-Альфа", by=org.sales_rep)
    deal = make_deal(
        by=org.sales_rep,
        custom={"UF_CRM_1": "синий", "UF_CRM_2": org.sales_head.pk, "UF_CRM_3": str(partner.pk), "UF_CRM_4": "2"},
    )

    html = as_user(org.sales_rep, "en").get(deal.get_absolute_url()).content.decode()

    assert 'data-section="custom"' in html
    assert "Colour" in html and "синий" in html and "Крупный" in html
    assert org.sales_head.full_name in html
    assert partner.get_absolute_url() in html


def test_card_has_no_custom_section_without_fields(org, as_user):
    deal = make_deal(by=org.sales_rep)

    html = as_user(org.sales_rep).get(deal.get_absolute_url()).content.decode()

    assert 'data-section="custom"' not in html


def test_custom_fields_are_edited_in_place(org, as_user):
    add_field(org, Kind.STRING, label_ru="Цвет", required=True)
    add_field(org, Kind.DATE, label_ru="Срок")
    deal = make_deal(by=org.sales_rep, custom={"UF_CRM_1": "синий", "LEGACY": 1})
    client = as_user(org.sales_rep)

    form = client.get(deal.get_absolute_url(), {"part": "section", "section": "custom", "edit": "1"}, headers=HTMX)
    refused = client.post(
        deal.get_absolute_url(),
        {"action": "save", "section": "custom", "custom-UF_CRM_1": "", "custom-UF_CRM_2": ""},
        headers=HTMX,
    )
    saved = client.post(
        deal.get_absolute_url(),
        {"action": "save", "section": "custom", "custom-UF_CRM_1": "красный", "custom-UF_CRM_2": "2025-02-01"},
        headers=HTMX,
    )

    assert 'name="custom-UF_CRM_1"' in form.content.decode() and 'value="синий"' in form.content.decode()
    assert 'class="error"' in refused.content.decode()
    assert "<html" not in saved.content.decode() and "красный" in saved.content.decode()
    deal.refresh_from_db()
    assert deal.custom == {"UF_CRM_1": "красный", "UF_CRM_2": "2025-02-01", "LEGACY": 1}
    assert ChangeSet.objects.filter(object_id=str(deal.pk), action="update").exists()


def test_other_sections_keep_the_custom_values(org, as_user):
    add_field(org, Kind.STRING, label_ru="Цвет", required=True)
    deal = make_deal(by=org.sales_rep, custom={"UF_CRM_1": "синий"})

    as_user(org.sales_rep).post(deal.get_absolute_url(), {"action": "save", "section": "more", "more-comments": "ok"})

    deal.refresh_from_db()
    assert (deal.comments, deal.custom) == ("ok", {"UF_CRM_1": "синий"})


# Lists, filters, exports ------------------------------------------------------------------------------------


def test_custom_fields_filter_the_deal_list(org):
    add_field(org, Kind.STRING)
    add_field(org, Kind.DATE)
    make_deal("Синяя", by=org.sales_rep, custom={"UF_CRM_1": "x", "UF_CRM_2": "2025-01-31"})
    make_deal("Пустая", by=org.sales_rep)

    by_text = lists.rows(org.sales_rep, lists.ListQuery("deal", {"UF_CRM_1": "x"}, "", "-ID"))
    by_date = Deal.objects.filter(filters.parse({">=UF_CRM_2": "2025-01-01"}, schema.fields_of("deal")))

    assert [deal.title for deal in by_text] == ["Синяя"]
    assert [deal.title for deal in by_date] == ["Синяя"]


def test_custom_fields_are_exported_in_csv(org, as_user):
    add_field(org, Kind.STRING, label_ru="Цвет", label_en="Colour")
    add_field(org, Kind.LIST, label_ru="Размер", label_en="Size", options=["Малый", "Крупный"])
    make_deal("Синяя", by=org.sales_rep, custom={"UF_CRM_1": "синий", "UF_CRM_2": "2"})
    client = as_user(org.sales_rep, "en")
    client.post(reverse("crm:deal_list"), {"save_columns": "1", "columns": ["UF_CRM_1", "UF_CRM_2"]})

    response = client.get(reverse("crm:deal_export", args=["csv"]))

    body = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    header, row = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert header[-2:] == ["Colour", "Size"]
    assert row[-2:] == ["синий", "Крупный"]


# The settings page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["sales_head", "sales_rep", "reader"])
def test_settings_page_is_for_administrators_only(org, as_user, persona):
    client = as_user(getattr(org, persona))

    assert client.get(reverse("crm:custom_fields")).status_code == 404
    assert client.post(reverse("crm:custom_fields"), {"action": "add"}).status_code == 404


def test_administrator_adds_edits_and_deletes_on_the_settings_page(org, as_user):
    client = as_user(org.admin)
    url = reverse("crm:custom_fields")

    added = client.post(
        url,
        {
            "action": "add",
            "add-entity_type": EntityType.DEAL,
            "add-kind": Kind.LIST,
            "add-label_ru": "Размер",
            "add-sort": "10",
            "add-options": "Малый\nКрупный\n",
        },
    )
    item = FieldDefinition.objects.get()
    edited = client.post(
        url,
        {
            "action": "update",
            "id": item.pk,
            f"field-{item.pk}-label_ru": "Размер клиента",
            f"field-{item.pk}-label_en": "Client size",
            f"field-{item.pk}-sort": "20",
            f"field-{item.pk}-required": "on",
            f"field-{item.pk}-options": "Малый\nКрупный\nСредний",
        },
    )
    page = client.get(url).content.decode()
    deleted = client.post(url, {"action": "delete", "id": item.pk})

    assert (added.status_code, edited.status_code, deleted.status_code) == (302, 302, 302)
    assert "UF_CRM_1" in page and "Размер клиента" in page
    assert not FieldDefinition.objects.exists()


def test_settings_page_shows_service_errors_at_the_field(org, as_user):
    add_field(org, code="COLOR")
    client = as_user(org.admin, "en")

    response = client.post(
        reverse("crm:custom_fields"),
        {"action": "add", "add-entity_type": EntityType.DEAL, "add-kind": Kind.STRING, "add-label_ru": "Цвет",
         "add-code": "color", "add-sort": "100"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["add_form"].errors["code"]
    assert FieldDefinition.objects.count() == 1


def test_services_refuse_custom_values_the_pages_could_not_show(org):
    field = services.create_field(by=org.admin, entity_type=EntityType.DEAL, kind="double", label_ru="Размер кластера")

    with pytest.raises(Invalid) as wrong_type:
        make_deal("Кластер", by=org.sales_rep, custom={field.code: "большой"})
    deal = make_deal("Кластер", by=org.sales_rep, custom={field.code: "3"})

    assert wrong_type.value.field == field.code
    assert deal.custom == {field.code: 3}
