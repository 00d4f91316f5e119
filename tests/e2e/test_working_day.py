"""Monday in the browser: the org chart, the people directory, languages, live notifications, phones."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import elsewhere, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SALES = "Отдел продаж (Москва)"
KAZAN = "Отдел продаж (Казань)"
PHONE = {"width": 390, "height": 844}
MESSAGE = "Plan next steps on your four deals by 12:00"


def department_node(page: Page, name: str) -> Locator:
    """The org chart's <li> of one department: its own card and, nested, its sub-departments."""
    return page.locator("#org-chart li").filter(has=page.locator(":scope > .org-node h3", has_text=name))


def horizontal_overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_head_of_sales_finds_his_departments_and_searches_people_live(page, sign_in):
    # given Oleg, head of sales, signed in
    sign_in("oleg")

    # when he opens the org chart
    page.goto("/company/")

    # then his department shows him as its head, with the Kazan sub-department nested inside
    expect(page.locator("#org-chart")).to_be_visible()
    sales = department_node(page, SALES)
    expect(sales.locator(":scope > .org-node")).to_contain_text("Олег Петров")
    expect(sales.locator(":scope > .org-node .head-mark")).to_have_count(1)
    expect(sales.locator(":scope > ul.org .org-node h3", has_text=KAZAN)).to_be_visible()

    # when he opens the people directory and types a surname, without pressing Enter
    page.locator("a[href='/company/people/']").first.click()
    page.wait_for_url(re.compile(r"/company/people/$"))
    rows = page.locator("#people-rows tbody tr")
    expect(rows).to_have_count(13)
    page.evaluate("window.__marker = 42")
    page.locator("form.filters input[name=q]").press_sequentially("Иванова", delay=30)

    # then the list filters in place (HTMX, no reload) down to Anna, and the URL follows the search
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Анна Иванова")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    assert page.evaluate("window.__marker") == 42


def test_language_switch_goes_to_english_and_back(page, sign_in):
    # given Oleg on the org chart, in the default Russian
    sign_in("oleg")
    page.goto("/company/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    # when he switches to English
    page.locator("button.lang-btn[value=en]").click()

    # then the same page comes back in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/company/$"))
    expect(page.locator("h1")).to_have_text("Org chart")

    # when he switches back to Russian
    page.locator("button.lang-btn[value=ru]").click()

    # then the page is Russian again, and it stays so on the next page
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto("/company/people/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_notification_from_elsewhere_appears_without_reload(page, sign_in, demo_company):
    from kontora.accounts.models import User
    from kontora.events.notifications import notify

    # given Anna with her home page open and connected to the live socket
    sign_in("anna")
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-live", "1")
    expect(page.locator("#unread-count")).to_be_hidden()
    page.evaluate("window.__marker = 42")

    # when a notification is raised for her outside the web server (it travels through the outbox)
    elsewhere(lambda: notify(User.objects.get(username="anna"), MESSAGE, link="/"))

    # then the bell counts it and a toast shows it, on the same page (no reload)
    expect(page.locator("#unread-count")).to_be_visible()
    expect(page.locator("#unread-count")).to_have_text("1")
    expect(page.locator("#toasts .toast")).to_have_text(MESSAGE)
    assert page.evaluate("window.__marker") == 42


def test_wrong_password_keeps_the_user_on_the_login_page(page, live_kontora):
    # given the login page
    page.goto("/login/")

    # when someone types a wrong password for a real login
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", "not-her-password")
    page.locator("form:has(input[name=password]) button[type=submit]").click()

    # then an error is shown, the page is still the login page, and nothing behind it opens
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("input[name=username]")).to_have_value("anna")
    page.goto("/company/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_phone_width_has_no_horizontal_scroll_and_the_burger_opens_the_menu(page, live_kontora, demo_company):
    # given a phone-sized screen
    page.set_viewport_size(PHONE)

    # when Anna signs in and walks through the pages of her morning
    login(page, live_kontora, "anna", demo_company["anna"])
    for path in ["/", "/company/", "/company/people/"]:
        page.goto(path)

        # then none of them scrolls sideways
        assert horizontal_overflow(page) <= 0, f"{path} is wider than a {PHONE['width']}px phone"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # when she taps the burger
    sidebar = page.locator("aside.sidebar")
    expect(sidebar).not_to_be_in_viewport()
    page.locator("button.burger").click()

    # then the sidebar slides in with the main menu
    expect(sidebar).to_have_class(re.compile(r"\bopen\b"))
    expect(sidebar).to_be_in_viewport()
    expect(sidebar.locator("a.nav-item").first).to_be_visible()
    page.wait_for_function("document.querySelector('aside.sidebar').getBoundingClientRect().left >= 0")
