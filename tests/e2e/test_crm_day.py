"""Tuesday and Monday in the CRM, in a real browser: an inquiry becomes a deal, deals move, nothing is lost."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.conftest import elsewhere


def users():
    from kontora.accounts.models import User

    return {user.username: user for user in User.objects.all()}


def test_inquiry_with_a_known_phone_warns_of_the_duplicate_and_converts_into_a_deal(page, sign_in):
    from kontora.crm import services

    def given():
        anna = users()["anna"]
        services.create_contact(by=anna, first_name="Иван", last_name="Сидоров", phones=["8 (916) 555-12-34"])

    elsewhere(given)
    sign_in("anna")

    page.goto("/crm/leads/add/")
    page.fill("#lead-form [name=title]", "Заявка: управляемый PostgreSQL")
    page.fill("#lead-form [name=first_name]", "Иван")
    page.fill("#lead-form [name=last_name]", "Сидоров")
    page.locator("#lead-form [name=phones]").first.fill("+7 916 555 1234")
    page.locator("#lead-form [name=phones]").first.dispatch_event("change")
    expect(page.locator("#duplicates-warning")).to_contain_text("Сидоров")
    page.locator("#lead-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/crm/leads/\d+/$"))
    lead_url = page.url

    page.goto(lead_url + "convert/")
    page.locator("form button[type=submit]", has_text="Конвертировать").click()
    page.wait_for_load_state("networkidle")

    from kontora.crm.models import Deal, Lead

    lead = elsewhere(lambda: Lead.objects.select_related("status").get(title="Заявка: управляемый PostgreSQL"))
    assert lead.status.status_id == "CONVERTED"
    assert elsewhere(lambda: Deal.objects.filter(lead=lead).exists())


def test_deals_are_dragged_to_won_and_to_lost_with_a_reason(page, sign_in):
    from kontora.crm import services
    from kontora.crm.models import Deal

    def given():
        anna = users()["anna"]
        won = services.create_deal(by=anna, title="Кластер ClickHouse", amount=Decimal("300000"))
        lost = services.create_deal(by=anna, title="Кластер Redis", amount=Decimal("90000"))
        return won.pk, lost.pk

    won, lost = elsewhere(given)
    sign_in("anna")
    page.set_viewport_size({"width": 2600, "height": 900})  # the whole pipeline on one wall screen
    page.goto("/crm/deals/kanban/")

    page.locator(f'[data-deal="{won}"]').drag_to(page.locator('[data-stage="WON"] .kanban-cards'))
    expect(page.locator(f'[data-stage="WON"] [data-deal="{won}"]')).to_be_visible()
    page.locator(f'[data-deal="{lost}"]').drag_to(page.locator('[data-stage="LOSE"] .kanban-cards'))
    dialog = page.locator("#kanban-loss")
    expect(dialog).to_be_visible()
    dialog.locator("[name=loss_reason]").select_option(label="Цена")
    dialog.locator("[name=loss_comment]").fill("Дорого для них")
    dialog.locator("button[value=ok]").click()
    expect(page.locator(f'[data-stage="LOSE"] [data-deal="{lost}"]')).to_be_visible()

    def stages():
        return dict(Deal.objects.filter(pk__in=[won, lost]).values_list("pk", "stage__status_id"))

    page.wait_for_timeout(300)
    assert elsewhere(stages) == {won: "WON", lost: "LOSE"}
    assert elsewhere(lambda: Deal.objects.get(pk=lost).loss_reason.name) == "Цена"


def test_a_deal_is_found_by_phone_and_comes_back_from_the_bin(page, sign_in):
    from kontora.crm import services

    def given():
        anna = users()["anna"]
        company = services.create_company(by=anna, title="Вектор", phones=["+7 (495) 123-45-67"])
        deal = services.create_deal(by=anna, title="Вектор: миграция на PostgreSQL", company=company)
        return company.pk, deal.pk

    company, deal = elsewhere(given)
    sign_in("anna")

    page.goto("/search/?q=8 495 1234567")
    expect(page.locator("main")).to_contain_text("Вектор")

    page.goto(f"/crm/deals/{deal}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[name=action][value=delete]").click()
    page.wait_for_load_state("networkidle")
    page.goto("/crm/bin/")
    expect(page.locator("main")).to_contain_text("Вектор: миграция на PostgreSQL")
    page.locator("button[name=action][value=restore]").first.click()
    page.wait_for_load_state("networkidle")

    page.goto(f"/crm/deals/{deal}/")
    expect(page.locator("h1")).to_contain_text("Вектор: миграция на PostgreSQL")
