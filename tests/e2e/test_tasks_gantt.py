"""The Gantt chart in the browser: dragging a task's bar pushes the task that depends on it."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import elsewhere

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def linked_pair() -> tuple[int, int]:
    """Anna's two planned tasks, the second starting after the first finishes (finish-to-start)."""
    from kontora.accounts.models import User
    from kontora.tasks.services.dependencies import add_dependency
    from kontora.tasks.services.tasks import create_task

    anna = User.objects.get(username="anna")
    today = timezone.localdate()

    def at(days: int, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))

    first = create_task(by=anna, title="Собрать требования", start_date_plan=at(1, 9), end_date_plan=at(2, 18))
    second = create_task(by=anna, title="Подготовить смету", start_date_plan=at(3, 9), end_date_plan=at(4, 18))
    add_dependency(first, second, by=anna)
    return first.pk, second.pk


def plan_of(pk: int) -> tuple[datetime, datetime]:
    from kontora.tasks.models import Task

    task = Task.objects.get(pk=pk)
    return task.start_date_plan, task.end_date_plan


def bar_x(page: Page, pk: int) -> float:
    return float(page.locator(f'.bar-wrapper[data-id="{pk}"] .bar').get_attribute("x"))


def test_dragging_a_bar_pushes_its_dependent(page, sign_in):
    # given Anna's two tasks linked finish-to-start, on her Gantt chart
    first, second = elsewhere(linked_pair)
    first_before = elsewhere(lambda: plan_of(first))
    before = elsewhere(lambda: plan_of(second))
    sign_in("anna")
    page.goto("/tasks/gantt/")
    bar = page.locator(f'.bar-wrapper[data-id="{first}"] .bar')
    expect(bar).to_be_visible()
    expect(page.locator("[data-links] li")).to_contain_text("Собрать требования → Подготовить смету")
    page.wait_for_function(  # frappe-gantt grows each bar from nothing: wait for its full width
        "el => Math.abs(el.getBoundingClientRect().width - el.width.baseVal.value) < 1", arg=bar.element_handle()
    )
    second_x = bar_x(page, second)
    two_days = bar_x(page, second) - bar_x(page, first)  # the second starts two days after the first
    box = bar.bounding_box()

    # when she drags the first bar three days to the right
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)  # frappe-gantt reacts to hovering a bar after 200 ms; let it settle first
    with page.expect_response(lambda response: "/move/" in response.url, timeout=20_000) as answer:
        page.mouse.down()
        page.mouse.move(x + two_days * 1.5, y, steps=12)
        page.mouse.up()
    assert answer.value.status == 200

    # then the dependent bar moved right too, and its planned dates changed in the database
    page.wait_for_function(
        "([id, x]) => +document.querySelector(`.bar-wrapper[data-id=\"${id}\"] .bar`).getAttribute('x') > x",
        arg=[second, second_x],
    )
    start, end = elsewhere(lambda: plan_of(second))
    assert start > before[0] and end - start == before[1] - before[0]
    first_start, first_end = elsewhere(lambda: plan_of(first))
    assert first_start == first_before[0] + timedelta(days=3) and start == first_end


def test_gantt_scrolls_inside_its_box_on_a_phone(page, sign_in):
    # given Anna's linked tasks, on a phone
    elsewhere(linked_pair)
    page.set_viewport_size(PHONE)
    sign_in("anna")

    # when she opens the Gantt chart
    page.goto("/tasks/gantt/")
    expect(page.locator(".bar-wrapper").first).to_be_visible()

    # then the page itself does not scroll sideways; the chart does
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    assert page.evaluate("(el => el.scrollWidth > el.clientWidth)(document.querySelector('.gantt-container'))")
