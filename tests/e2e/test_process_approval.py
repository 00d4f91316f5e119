"""A sales rep starts the built-in invoice approval from his deal's card; the head sees it in his approvals counter,
approves it with a comment, and the instance page shows the process completed with that line in its history."""

from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.conftest import console_errors, elsewhere, login
from tests.support.processes import wait_for


def test_the_head_approves_an_invoice_started_from_the_deal_card(page, sign_in, browser, live_kontora, demo_company):
    from kontora.accounts.models import User
    from kontora.automation.processes import builtin
    from kontora.automation.processes.models import Approval, ProcessInstance
    from kontora.crm import services

    def given():
        anna = User.objects.get(username="anna")
        template = next(
            item
            for item in builtin.install(by=User.objects.get(username="sergey"), accountant="pavel", hr="maria")
            if item.code == "invoice_approval"
        )
        return template.pk, services.create_deal(by=anna, title="Счёт Вектору", amount=Decimal("120000")).pk

    template, deal = elsewhere(given)

    # The head has his inbox open in another browser before anything waits for him.
    head_context = browser.new_context(base_url=live_kontora, locale="ru-RU", viewport={"width": 1280, "height": 900})
    head_context.set_default_timeout(10_000)
    head = head_context.new_page()
    head_errors: list[str] = []
    head.on("pageerror", lambda error: head_errors.append(f"{head.url}: {error}"))
    head.on("console", lambda message: head_errors.extend(console_errors(head, message)))
    login(head, live_kontora, "oleg", demo_company["oleg"])
    head.goto("/automation/processes/approvals/")
    counter = head.locator('.top-actions [data-counter="processes"]')
    expect(counter).to_be_hidden()
    expect(head.locator("body")).to_have_attribute("data-live", "1")

    # The rep starts the process from the deal card.
    sign_in("anna")
    page.goto(f"/crm/deals/{deal}/")
    block = page.locator('[data-linked="processes"]')
    start = block.locator(f'a[href="/automation/processes/start/{template}/deal/{deal}/"]')
    start.click()
    page.locator("#process-start-form button[type=submit]").click()
    page.wait_for_url("**/automation/processes/instances/*/")
    instance = elsewhere(lambda: ProcessInstance.objects.get(document_id=deal).pk)

    # The worker gives the task to the head; his counter follows live.
    wait_for(lambda: elsewhere(lambda: Approval.objects.filter(instance_id=instance).exists()), timeout=60)
    expect(counter).to_have_text("1", timeout=20_000)
    head.reload()
    row = head.locator("table.processes-inbox tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Счёт Вектору")
    row.locator("a").first.click()
    head.wait_for_url("**/automation/processes/approvals/*/")
    head.locator("#decision textarea[name=comment]").fill("Цена согласована")
    head.locator('#decision button[value="approve"]').click()
    expect(head.locator('[data-status="approved"]')).to_be_visible()
    expect(counter).to_be_hidden()

    # The worker finishes the process; its page shows it completed, with the head's decision in the history.
    wait_for(lambda: elsewhere(lambda: ProcessInstance.objects.get(pk=instance).status == "completed"), timeout=60)
    page.goto(f"/automation/processes/instances/{instance}/")
    expect(page.locator("#instance-status")).to_have_attribute("data-status", "completed")
    decided = page.locator('.processes-history tr[data-kind="decided"]')
    expect(decided).to_contain_text("Цена согласована")
    expect(decided).to_contain_text("Олег")
    expect(page.locator("#process-diagram")).to_have_attribute("data-ready", "1")
    expect(page.locator("#process-diagram .djs-container")).to_be_visible()
    expect(page.locator("#process-diagram .bjs-powered-by")).to_be_visible()
    assert page.locator("#process-diagram .process-passed").count() > 0

    head_context.close()
    assert not head_errors, "errors in the head's browser console:\n" + "\n".join(head_errors)
