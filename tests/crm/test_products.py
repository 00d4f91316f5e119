"""The product catalogue: who keeps it, what it refuses, how it is read and searched, and the deal-row picker."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kontora.core.errors import Forbidden, Invalid
from kontora.crm import products
from kontora.crm import services as crm
from kontora.crm.choices import EntityType
from kontora.crm.models import ProductRow
from kontora.crm.services import products as services
from kontora.events.history import for_object
from tests.factories import make_deal

HTMX = {"HX-Request": "true"}


@pytest.fixture
def catalogue(org):
    hardware = services.create_section(by=org.admin, name="Оборудование")
    servers = services.create_section(by=org.admin, name="Серверы", parent=hardware)
    software = services.create_section(by=org.admin, name="Программы")
    server = services.create_product(
        by=org.admin, name="Сервер Иртыш", section=servers, price=Decimal("1000"), vat_rate=Decimal("20"), unit="шт"
    )
    router = services.create_product(by=org.admin, name="Маршрутизатор", section=hardware, price=Decimal("250"))
    licence = services.create_product(
        by=org.admin, name="Лицензия", section=software, price=Decimal("90"), vat_included=False, unit="год"
    )
    return {
        "hardware": hardware,
        "servers": servers,
        "software": software,
        "server": server,
        "router": router,
        "licence": licence,
    }


# Services -------------------------------------------------------------------------------------------------------


def test_administrator_and_head_keep_the_catalogue_and_history_remembers(org):
    product = services.create_product(by=org.sales_head, name="  Кабель ", price="12.50", vat_rate="20")

    services.update_product(product, by=org.admin, price=Decimal("15"))

    product.refresh_from_db()
    assert (product.name, product.price, product.vat_rate) == ("Кабель", Decimal("15.00"), Decimal("20"))
    actions = [change.action for change in for_object(product).order_by("id")]
    assert actions == ["create", "update"]
    assert for_object(product).order_by("id").last().changes == {"price": ["12.50", "15"]}


@pytest.mark.parametrize("persona", ["sales_rep", "reader", "nobody", "marketing_rep"])
def test_employees_cannot_change_the_catalogue(org, persona):
    user = getattr(org, persona)

    with pytest.raises(Forbidden):
        services.create_product(by=user, name="Кабель")
    with pytest.raises(Forbidden):
        services.create_section(by=user, name="Кабели")


@pytest.mark.parametrize(
    ("fields", "field_case"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Кабель", "price": Decimal("-1")}, "price"),
        ({"name": "Кабель", "price": "много"}, "price"),
        ({"name": "Кабель", "vat_rate": Decimal("101")}, "vat_rate"),
        ({"name": "Кабель", "vat_rate": Decimal("-0.01")}, "vat_rate"),
        ({"name": "Кабель", "currency": "RUBL"}, "currency"),
    ],
)
def test_bad_products_are_refused(org, fields, field_case):
    with pytest.raises(Invalid) as error:
        services.create_product(by=org.admin, **fields)

    assert error.value.field == field_case


def test_vat_bounds_are_allowed(org):
    free = services.create_product(by=org.admin, name="Без НДС", vat_rate=Decimal("0"))
    full = services.create_product(by=org.admin, name="Весь НДС", vat_rate=Decimal("100"))

    assert (free.vat_rate, full.vat_rate) == (0, 100)


def test_deactivated_product_leaves_the_picker_but_stays_on_deals(org, catalogue):
    deal = make_deal("Стойка", by=org.sales_rep)
    crm.set_product_rows(deal, [{"product": catalogue["server"]}], by=org.sales_rep)

    services.deactivate_product(catalogue["server"], by=org.sales_head)

    assert catalogue["server"] not in products.active_products()
    assert ProductRow.objects.get(owner_type=EntityType.DEAL, owner_id=deal.pk).product == catalogue["server"]
    assert catalogue["server"] not in products.catalogue(org.sales_rep)
    assert catalogue["server"] in products.catalogue(org.admin, inactive=True)
    assert catalogue["server"] not in products.catalogue(org.sales_rep, inactive=True)  # only keepers see them


def test_a_section_cannot_move_inside_itself(org, catalogue):
    with pytest.raises(Invalid) as error:
        services.update_section(catalogue["hardware"], by=org.admin, parent=catalogue["servers"])

    assert error.value.code == "CYCLE"


def test_only_an_empty_section_is_deleted(org, catalogue):
    with pytest.raises(Invalid):
        services.delete_section(catalogue["hardware"], by=org.admin)
    empty = services.create_section(by=org.admin, name="Пусто")

    services.delete_section(empty, by=org.admin)

    assert [node.section.name for node in products.section_tree()] == [
        "Оборудование",
        "Серверы",
        "Программы",
    ]


# Reads ----------------------------------------------------------------------------------------------------------


def test_section_tree_puts_children_under_their_parents(catalogue):
    tree = products.section_tree()

    assert [(node.section.name, node.depth) for node in tree] == [
        ("Оборудование", 0),
        ("Серверы", 1),
        ("Программы", 0),
    ]


def test_a_section_shows_its_subsections_products_too(org, catalogue):
    found = products.catalogue(org.sales_rep, section=catalogue["hardware"])

    assert list(found) == [catalogue["router"], catalogue["server"]]


def test_search_ignores_case_in_cyrillic(org, catalogue):
    found = products.catalogue(org.sales_rep, query="иртыш")

    assert list(found) == [catalogue["server"]]


# Pages ----------------------------------------------------------------------------------------------------------


def test_everyone_reads_the_catalogue_page_and_only_keepers_see_the_add_button(client, org, catalogue):
    client.force_login(org.sales_rep)

    html = client.get(reverse("crm:products")).content.decode()

    assert "Сервер Иртыш" in html and "Лицензия" in html
    assert reverse("crm:product_add") not in html
    assert client.get(reverse("crm:product_add")).status_code == 404
    assert client.get(reverse("crm:product_edit", args=[catalogue["server"].pk])).status_code == 404


def test_htmx_search_in_a_section_renders_only_the_catalogue(client, org, catalogue):
    client.force_login(org.admin)

    response = client.get(reverse("crm:products"), {"section": catalogue["hardware"].pk, "q": "марш"}, headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and 'id="catalogue"' in html
    assert "Маршрутизатор" in html and "Сервер Иртыш" not in html


def test_head_adds_a_product_through_the_form(client, org, catalogue):
    client.force_login(org.sales_head)

    response = client.post(
        reverse("crm:product_add"),
        {
            "name": "Коммутатор",
            "section": catalogue["hardware"].pk,
            "price": "300",
            "currency": "RUB",
            "vat_rate": "20",
            "vat_included": "on",
            "unit": "шт",
        },
    )

    assert response.status_code == 302
    product = products.catalogue(org.sales_head, query="Коммутатор").get()
    assert (product.section, product.price) == (catalogue["hardware"], Decimal("300.00"))


def test_product_form_shows_the_services_complaint(client, org):
    client.force_login(org.admin)

    response = client.post(
        reverse("crm:product_add"), {"name": "Кабель", "price": "10", "currency": "ZZZZ", "unit": "м"}
    )

    assert response.status_code == 200
    assert not products.catalogue(org.admin, query="Кабель").exists()


def test_admin_deactivates_a_product_on_its_page(client, org, catalogue):
    client.force_login(org.admin)

    client.post(reverse("crm:product_edit", args=[catalogue["router"].pk]), {"action": "deactivate"})

    catalogue["router"].refresh_from_db()
    assert catalogue["router"].active is False


def test_admin_adds_a_subsection_through_the_form(client, org, catalogue):
    client.force_login(org.admin)

    response = client.post(reverse("crm:product_section_add"), {"name": "Стойки", "parent": catalogue["hardware"].pk})

    assert response.status_code == 302
    assert ("Стойки", 1) in [(node.section.name, node.depth) for node in products.section_tree()]


# The deal card's product picker ---------------------------------------------------------------------------------


def test_deal_card_offers_active_catalogue_products(client, org, catalogue):
    services.deactivate_product(catalogue["licence"], by=org.admin)
    deal = make_deal("Стойка", by=org.sales_rep)
    client.force_login(org.sales_rep)

    html = client.get(
        deal.get_absolute_url(), {"part": "section", "section": "products", "edit": "1"}, headers=HTMX
    ).content.decode()

    assert "data-product-picker" in html
    assert f'value="{catalogue["server"].pk}"' in html and 'data-price="1000.00"' in html
    assert "Лицензия" not in html


def test_picking_a_catalogue_product_fills_the_row_from_it(client, org, catalogue):
    deal = make_deal("Стойка", by=org.sales_rep)
    client.force_login(org.sales_rep)
    data = {
        "action": "save",
        "section": "products",
        "products-TOTAL_FORMS": "1",
        "products-INITIAL_FORMS": "0",
        "products-0-product": str(catalogue["licence"].pk),
        "products-0-product_name": "",
        "products-0-price": "",
        "products-0-quantity": "2",
    }

    response = client.post(deal.get_absolute_url(), data, headers=HTMX)

    assert response.status_code == 200
    row = ProductRow.objects.get(owner_type=EntityType.DEAL, owner_id=deal.pk)
    assert (row.product, row.product_name, row.price, row.unit) == (
        catalogue["licence"],
        "Лицензия",
        Decimal("90.00"),
        "год",
    )


def test_a_row_without_product_still_needs_a_name_and_price(client, org):
    deal = make_deal("Стойка", by=org.sales_rep)
    client.force_login(org.sales_rep)
    data = {
        "action": "save",
        "section": "products",
        "products-TOTAL_FORMS": "1",
        "products-INITIAL_FORMS": "0",
        "products-0-product": "",
        "products-0-product_name": "Что-то",
        "products-0-price": "",
        "products-0-quantity": "1",
    }

    response = client.post(deal.get_absolute_url(), data, headers=HTMX)

    assert "Enter the price." in response.content.decode() or "Введите цену." in response.content.decode()
    assert not ProductRow.objects.filter(owner_type=EntityType.DEAL, owner_id=deal.pk).exists()


def test_a_row_keeps_its_product_after_the_product_leaves_the_catalogue(client, org, catalogue):
    deal = make_deal("Стойка", by=org.sales_rep)
    crm.set_product_rows(deal, [{"product": catalogue["server"]}], by=org.sales_rep)
    services.deactivate_product(catalogue["server"], by=org.admin)
    client.force_login(org.sales_rep)
    data = {
        "action": "save",
        "section": "products",
        "products-TOTAL_FORMS": "1",
        "products-INITIAL_FORMS": "1",
        "products-0-product": str(catalogue["server"].pk),
        "products-0-product_name": "Сервер Иртыш",
        "products-0-price": "1000",
        "products-0-quantity": "3",
    }

    client.post(deal.get_absolute_url(), data, headers=HTMX)

    row = ProductRow.objects.get(owner_type=EntityType.DEAL, owner_id=deal.pk)
    assert (row.product, row.quantity) == (catalogue["server"], 3)
