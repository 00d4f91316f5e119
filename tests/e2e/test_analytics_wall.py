"""The plan/fact wall on the sales floor refreshes by itself when someone else wins a deal."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import elsewhere

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_wall_updates_when_another_user_wins_a_deal(page, sign_in):
    from django.utils import timezone

    from kontora.accounts.models import User
    from kontora.analytics import services
    from kontora.analytics.models import Metric, PeriodKind
    from kontora.crm import services as crm
    from kontora.crm.models import Status

    def given():
        people = {user.username: user for user in User.objects.filter(username__in=["oleg", "anna"])}
        plan = services.set_plan(by=people["oleg"], metric=Metric.REVENUE, kind=PeriodKind.MONTH,
                                 day=timezone.localdate(), target=Decimal(100_000), user=people["anna"])  # fmt: skip
        deal = crm.create_deal(by=people["anna"], title="Кластер PostgreSQL", amount=Decimal("45000"))
        return plan.pk, deal.pk

    plan, deal = elsewhere(given)

    # given Oleg's wall showing Anna's plan with nothing won yet, connected to the live socket
    sign_in("oleg")
    page.goto("/analytics/plans/wall/")
    expect(page.locator("body")).to_have_attribute("data-live", "1")
    line = page.locator(f'#wall-figures [data-plan="{plan}"]')
    expect(line.locator(".wall-fact")).to_have_attribute("data-fact", "0")

    # when Anna wins her deal elsewhere
    def win():
        from kontora.crm.models import Deal

        anna = User.objects.get(username="anna")
        won = Status.objects.get(entity_id="DEAL_STAGE", status_id="WON")
        crm.move_deal(Deal.objects.get(pk=deal), won, by=anna)

    elsewhere(win)

    # then the wall shows the new fact without a reload, and the bar has grown
    expect(line.locator(".wall-fact")).to_have_attribute("data-fact", re.compile(r"^45000(\.00)?$"), timeout=15_000)
    expect(line.locator(".wall-bar span")).to_have_attribute("style", "width: 45%")


def test_a_head_builds_a_report_with_a_chart_and_saves_it(page, sign_in):
    from kontora.accounts.models import User
    from kontora.crm import services as crm

    def given():
        anna = User.objects.get(username="anna")
        for title, amount in (("Аудит", "1000"), ("Миграция", "2500")):
            crm.create_deal(by=anna, title=title, amount=Decimal(amount))

    elsewhere(given)
    sign_in("oleg")
    page.goto("/analytics/reports/new/")
    page.select_option("#builder-form [name=entity]", "lead")
    expect(page.locator("#builder-form [name=d1_field] option[value=STATUS_ID]")).to_have_count(1)
    page.select_option("#builder-form [name=entity]", "deal")
    expect(page.locator("#builder-form [name=d1_field] option[value=STAGE_ID]")).to_have_count(1)
    page.select_option("#builder-form [name=d1_field]", "ASSIGNED_BY_ID")
    page.select_option("#builder-form [name=m2_function]", "sum")
    page.select_option("#builder-form [name=m2_field]", "OPPORTUNITY")
    page.locator("#builder-form button[name=preview]").click()
    expect(page.locator("#builder-preview [data-report-table] tbody tr")).to_have_count(1)
    expect(page.locator("#builder-preview [data-report-table] tbody td").nth(2)).to_have_attribute(
        "data-value", re.compile(r"^3500(\.00)?$")
    )
    expect(page.locator("#builder-preview .builder-chart canvas")).to_have_count(1)

    page.fill("#builder-form [name=name]", "Сделки по менеджерам")
    page.locator("#builder-form button[name=save]").click()
    page.wait_for_url(re.compile(r".*/analytics/reports/\d+/$"))
    expect(page.locator("h1")).to_have_text("Сделки по менеджерам")
    expect(page.locator(".builder-chart canvas")).to_have_count(1)
