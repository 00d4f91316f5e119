"""A head sets a task in the browser; his employee is told live, opens it and times her work."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import console_errors, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Подготовить КП для «Ромашки»"
PHONE = {"width": 390, "height": 844}


def employee_page(browser, live_kontora, demo_company, errors: list[str]) -> Page:
    """Anna (sales, under Oleg) in a browser of her own, on her home page and connected to the live socket."""
    context = browser.new_context(base_url=live_kontora, locale="ru-RU", viewport=PHONE)
    context.set_default_timeout(10_000)
    anna = context.new_page()
    anna.on("pageerror", lambda error: errors.append(f"{anna.url}: {error}"))
    anna.on("console", lambda message: errors.extend(console_errors(anna, message)))
    login(anna, live_kontora, "anna", demo_company["anna"])
    anna.goto("/")
    expect(anna.locator("body")).to_have_attribute("data-live", "1")
    return anna


def test_head_sets_a_task_and_the_employee_times_it(page, sign_in, browser, live_kontora, demo_company):
    errors: list[str] = []
    anna = employee_page(browser, live_kontora, demo_company, errors)
    expect(anna.locator("[data-counter=notifications]")).to_be_hidden()
    anna.evaluate("window.__marker = 42")

    # given Oleg, head of sales, on the new task form
    sign_in("oleg")
    page.goto("/tasks/new/")

    # when he sets Anna a task with a deadline and two checklist items
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=description]", "Цены из прайса на март.\n\nСкидка не больше 10%.")
    page.select_option("select[name=responsible]", label="Анна Иванова")
    deadline = timezone.localtime() + timedelta(days=2)
    page.fill("input[name=deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.locator("input[name=checklist]").first.fill("Собрать цены")
    page.locator("[data-action=add-checklist-item]").click()
    page.locator("input[name=checklist]").nth(1).fill("Согласовать скидку")
    page.get_by_role("button", name=re.compile("Создать задачу|Create task")).click()

    # then he lands on the card, with the checklist there
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#checklist .checklist-item")).to_have_count(2)
    expect(page.locator("#checklist [data-progress]")).to_contain_text("0")

    # and Anna, without reloading, is told: her tasks counter (a task not opened yet) and the bell rise, and a
    # toast names the task
    expect(anna.locator("[data-counter=tasks]")).to_have_text("1")
    expect(anna.locator("[data-counter=notifications]")).to_have_text("1")
    expect(anna.locator("#toasts .toast").first).to_contain_text(TITLE)
    assert anna.evaluate("window.__marker") == 42

    # when Oleg comments on the task, Anna hears of it live too (the task still counts once: not opened yet)
    page.fill("#comments textarea[name=text]", "Нужно к пятнице")
    page.locator("#comments button[type=submit]").click()
    expect(page.locator("#comments .comment")).to_have_count(1)
    expect(anna.locator("[data-counter=notifications]")).to_have_text("2")
    expect(anna.locator("[data-counter=tasks]")).to_have_text("1")
    assert anna.evaluate("window.__marker") == 42

    # when Anna opens the task from the toast and starts the timer
    anna.locator("#toasts .toast").first.click()
    anna.wait_for_url(re.compile(r"/tasks/\d+/$"))
    expect(anna.locator("h1")).to_have_text(TITLE)
    assert anna.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    anna.locator("[data-action=timer-start]").click()

    # then the clock ticks in her browser
    clock = anna.locator("[data-timer]")
    expect(clock).to_be_visible()
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=4000)

    # when she stops it, an entry of hers appears in the list
    anna.locator("[data-action=timer-stop]").click()
    expect(anna.locator("[data-action=timer-start]")).to_be_visible()
    expect(anna.locator(".time-entries li")).to_have_count(1)
    expect(anna.locator(".time-entries li").first).to_contain_text("Анна Иванова")

    anna.context.close()
    assert not errors, "errors in Anna's browser console:\n" + "\n".join(errors)
