"""CRM list pages: who sees which rows, the filter bar and presets, sorting, keyset pages, columns, bulk actions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kontora.crm import lists, services
from kontora.crm.models import Deal, Lead, LossReason, Status
from tests.factories import make_company, make_contact, make_deal, make_lead, stage


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def shown(response) -> list[int]:
    return [row["record"].pk for row in response.context["rows"]]


def errors(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request) if message.level_tag == "error"]


@pytest.fixture
def team_deals(org):
    """One deal for each of: the Sales head, a Sales rep, a Kazan rep (under Sales), a Marketing rep."""
    return {
        "head": make_deal("Сделка Олега", by=org.sales_head),
        "sales": make_deal("Сделка Анны", by=org.sales_rep),
        "kazan": make_deal("Сделка Елены", by=org.kazan_rep),
        "marketing": make_deal("Сделка Ирины", by=org.marketing_rep),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        pytest.param("admin", {"head", "sales", "kazan", "marketing"}, id="admin_case"),
        pytest.param("sales_head", {"head", "sales", "kazan"}, id="head_sees_subtree_case"),
        pytest.param("sales_rep", {"head", "sales"}, id="rep_sees_department_case"),
        pytest.param("kazan_rep", {"kazan"}, id="kazan_rep_case"),
        pytest.param("marketing_rep", {"marketing"}, id="other_department_case"),
        pytest.param("reader", {"head", "sales", "kazan", "marketing"}, id="read_only_case"),
        pytest.param("nobody", set(), id="no_role_case"),
    ],
)
def test_deal_list_shows_only_what_the_gate_allows(org, team_deals, as_user, persona, expected):
    response = as_user(getattr(org, persona)).get(reverse("crm:deal_list"))

    assert response.status_code == 200
    assert set(shown(response)) == {team_deals[key].pk for key in expected}


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        pytest.param("crm:lead_list", lambda user: make_lead("Лид", by=user), id="lead_case"),
        pytest.param("crm:contact_list", lambda user: make_contact("Контактов", by=user), id="contact_case"),
        pytest.param("crm:company_list", lambda user: make_company("Ромашка", by=user), id="company_case"),
    ],
)
def test_other_lists_hide_other_departments(org, as_user, url_name, make):
    mine, foreign = make(org.sales_rep), make(org.marketing_rep)

    response = as_user(org.sales_rep).get(reverse(url_name))

    assert response.status_code == 200
    assert shown(response) == [mine.pk]
    assert foreign.pk not in shown(response)


def test_lists_need_login(client, db):
    response = client.get(reverse("crm:deal_list"))

    assert response.status_code == 302


def test_search_box_finds_cyrillic_in_any_case(org, as_user):
    found = make_deal("Поставка серверов Иванову", by=org.sales_rep)
    make_deal("Консалтинг", by=org.sales_rep)

    response = as_user(org.sales_rep).get(reverse("crm:deal_list"), {"q": "иванову поставка"})

    assert shown(response) == [found.pk]


def test_filter_bar_fields_become_one_bitrix_filter(org, as_user):
    rep = org.sales_rep
    match = make_deal("Подходит", by=rep, amount=Decimal("5000"))
    services.move_deal(match, stage("PREPARATION"), by=rep)
    make_deal("Мало денег", by=rep, amount=Decimal("10"))
    make_deal("Чужой ответственный", by=org.sales_head, amount=Decimal("5000"))
    today = timezone.localdate().isoformat()

    response = as_user(rep).get(
        reverse("crm:deal_list"),
        {
            "responsible": rep.pk,
            "status": "PREPARATION",
            "category": "0",
            "created_from": today,
            "created_to": today,
            "amount_from": "1000",
            "amount_to": "10000",
        },
    )

    assert shown(response) == [match.pk]


def test_created_to_includes_that_whole_day(org, as_user):
    yesterday = timezone.localdate() - timedelta(days=1)
    make_deal("Сегодня", by=org.sales_rep)

    before = as_user(org.sales_rep).get(reverse("crm:deal_list"), {"created_to": yesterday.isoformat()})
    including = as_user(org.sales_rep).get(reverse("crm:deal_list"), {"created_to": timezone.localdate().isoformat()})

    assert (len(shown(before)), len(shown(including))) == (0, 1)


def test_htmx_filter_renders_only_the_rows(org, as_user):
    make_deal("Сделка", by=org.sales_rep)

    response = as_user(org.sales_rep).get(reverse("crm:deal_list"), {"q": "сдел"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="rows"' in content
    assert "<html" not in content


def test_preset_without_activities(org, as_user):
    rep = org.sales_rep
    busy = make_deal("С делом", by=rep)
    services.plan_activity(busy, by=rep, subject="Позвонить", deadline=timezone.now() + timedelta(days=1))
    idle = make_deal("Без дел", by=rep)
    won = make_deal("Выиграна", by=rep)
    services.move_deal(won, stage("WON"), by=rep)
    done = make_deal("Дело сделано", by=rep)
    activity = services.plan_activity(done, by=rep, subject="Встреча")
    services.complete_activity(activity, by=rep)

    response = as_user(rep).get(reverse("crm:deal_list"), {"preset": "idle"})

    assert sorted(shown(response)) == sorted([idle.pk, done.pk])


def test_preset_without_activities_for_contacts(org, as_user):
    rep = org.sales_rep
    busy, idle = make_contact("Занятой", by=rep), make_contact("Свободный", by=rep)
    services.plan_activity(busy, by=rep, subject="Позвонить")

    response = as_user(rep).get(reverse("crm:contact_list"), {"preset": "idle"})

    assert shown(response) == [idle.pk]


def test_preset_overdue(org, as_user):
    rep = org.sales_rep
    late = make_deal("Просрочено", by=rep)
    services.plan_activity(late, by=rep, subject="Позвонить", deadline=timezone.now() - timedelta(hours=2))
    on_time = make_deal("В срок", by=rep)
    services.plan_activity(on_time, by=rep, subject="Позвонить", deadline=timezone.now() + timedelta(hours=2))

    response = as_user(rep).get(reverse("crm:deal_list"), {"preset": "overdue"})

    assert shown(response) == [late.pk]


def test_presets_my_open_and_won_this_month(org, as_user):
    rep = org.sales_rep
    won = make_deal("Выиграна", by=rep)
    services.move_deal(won, stage("WON"), by=rep)
    open_deal = make_deal("В работе", by=rep)
    colleague = make_deal("Олега", by=org.sales_head)
    client = as_user(rep)

    assert shown(client.get(reverse("crm:deal_list"), {"preset": "won_month"})) == [won.pk]
    assert set(shown(client.get(reverse("crm:deal_list"), {"preset": "open"}))) == {open_deal.pk, colleague.pk}
    assert set(shown(client.get(reverse("crm:deal_list"), {"preset": "my"}))) == {won.pk, open_deal.pk}


def test_sorting_by_a_column_and_back(org, as_user):
    rep = org.sales_rep
    deals = [make_deal(f"Сумма {amount}", by=rep, amount=Decimal(amount)) for amount in (300, 100, 200)]
    client = as_user(rep)

    ascending = shown(client.get(reverse("crm:deal_list"), {"sort": "OPPORTUNITY"}))
    descending = shown(client.get(reverse("crm:deal_list"), {"sort": "-OPPORTUNITY"}))

    assert ascending == [deals[1].pk, deals[2].pk, deals[0].pk]
    assert descending == list(reversed(ascending))


def test_sorting_only_by_whitelisted_columns(org, as_user):
    deals = [make_deal(f"Сделка {n}", by=org.sales_rep) for n in range(3)]

    response = as_user(org.sales_rep).get(reverse("crm:deal_list"), {"sort": "COMMENTS"})

    assert response.status_code == 200
    assert shown(response) == [deal.pk for deal in reversed(deals)]  # newest first, the default


def walk_pages(client, url: str, params: dict) -> list[int]:
    response = client.get(url, params)
    seen = shown(response)
    while response.context["next_url"]:
        response = client.get(response.context["next_url"])
        seen += shown(response)
    return seen


@pytest.mark.parametrize("sort", ["-ID", "COMPANY_ID", "-COMPANY_ID", "OPPORTUNITY", "-DATE_CREATE"])
def test_keyset_pages_cover_every_row_once_in_order(org, as_user, monkeypatch, sort):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    rep = org.sales_rep
    alpha, beta = make_company("Альфа", by=rep), make_company("Бета", by=rep)
    companies = [beta, None, alpha, beta, None, alpha, beta]
    for n, company in enumerate(companies):
        make_deal(f"Сделка {n}", by=rep, company=company, amount=Decimal(n % 3))
    client = as_user(rep)

    paged = walk_pages(client, reverse("crm:deal_list"), {"sort": sort})
    lists_all = lists.rows(rep, lists.ListQuery("deal", sort=sort))

    assert paged == list(lists_all.values_list("pk", flat=True))
    assert len(paged) == len(set(paged)) == len(companies)


def test_company_sort_puts_deals_without_company_last(org, as_user):
    rep = org.sales_rep
    alone = make_deal("Без компании", by=rep)
    with_company = make_deal("С компанией", by=rep, company=make_company("Альфа", by=rep))

    response = as_user(rep).get(reverse("crm:deal_list"), {"sort": "COMPANY_ID"})

    assert shown(response) == [with_company.pk, alone.pk]


def test_counting_stops_at_the_cap(org, as_user, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    for n in range(5):
        make_deal(f"Сделка {n}", by=org.sales_rep)

    response = as_user(org.sales_rep).get(reverse("crm:deal_list"))

    assert (response.context["total"], response.context["capped"]) == (3, True)
    assert 'data-total="3+"' in response.content.decode()
    assert lists.count_capped(Deal.objects.all(), cap=10) == (5, False)


def test_chosen_columns_are_kept_in_the_session(org, as_user):
    make_deal("Сделка", by=org.sales_rep, probability=40)
    client = as_user(org.sales_rep)

    client.post(reverse("crm:deal_list"), {"save_columns": "1", "columns": ["PROBABILITY", "NO_SUCH", "COMMENTS"]})
    response = client.get(reverse("crm:deal_list"))

    assert len(response.context["headers"]) == 2  # the name and the probability; unknown and long ones dropped
    assert response.context["rows"][0]["cells"] == [("text", 40)]


# Bulk actions


def bulk(client, data: dict, url_name: str = "crm:deal_list"):
    return client.post(reverse(url_name), {"bulk": "1", **data}, follow=True)


def test_bulk_stage_change_reports_rows_it_may_not_change(org, as_user):
    mine = make_deal("Моя", by=org.sales_rep)
    heads = make_deal("Руководителя", by=org.sales_head)  # Anna reads it (same department) but may not change it
    preparation = stage("PREPARATION")

    response = bulk(as_user(org.sales_rep), {"action": "stage", "stage": preparation.pk, "ids": [mine.pk, heads.pk]})

    mine.refresh_from_db()
    heads.refresh_from_db()
    assert (mine.stage, heads.stage.status_id) == (preparation, "NEW")
    assert len(errors(response)) == 1
    assert errors(response)[0].startswith("1 ")


def test_bulk_change_of_responsible_goes_through_the_service(org, as_user):
    ours, kazan = make_deal("Наша", by=org.sales_rep), make_deal("Казанская", by=org.kazan_rep)

    response = bulk(
        as_user(org.sales_head), {"action": "responsible", "responsible": org.kazan_rep.pk, "ids": [ours.pk, kazan.pk]}
    )

    assert set(Deal.objects.values_list("responsible", flat=True)) == {org.kazan_rep.pk}
    assert errors(response) == []


def test_bulk_handing_a_record_outside_ones_reach_is_refused_whole(org, as_user):
    deal = make_deal("Моя", by=org.sales_rep)

    response = bulk(
        as_user(org.sales_rep), {"action": "responsible", "responsible": org.marketing_rep.pk, "ids": [deal.pk]}
    )

    deal.refresh_from_db()
    assert deal.responsible == org.sales_rep
    assert len(errors(response)) == 1


def test_bulk_lost_stage_needs_a_reason(org, as_user):
    deal = make_deal("Проиграем", by=org.sales_rep)
    client = as_user(org.sales_rep)

    refused = bulk(client, {"action": "stage", "stage": stage("LOSE").pk, "ids": [deal.pk]})
    deal.refresh_from_db()
    assert deal.stage.status_id == "NEW"
    assert len(errors(refused)) == 1

    price = LossReason.objects.get(name="Цена")
    bulk(client, {"action": "stage", "stage": stage("LOSE").pk, "loss_reason": price.pk, "ids": [deal.pk]})
    deal.refresh_from_db()
    assert (deal.stage.status_id, deal.loss_reason, deal.closed) == ("LOSE", price, True)


def test_bulk_delete_moves_only_allowed_rows_to_the_bin(org, as_user):
    mine, heads = make_deal("Моя", by=org.sales_rep), make_deal("Руководителя", by=org.sales_head)

    response = bulk(as_user(org.sales_rep), {"action": "delete", "ids": [mine.pk, heads.pk]})

    assert list(Deal.objects.values_list("pk", flat=True)) == [heads.pk]
    assert Deal.all_objects.get(pk=mine.pk).deleted_at is not None
    assert len(errors(response)) == 1


def test_bulk_on_invisible_rows_reports_them_as_not_found(org, as_user):
    foreign = make_deal("Чужая", by=org.marketing_rep)

    response = bulk(as_user(org.sales_rep), {"action": "delete", "ids": [foreign.pk]})

    assert Deal.objects.filter(pk=foreign.pk).exists()
    assert len(errors(response)) == 1


def test_bulk_status_change_of_leads(org, as_user):
    lead = make_lead("Заявка", by=org.sales_rep)
    in_process = Status.objects.get(entity_id="STATUS", status_id="IN_PROCESS")

    bulk(as_user(org.sales_rep), {"action": "stage", "stage": in_process.pk, "ids": [lead.pk]}, "crm:lead_list")

    assert Lead.objects.get(pk=lead.pk).status == in_process


def test_bulk_without_checked_rows_changes_nothing(org, as_user):
    deal = make_deal("Моя", by=org.sales_rep)

    response = bulk(as_user(org.sales_rep), {"action": "delete"})

    assert Deal.objects.filter(pk=deal.pk).exists()
    assert len(errors(response)) == 1


def test_a_bad_filter_value_drops_only_that_field(org, as_user):
    match = make_deal("Иванов", by=org.sales_rep)
    make_deal("Петров", by=org.sales_rep)

    response = as_user(org.sales_rep).get(reverse("crm:deal_list"), {"q": "иванов", "amount_from": "много"})

    assert shown(response) == [match.pk]
    assert response.context["form"].errors
