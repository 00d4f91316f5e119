"""The deadline kanban in a real browser: a task dragged from "No deadline" to "Today" keeps its new deadline."""

import zoneinfo
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import elsewhere


def test_a_task_dragged_to_today_gets_todays_deadline_and_stays_there(page, sign_in):
    from kontora.accounts.models import User
    from kontora.tasks.models import Task
    from kontora.tasks.services.tasks import create_task

    def given() -> int:
        anna = User.objects.get(username="anna")
        return create_task(by=anna, title="Позвонить в Росатом").pk

    pk = elsewhere(given)
    sign_in("anna")
    page.set_viewport_size({"width": 2000, "height": 900})  # all six columns side by side
    page.goto("/tasks/deadlines/")
    card = page.locator(f'.task-card[data-task="{pk}"]')
    expect(page.locator(f'[data-column="no_deadline"] [data-task="{pk}"]')).to_be_visible()

    with page.expect_response(lambda response: f"/tasks/deadlines/{pk}/move/" in response.url) as moved:
        card.drag_to(page.locator('[data-column="today"] .kanban-cards'))
    assert moved.value.ok
    expect(page.locator(f'[data-column="today"] [data-task="{pk}"]')).to_be_visible()

    def deadline():
        anna = User.objects.get(username="anna")
        return Task.objects.get(pk=pk).deadline, anna.time_zone

    saved, zone = elsewhere(deadline)
    assert saved is not None
    local_now = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(zone))
    assert timezone.localtime(saved, zoneinfo.ZoneInfo(zone)).date() == local_now.date()
    assert saved > timezone.now()

    page.reload()
    expect(page.locator(f'[data-column="today"] [data-task="{pk}"]')).to_be_visible()
    expect(page.locator('[data-column="no_deadline"] [data-task]')).to_have_count(0)


def test_the_list_plan_and_calendar_open_without_errors(page, sign_in):
    from kontora.accounts.models import User
    from kontora.tasks.services.tasks import create_task

    def given() -> int:
        anna = User.objects.get(username="anna")
        return create_task(by=anna, title="Сдать отчёт", deadline=timezone.now() + timedelta(hours=2)).pk

    pk = elsewhere(given)
    sign_in("anna")
    page.goto("/tasks/")
    expect(page.locator(f'tr[data-task="{pk}"]')).to_be_visible()
    page.goto("/tasks/plan/")
    expect(page.locator(f'.plan-board [data-task="{pk}"]')).to_be_visible()
    page.goto("/tasks/calendar/")
    expect(page.locator(".fc-event", has_text="Сдать отчёт")).to_be_visible()
