"""Kanban boards: deals per pipeline and leads by status, paged columns, drag-and-drop moves, quick add."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from kontora.crm import services
from kontora.crm.kanban import PAGE
from kontora.crm.models import Deal, LossReason, StageHistory, Status
from tests.factories import make_deal, make_lead, stage

HTMX = {"HX-Request": "true"}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _column(response, status_id: str) -> dict:
    return next(column for column in response.context["columns"] if column["stage"].status_id == status_id)


def _move(client, deal: Deal, status_id: str, **extra):
    return client.post(reverse("crm:deal_move", args=[deal.pk]), {"stage": status_id, **extra}, headers=HTMX)


def test_the_board_shows_only_the_deals_the_user_sees(as_user, org):
    mine = make_deal("Кластер PostgreSQL", by=org.sales_rep)
    theirs = make_deal("Рекламная кампания", by=org.marketing_rep)

    response = as_user(org.sales_rep).get(reverse("crm:deal_kanban"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-deal="{mine.pk}"' in html
    assert f'data-deal="{theirs.pk}"' not in html and "Рекламная кампания" not in html
    assert 'data-stage="NEW"' in html and 'data-stage="LOSE"' in html


def test_columns_follow_the_stages_with_counts_and_sums(as_user, org):
    make_deal(by=org.sales_rep, amount=Decimal("100"))
    make_deal(by=org.sales_rep, amount=Decimal("250.50"))
    services.move_deal(make_deal(by=org.sales_rep, amount=Decimal(7)), stage("EXECUTING"), by=org.sales_rep)
    make_deal(by=org.marketing_rep, amount=Decimal("1000000"))

    response = as_user(org.sales_rep).get(reverse("crm:deal_kanban"))

    codes = [column["stage"].status_id for column in response.context["columns"]]
    assert codes == ["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON", "LOSE", "APOLOGY"]
    assert (_column(response, "NEW")["count"], _column(response, "NEW")["total"]) == (2, Decimal("350.50"))
    assert (_column(response, "EXECUTING")["count"], _column(response, "WON")["count"]) == (1, 0)
    assert 'style="--stage: #39A8EF"' in response.content.decode()


def test_a_card_shows_the_next_activity_overdue_in_red_or_warns_when_there_is_none(as_user, org):
    late = make_deal("Поставка серверов", by=org.sales_rep, amount=Decimal("1500"))
    services.plan_activity(late, by=org.sales_rep, subject="Позвонить", deadline=timezone.now() - timedelta(days=1))
    idle = make_deal("Без дел", by=org.sales_rep)

    response = as_user(org.sales_rep).get(reverse("crm:deal_kanban"))

    cards = {deal.pk: deal for deal in _column(response, "NEW")["cards"]}
    assert cards[late.pk].next_activity.subject == "Позвонить"
    assert cards[idle.pk].next_activity is None
    html = response.content.decode()
    assert 'class="kanban-activity small overdue">Позвонить' in html
    assert html.count("kanban-activity small none") == 1
    assert f'href="{late.get_absolute_url()}"' in html


def test_columns_load_in_pages_and_the_next_page_is_a_partial(as_user, org):
    deals = [make_deal(f"Сделка {number}", by=org.sales_rep) for number in range(PAGE + 5)]
    client = as_user(org.sales_rep)
    new = stage("NEW")

    first = client.get(reverse("crm:deal_kanban"))
    column = _column(first, "NEW")
    assert [deal.pk for deal in column["cards"]] == [deal.pk for deal in reversed(deals)][:PAGE]
    assert column["after"] == deals[5].pk
    assert 'hx-trigger="revealed"' in first.content.decode()

    url = reverse("crm:deal_kanban_category", args=[0])
    rest = client.get(url, {"stage": new.pk, "after": column["after"]}, headers=HTMX)

    html = rest.content.decode()
    assert "<html" not in html
    assert [f'data-deal="{deal.pk}"' in html for deal in deals] == [True] * 5 + [False] * PAGE
    assert 'hx-trigger="revealed"' not in html


def test_moving_a_deal_changes_its_stage_records_history_and_returns_the_new_heads(as_user, org):
    deal = make_deal(by=org.sales_rep, amount=Decimal("500"))

    response = _move(as_user(org.sales_rep), deal, "PREPARATION")

    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage.status_id == "PREPARATION"
    assert StageHistory.objects.filter(entity_id=deal.pk, to_stage__status_id="PREPARATION", moved_by=org.sales_rep)
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="kanban-head-{stage("PREPARATION").pk}" hx-swap-oob="true"' in html
    assert f'id="deal-{deal.pk}"' in html


def test_a_lost_stage_without_a_reason_is_refused_and_nothing_changes(as_user, org):
    deal = make_deal(by=org.sales_rep)

    with override("en"):
        response = _move(as_user(org.sales_rep), deal, "LOSE")
        message = gettext("Choose why the deal was lost.")

    assert response.status_code == 400
    assert message in response.content.decode()
    deal.refresh_from_db()
    assert (deal.stage.status_id, deal.closed) == ("NEW", False)
    assert not StageHistory.objects.filter(entity_id=deal.pk, to_stage__status_id="LOSE").exists()


def test_a_lost_stage_with_a_reason_moves_the_deal(as_user, org):
    deal = make_deal(by=org.sales_rep)
    price = LossReason.objects.get(name="Цена")

    response = _move(as_user(org.sales_rep), deal, "LOSE", loss_reason=price.pk, loss_comment="Дорого")

    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage.status_id, deal.closed, deal.loss_reason, deal.loss_comment) == ("LOSE", True, price, "Дорого")


def test_the_loss_dialog_offers_only_active_reasons(as_user, org):
    LossReason.objects.filter(name="Цена").update(active=False)

    html = as_user(org.sales_rep).get(reverse("crm:deal_kanban")).content.decode()

    assert 'id="kanban-loss"' in html
    assert "Нет бюджета" in html and ">Цена<" not in html


def test_a_deal_one_may_not_change_cannot_be_moved(as_user, org):
    foreign = make_deal(by=org.marketing_rep)
    colleagues = make_deal(by=org.sales_head)
    client = as_user(org.sales_rep)

    assert _move(client, foreign, "PREPARATION").status_code == 404
    assert _move(client, colleagues, "PREPARATION").status_code == 404
    html = client.get(reverse("crm:deal_kanban")).content.decode()
    assert f'id="deal-{colleagues.pk}" data-deal="{colleagues.pk}"' in html
    assert f'data-move-url="/crm/deals/{colleagues.pk}/move/" data-movable' not in html
    assert {deal.stage.status_id for deal in Deal.objects.all()} == {"NEW"}


def test_a_stage_of_another_pipeline_is_refused(as_user, org):
    other = services.create_category(by=org.admin, name="Партнёры")
    deal = make_deal(by=org.sales_rep)

    response = _move(as_user(org.sales_rep), deal, f"C{other.pk}:WON")

    assert response.status_code == 400
    deal.refresh_from_db()
    assert deal.stage.status_id == "NEW"


def test_quick_add_with_an_empty_title_shows_the_error_in_the_form(as_user, org):
    url = reverse("crm:deal_quick_add", args=[0])

    with override("en"):
        response = as_user(org.sales_rep).post(url, {"stage": stage("NEW").pk, "title": " "}, headers=HTMX)
        message = gettext("Enter the deal's name.")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'class="kanban-add"' in html
    assert f'<span class="error" role="alert">{message}</span>'.replace("'", "&#x27;") in html
    assert not Deal.objects.exists()


def test_quick_add_creates_the_deal_in_the_column_and_prepends_its_card(as_user, org):
    url = reverse("crm:deal_quick_add", args=[0])
    executing = stage("EXECUTING")

    response = as_user(org.sales_rep).post(
        url, {"stage": executing.pk, "title": "Лицензии", "amount": "1500"}, headers=HTMX
    )

    deal = Deal.objects.get()
    assert (deal.title, deal.stage, deal.amount, deal.responsible) == ("Лицензии", executing, 1500, org.sales_rep)
    html = response.content.decode()
    assert f'hx-swap-oob="afterbegin:#kanban-cards-{executing.pk}"' in html
    assert f'data-deal="{deal.pk}"' in html
    assert f'id="kanban-head-{executing.pk}" hx-swap-oob="true"' in html


def test_quick_add_is_offered_only_in_open_stages_to_those_who_may_add(as_user, org):
    rep = as_user(org.sales_rep).get(reverse("crm:deal_kanban")).content.decode()
    assert f'id="kanban-add-{stage("NEW").pk}"' in rep
    assert f'id="kanban-add-{stage("WON").pk}"' not in rep

    reader = as_user(org.reader).get(reverse("crm:deal_kanban")).content.decode()
    assert 'class="kanban-add"' not in reader
    assert "data-movable" not in reader
    response = as_user(org.sales_rep).post(
        reverse("crm:deal_quick_add", args=[0]), {"stage": stage("WON").pk, "title": "X"}, headers=HTMX
    )
    assert response.status_code == 404


def test_the_pipeline_switcher_opens_each_pipeline(as_user, org):
    partners = services.create_category(by=org.admin, name="Партнёры")
    make_deal("Дилер", by=org.sales_rep, category=partners)
    client = as_user(org.sales_rep)

    default = client.get(reverse("crm:deal_kanban")).content.decode()
    response = client.get(reverse("crm:deal_kanban_category", args=[partners.pk]))

    html = response.content.decode()
    assert f'href="{reverse("crm:deal_kanban_category", args=[partners.pk])}"' in default
    assert 'data-pipeline="0" class="current"' in default and "Дилер" not in default
    assert f'data-pipeline="{partners.pk}" class="current"' in html and "Дилер" in html
    assert [column["stage"].status_id for column in response.context["columns"]] == [
        f"C{partners.pk}:NEW",
        f"C{partners.pk}:WON",
        f"C{partners.pk}:LOSE",
    ]
    assert client.get(reverse("crm:deal_kanban_category", args=[999])).status_code == 404


def test_the_lead_board_has_a_column_per_status_with_visible_leads(as_user, org):
    mine = make_lead("Заявка с сайта", by=org.sales_rep, amount=Decimal("300"))
    theirs = make_lead("Чужая заявка", by=org.marketing_rep)

    response = as_user(org.sales_rep).get(reverse("crm:lead_kanban"))

    html = response.content.decode()
    statuses = ["NEW", "IN_PROCESS", "PROCESSED", "CONVERTED", "JUNK"]
    assert [column["stage"].status_id for column in response.context["columns"]] == statuses
    assert (_column(response, "NEW")["count"], _column(response, "NEW")["total"]) == (1, Decimal("300"))
    assert f'data-lead="{mine.pk}"' in html and f'data-lead="{theirs.pk}"' not in html


def test_moving_a_lead_changes_its_status(as_user, org):
    lead = make_lead(by=org.sales_rep)
    client = as_user(org.sales_rep)

    response = client.post(reverse("crm:lead_move", args=[lead.pk]), {"stage": "IN_PROCESS"}, headers=HTMX)

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status.status_id == "IN_PROCESS"
    assert StageHistory.objects.filter(entity_id=lead.pk, to_stage__status_id="IN_PROCESS").exists()
    assert f'id="lead-{lead.pk}"' in response.content.decode()
    foreign = make_lead(by=org.marketing_rep)
    assert client.post(reverse("crm:lead_move", args=[foreign.pk]), {"stage": "IN_PROCESS"}).status_code == 404


def test_a_converted_lead_cannot_be_dragged_back(as_user, org):
    lead = make_lead(by=org.sales_rep)
    services.update_lead(
        lead, by=org.sales_rep, converting=True, status=Status.objects.get(entity_id="STATUS", status_id="CONVERTED")
    )

    response = as_user(org.sales_rep).post(reverse("crm:lead_move", args=[lead.pk]), {"stage": "NEW"}, headers=HTMX)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_lead_columns_load_in_pages(as_user, org):
    leads = [make_lead(f"Лид {number}", by=org.sales_rep) for number in range(PAGE + 2)]
    client = as_user(org.sales_rep)
    new = Status.objects.get(entity_id="STATUS", status_id="NEW")

    column = _column(client.get(reverse("crm:lead_kanban")), "NEW")
    rest = client.get(reverse("crm:lead_kanban"), {"stage": new.pk, "after": column["after"]}, headers=HTMX)

    assert len(column["cards"]) == PAGE
    assert [f'data-lead="{lead.pk}"' in rest.content.decode() for lead in leads] == [True] * 2 + [False] * PAGE


def test_the_boards_need_a_login(client, db):
    for url in (reverse("crm:deal_kanban"), reverse("crm:lead_kanban")):
        assert client.get(url).status_code == 302


def test_dropping_a_lead_on_the_qualified_column_asks_for_conversion(as_user, org):
    lead = make_lead(by=org.sales_rep)

    response = as_user(org.sales_rep).post(
        reverse("crm:lead_move", args=[lead.pk]), {"stage": "CONVERTED"}, headers=HTMX
    )

    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.status.status_id == "NEW"
