"""Saved list filters: naming, uniqueness, deleting one's own, sharing, and applying them on the list page."""

import pytest
from django.urls import reverse

from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.crm import lists
from kontora.crm.choices import EntityType
from kontora.crm.services import saved_filters as services
from kontora.events.history import for_object
from tests.factories import make_deal


def save(user, name="Мои открытые", entity_type=EntityType.DEAL, **params):
    return services.save_filter(
        by=user, entity_type=entity_type, name=name, params=params or {"preset": "open", "q": "сервер"}
    )


# Services -------------------------------------------------------------------------------------------------------


def test_a_filter_keeps_the_non_empty_params_and_history_remembers(org):
    saved = services.save_filter(
        by=org.sales_rep,
        entity_type=EntityType.DEAL,
        name="  Крупные ",
        params={"amount_from": "100000", "q": "", "status": None, "responsible": ["7"]},
    )

    assert (saved.name, saved.params, saved.shared) == ("Крупные", {"amount_from": "100000", "responsible": "7"}, False)
    assert for_object(saved).get().action == "create"


def test_a_name_is_required(org):
    with pytest.raises(Invalid) as error:
        save(org.sales_rep, name="   ")

    assert error.value.field == "name"


def test_a_name_is_unique_per_owner_and_entity_ignoring_case(org):
    save(org.sales_rep, name="Горячие")

    with pytest.raises(Invalid) as error:
        save(org.sales_rep, name="ГОРЯЧИЕ")
    assert error.value.code == "DUPLICATE"
    save(org.sales_rep, name="Горячие", entity_type=EntityType.LEAD)
    save(org.kazan_rep, name="Горячие")


def test_only_the_owner_deletes_a_filter(org):
    saved = services.save_filter(
        by=org.admin, entity_type=EntityType.DEAL, name="Общий", params={"preset": "open"}, shared=True
    )

    with pytest.raises(Forbidden):
        services.delete_filter(saved, by=org.sales_rep)
    services.delete_filter(saved, by=org.admin)

    assert lists.saved_filters(org.sales_rep, "deal") == []


@pytest.mark.parametrize("persona", ["admin", "sales_head"])
def test_administrators_and_heads_share_their_filters(org, persona):
    user = getattr(org, persona)
    saved = save(user)

    services.share_filter(saved, by=user)

    assert [item.pk for item in lists.saved_filters(org.marketing_rep, "deal")] == [saved.pk]
    services.share_filter(saved, by=user, shared=False)
    assert lists.saved_filters(org.marketing_rep, "deal") == []


def test_employees_cannot_share(org):
    saved = save(org.sales_rep)

    with pytest.raises(Forbidden):
        services.share_filter(saved, by=org.sales_rep)
    with pytest.raises(Forbidden):
        services.save_filter(
            by=org.sales_rep, entity_type=EntityType.DEAL, name="Всем", params={"preset": "my"}, shared=True
        )


def test_nobody_shares_someone_elses_filter(org):
    saved = save(org.sales_rep)

    with pytest.raises(Forbidden):
        services.share_filter(saved, by=org.admin)


# Reads ----------------------------------------------------------------------------------------------------------


def test_a_user_sees_own_filters_first_then_shared_ones_of_this_list(org):
    shared = services.save_filter(
        by=org.admin, entity_type=EntityType.DEAL, name="А общий", params={"preset": "open"}, shared=True
    )
    mine = save(org.sales_rep, name="Я мой")
    save(org.kazan_rep, name="Чужой личный")
    save(org.sales_rep, name="Лиды", entity_type=EntityType.LEAD)

    found = lists.saved_filters(org.sales_rep, "deal")

    assert [item.pk for item in found] == [mine.pk, shared.pk]
    with pytest.raises(NotFound):
        lists.saved_filter(org.sales_rep, "deal", save(org.kazan_rep, name="Ещё чужой").pk)


# The list page --------------------------------------------------------------------------------------------------


def test_save_filter_on_the_list_page_keeps_the_filter_bar(client, org):
    client.force_login(org.sales_rep)
    url = reverse("crm:deal_list") + "?preset=open&q=%D1%81%D0%B5%D1%80%D0%B2%D0%B5%D1%80&sort=-ID&after=xyz"

    response = client.post(url, {"save_filter": "1", "name": "Серверы"})

    assert response.status_code == 302
    saved = lists.saved_filters(org.sales_rep, "deal")[0]
    assert (saved.name, saved.params, saved.shared) == ("Серверы", {"preset": "open", "q": "сервер"}, False)


def test_an_employee_asking_to_share_gets_an_error_and_nothing_is_saved(client, org):
    client.force_login(org.sales_rep)

    client.post(reverse("crm:deal_list") + "?preset=open", {"save_filter": "1", "name": "Всем", "shared": "1"})

    assert lists.saved_filters(org.sales_rep, "deal") == []


def test_saved_and_shared_filters_show_beside_the_presets_and_apply_their_params(client, org):
    make_deal("Сервер для склада", by=org.sales_rep)
    make_deal("Кресло", by=org.sales_rep)
    shared = services.save_filter(
        by=org.sales_head, entity_type=EntityType.DEAL, name="Серверы отдела", params={"q": "сервер"}, shared=True
    )
    client.force_login(org.sales_rep)

    html = client.get(reverse("crm:deal_list")).content.decode()
    assert f'data-saved-filter="{shared.pk}"' in html and "Серверы отдела" in html
    assert 'name="delete_filter"' not in html  # not the rep's own

    applied = client.get(reverse("crm:deal_list"), {"q": "сервер"}).content.decode()
    assert "saved-filter active" in applied
    assert "Сервер для склада" in applied and "Кресло" not in applied


def test_the_owner_deletes_a_saved_filter_from_the_list_page(client, org):
    saved = save(org.sales_rep)
    client.force_login(org.sales_rep)

    html = client.get(reverse("crm:deal_list")).content.decode()
    assert f'name="delete_filter" value="{saved.pk}"' in html
    client.post(reverse("crm:deal_list"), {"delete_filter": str(saved.pk)})

    assert lists.saved_filters(org.sales_rep, "deal") == []


def test_deleting_someone_elses_filter_from_the_page_is_not_found(client, org):
    saved = save(org.kazan_rep)
    client.force_login(org.sales_rep)

    response = client.post(reverse("crm:deal_list"), {"delete_filter": str(saved.pk)})

    assert response.status_code == 404
    assert lists.saved_filters(org.kazan_rep, "deal") == [saved]


def test_a_head_shares_a_filter_from_the_list_page(client, org):
    saved = save(org.sales_head)
    client.force_login(org.sales_head)

    client.post(reverse("crm:deal_list"), {"share_filter": str(saved.pk)})

    saved.refresh_from_db()
    assert saved.shared is True
