"""Monday's planning meeting in a real browser: Oleg opens the funnel, clicks the gap and gets exactly its deals."""

from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.conftest import elsewhere


def given_deals() -> set[int]:
    """Anna's deals: ten new, eight reach "Preparation", only two go on (and are won) — the gap is there.

    Returns the ids of the deals that reached "Preparation" (or went further)."""
    from kontora.accounts.models import User
    from kontora.crm import services
    from kontora.crm.models import LossReason
    from tests.factories import stage

    anna = User.objects.get(username="anna")
    reached = set()
    for number in range(10):
        deal = services.create_deal(by=anna, title=f"Кластер {number}", amount=Decimal(100_000 + number))
        if number < 8:
            services.move_deal(deal, stage("PREPARATION"), by=anna)
            reached.add(deal.pk)
        if number < 2:
            for code in ("PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON"):
                services.move_deal(deal, stage(code), by=anna)
        elif number < 5:
            services.move_deal(deal, stage("LOSE"), by=anna, loss_reason=LossReason.objects.first())
    return reached


def test_the_gap_stage_number_opens_the_list_of_exactly_those_deals(page, sign_in):
    reached = elsewhere(given_deals)
    sign_in("oleg")

    page.goto("/analytics/")
    page.locator("[data-screen=funnel] a").click()
    gap = page.locator("tr.sales-gap")
    expect(gap).to_have_attribute("data-stage", "PREPARATION")
    expect(gap.locator("a.sales-count")).to_have_text(str(len(reached)))
    expect(page.locator(".sales-losses tbody tr")).to_have_count(1)

    gap.locator("a.sales-count").click()
    page.wait_for_url("**/crm/deals/?filter=*")
    rows = page.locator("#rows tr[data-id]")
    expect(rows).to_have_count(len(reached))
    assert {int(pk) for pk in rows.evaluate_all("rows => rows.map(row => row.dataset.id)")} == reached
