"""Universal lists in the browser: an employee files a vacation request; an administrator adds a field to a list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import console_errors, elsewhere, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def builtin_lists() -> None:
    from kontora.lists import builtin

    builtin.ensure_builtin_lists()


def test_employee_files_a_vacation_request_and_sees_it_in_the_list(page, sign_in):
    elsewhere(builtin_lists)
    start = timezone.localdate() + timedelta(days=30)

    # given Anna, a sales manager, on the lists directory
    sign_in("anna")
    page.goto("/lists/")
    page.locator("a[href='/lists/vacation/new/']").click()
    page.wait_for_url(re.compile(r"/lists/vacation/new/$"))

    # when she fills in the vacation request form built from the list's fields and saves it
    page.fill("input[name=name]", "Отпуск в июле")
    page.fill("input[name=start]", start.isoformat())
    page.fill("input[name=end]", (start + timedelta(days=13)).isoformat())
    page.locator("select[name=kind]").select_option(index=1)
    page.fill("textarea[name=comment]", "Семейная поездка")
    page.locator("form.element-form button[type=submit]").click()

    # then she lands on the request's card with her dates, and finds it in the list
    page.wait_for_url(re.compile(r"/lists/vacation/\d+/$"))
    expect(page.locator("h1")).to_have_text("Отпуск в июле")
    expect(page.locator("dd[data-field=start]")).to_contain_text(start.strftime("%d.%m.%Y"))
    expect(page.locator("dd[data-field=comment]")).to_have_text("Семейная поездка")
    page.goto("/lists/vacation/")
    rows = page.locator("table.elements tbody tr[data-element]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Отпуск в июле")


def test_admin_adds_a_field_that_the_form_then_asks_for(page, sign_in, browser, live_kontora, demo_company):
    elsewhere(builtin_lists)

    # given Sergey, the administrator, on the settings of the cash requests list
    sign_in("sergey")
    page.goto("/lists/cash/settings/")
    expect(page.locator("tr[data-field]")).to_have_count(3)

    # when he adds a required date field
    page.locator("details.field-add summary").click()
    page.fill("input[name=field-code]", "paid_on")
    page.fill("input[name=field-name]", "Дата выдачи")
    page.select_option("select[name=field-type]", "date")
    page.check("input[name=field-required]")
    page.locator("button[name=action][value=add_field]").click()

    # then it is the list's last field, and an employee's form asks for it
    expect(page.locator("tr[data-field]")).to_have_count(4)
    expect(page.locator("tr[data-field]").last).to_have_attribute("data-field", "paid_on")
    errors: list[str] = []
    context = browser.new_context(base_url=live_kontora, locale="ru-RU")
    anna = context.new_page()
    anna.on("console", lambda message: errors.extend(console_errors(anna, message)))
    login(anna, live_kontora, "anna", demo_company["anna"])
    anna.goto("/lists/cash/new/")
    expect(anna.locator("input[name=paid_on][type=date]")).to_be_visible()
    anna.fill("input[name=amount]", "1200")
    anna.fill("textarea[name=purpose]", "Такси")
    anna.locator("form.element-form button[type=submit]").click()
    expect(anna.locator(".field.has-error input[name=paid_on]")).to_be_visible()
    context.close()
    assert not errors
