"""The administrator puts a robot on a stage through the automation screen; a card dragged there makes it run."""

from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.conftest import elsewhere
from tests.support.processes import wait_for


def test_a_robot_added_on_a_stage_runs_when_a_card_is_dragged_there(page, sign_in):
    from kontora.accounts.models import User
    from kontora.automation.models import Robot, RobotRun
    from kontora.crm import services
    from kontora.tasks.models import Task

    def given():
        anna = User.objects.get(username="anna")
        return services.create_deal(by=anna, title="Кластер ClickHouse", amount=Decimal("300000")).pk

    deal = elsewhere(given)
    sign_in("sergey")  # the system administrator of the demo company
    page.set_viewport_size({"width": 2000, "height": 1000})

    page.goto("/crm/deals/kanban/")
    page.locator("[data-robots-link]").click()
    page.wait_for_url("**/automation/deals/0/")
    column = page.locator('.robots-column[data-stage="PREPARATION"]')
    column.locator("[data-add-robot]").click()
    panel = page.locator("#robot-panel")
    expect(panel).to_be_visible()
    with page.expect_response(lambda response: "/automation/robots/add/" in response.url):
        panel.locator("[name=action]").select_option("plan_activity")  # the parameters follow the action
    expect(panel.locator("[name=p_subject]")).to_be_visible()
    with page.expect_response(lambda response: "/automation/robots/add/" in response.url):
        panel.locator("[name=action]").select_option("create_task")
    expect(panel.locator("[name=p_subject]")).to_have_count(0)
    panel.locator("[name=title]").fill("Позвонить клиенту")
    panel.locator("[name=p_title]").fill("Позвонить по сделке {{TITLE}}")
    panel.locator("[name=p_deadline_amount]").fill("2")
    panel.locator("[name=p_deadline_unit]").select_option("hours")
    panel.locator("[name=p_checklist]").fill("Уточнить объём\nНазвать цену")
    panel.locator("[data-rows=condition] [data-add-row]").click()
    panel.locator("[name=condition_field]").select_option("OPPORTUNITY")
    panel.locator("[name=condition_op]").select_option(">=")
    panel.locator("[name=condition_value]").fill("100000")
    panel.locator("button[type=submit]").click()
    expect(panel).to_be_hidden()
    expect(column.locator(".robot-item")).to_contain_text("Позвонить клиенту")
    robot = elsewhere(lambda: Robot.objects.get())
    assert (robot.stage, robot.condition) == ("PREPARATION", {">=OPPORTUNITY": "100000"})

    page.goto("/crm/deals/kanban/")
    page.locator(f'[data-deal="{deal}"]').drag_to(page.locator('[data-stage="PREPARATION"] .kanban-cards'))
    expect(page.locator(f'[data-stage="PREPARATION"] [data-deal="{deal}"]')).to_be_visible()

    # The worker runs the robot: the task appears among the deal's linked records.
    wait_for(lambda: elsewhere(lambda: RobotRun.objects.filter(status="done").exists()), timeout=60)
    page.goto(f"/crm/deals/{deal}/")
    card = page.locator("main")
    expect(card).to_contain_text("Позвонить по сделке Кластер ClickHouse")
    task = elsewhere(
        lambda: Task.objects.filter(crm_links__code=f"D_{deal}").values("pk", "title", "responsible__username").get()
    )
    assert (task["title"], task["responsible__username"]) == ("Позвонить по сделке Кластер ClickHouse", "anna")

    # The robot's panel shows the run: the deal, its status and what it did.
    page.goto("/automation/deals/0/")
    page.locator(".robot-item .robot-name", has_text="Позвонить клиенту").click()
    runs = page.locator("#robot-panel .robot-runs")
    expect(runs.locator(f'a[href="/crm/deals/{deal}/"]')).to_be_visible()
    expect(runs).to_contain_text(str(task["pk"]))
