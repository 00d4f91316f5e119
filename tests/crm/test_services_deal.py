"""Deals: created in a pipeline, moved through stages with history, lost only with a reason, priced by rows."""

from decimal import Decimal

import pytest

from kontora.core.errors import Forbidden, Invalid
from kontora.crm import selectors, services
from kontora.crm.models import Category, Deal, LossReason, ProductRow, StageHistory
from kontora.events.models import Event
from tests.factories import make_company, make_deal, stage


def test_new_deal_starts_at_the_first_stage_of_the_default_pipeline(org):
    deal = make_deal("Кластер PostgreSQL", by=org.sales_rep, amount=Decimal("150000"))

    assert deal.category_id == 0
    assert deal.stage.status_id == "NEW"
    assert deal.responsible == org.sales_rep
    assert StageHistory.objects.filter(entity_id=deal.pk, to_stage__status_id="NEW").exists()


def test_deal_needs_a_title_and_a_sane_amount(org):
    with pytest.raises(Invalid) as no_title:
        make_deal("  ", by=org.sales_rep)
    with pytest.raises(Invalid) as negative:
        make_deal("X", by=org.sales_rep, amount=Decimal("-1"))

    assert (no_title.value.field, negative.value.field) == ("title", "amount")
    assert not Deal.objects.exists()


def test_move_records_stage_history_and_emits(org, django_capture_on_commit_callbacks):
    deal = make_deal(by=org.sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)

    move = StageHistory.objects.get(entity_id=deal.pk, from_stage__status_id="NEW")
    assert move.to_stage.status_id == "PREPARATION"
    assert move.seconds_in_previous is not None
    event = Event.objects.filter(name="crm.deal.stage_changed").get()
    assert event.data["to_stage"] == "PREPARATION"


def test_losing_a_deal_requires_a_reason(org):
    deal = make_deal(by=org.sales_rep)

    with pytest.raises(Invalid) as error:
        services.move_deal(deal, stage("LOSE"), by=org.sales_rep)
    assert error.value.field == "loss_reason"
    price = LossReason.objects.get(name="Цена")
    services.move_deal(deal, stage("LOSE"), by=org.sales_rep, loss_reason=price, loss_comment="Дорого")

    deal.refresh_from_db()
    assert (deal.closed, deal.loss_reason, deal.loss_comment) == (True, price, "Дорого")


def test_reopening_a_lost_deal_clears_the_reason(org):
    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("LOSE"), by=org.sales_rep, loss_reason=LossReason.objects.first())

    services.move_deal(deal, stage("EXECUTING"), by=org.sales_rep)

    deal.refresh_from_db()
    assert (deal.closed, deal.loss_reason) == (False, None)


def test_stage_of_another_pipeline_is_refused(org):
    partners = services.create_category(by=org.admin, name="Партнёры")
    deal = make_deal(by=org.sales_rep)

    with pytest.raises(Invalid):
        services.move_deal(deal, stage(f"C{partners.pk}:NEW"), by=org.sales_rep)
    assert partners.stages.count() == 3


def test_employee_cannot_move_a_colleagues_deal_but_the_head_can(org):
    deal = make_deal(by=org.sales_rep)

    with pytest.raises(Forbidden):
        services.move_deal(deal, stage("EXECUTING"), by=org.nobody)
    services.move_deal(deal, stage("EXECUTING"), by=org.sales_head)


def test_handing_a_deal_to_someone_out_of_reach_is_refused(org):
    deal = make_deal(by=org.sales_rep)

    with pytest.raises(Forbidden):
        services.update_deal(deal, by=org.sales_rep, responsible=org.marketing_rep)
    assert Deal.objects.get(pk=deal.pk).responsible == org.sales_rep


def test_product_rows_recompute_the_amount(org):
    deal = make_deal(by=org.sales_rep, amount=Decimal("1"))

    services.set_product_rows(deal, [
        {"product_name": "Кластер PostgreSQL, тариф M", "price": "50000", "quantity": 3, "discount_rate": 10},
        {"product_name": "Настройка", "price": "20000", "tax_rate": Decimal("20"), "tax_included": False},
    ], by=org.sales_rep)  # fmt: skip

    deal.refresh_from_db()
    assert deal.amount == Decimal("135000.00") + Decimal("24000.00")
    assert not deal.is_manual_amount
    assert ProductRow.objects.filter(owner_id=deal.pk).count() == 2


def test_bad_product_row_changes_nothing(org):
    deal = make_deal(by=org.sales_rep, amount=Decimal("10"))

    with pytest.raises(Invalid):
        services.set_product_rows(deal, [{"product_name": "X", "price": "-5"}], by=org.sales_rep)

    assert Deal.objects.get(pk=deal.pk).amount == Decimal("10")


def test_deals_without_activities_preset(org):
    planned = make_deal("С делом", by=org.sales_rep)
    forgotten = make_deal("Без дела", by=org.sales_rep)
    won = make_deal("Выиграна", by=org.sales_rep)
    services.move_deal(won, stage("WON"), by=org.sales_rep)
    services.plan_activity(planned, by=org.sales_rep, subject="Позвонить")

    found = set(selectors.deals_without_activities(org.sales_head).values_list("title", flat=True))

    assert found == {forgotten.title}


def test_per_pipeline_grant_limits_what_is_seen(org):
    from kontora.accounts.models import Level
    from tests.support.access_matrix import custom_role

    partners = services.create_category(by=org.admin, name="Партнёры")
    make_deal("Продажа", by=org.admin)
    make_deal("Партнёрская", by=org.admin, category=partners)
    role = custom_role("Партнёрский менеджер", "crm.deal", {})
    role.grants.create(entity="crm.deal", action="read", scope=f"category:{partners.pk}", level=Level.ALL)
    org.nobody.roles.set([role])

    seen = set(selectors.visible_deals(org.nobody).values_list("title", flat=True))

    assert seen == {"Партнёрская"}


def test_company_link_and_kanban_columns(org):
    vector = make_company("Вектор", by=org.sales_rep)
    make_deal(by=org.sales_rep, company=vector, amount=Decimal("100"))
    make_deal(by=org.sales_rep, amount=Decimal("50"))

    columns = selectors.stage_columns(org.sales_rep, Category.objects.get(pk=0))

    first = columns[0]
    assert (first["stage"].status_id, first["count"], first["total"]) == ("NEW", 2, Decimal("150"))
    assert [deal.company for deal in selectors.deals_in_stage(org.sales_rep, first["stage"])] == [None, vector]
