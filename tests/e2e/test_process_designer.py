"""Sergey draws a two-step approval in the process designer and sets each step in the side form; Anna starts it on
her deal, Oleg (her head) and then Pavel (the accountant) approve it from their inboxes, and the process completes."""

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.e2e.conftest import console_errors, elsewhere, login
from tests.support.processes import wait_for

DRAW = """() => {
  const modeler = window.kontoraModeler;
  const modeling = modeler.get("modeling");
  const factory = modeler.get("elementFactory");
  const registry = modeler.get("elementRegistry");
  const root = modeler.get("canvas").getRootElement();
  const start = registry.filter((e) => e.type === "bpmn:StartEvent")[0];
  const head = modeling.createShape(factory.createShape({ type: "bpmn:UserTask" }), { x: 320, y: 120 }, root);
  const accountant = modeling.createShape(factory.createShape({ type: "bpmn:UserTask" }), { x: 500, y: 120 }, root);
  const end = modeling.createShape(factory.createShape({ type: "bpmn:EndEvent" }), { x: 660, y: 120 }, root);
  modeling.connect(start, head);
  modeling.connect(head, accountant);
  modeling.connect(accountant, end);
  modeler.get("canvas").zoom("fit-viewport");
  return [head.id, accountant.id];
}"""
PROPERTIES = """(id) => {
  const bo = window.kontoraModeler.get("elementRegistry").get(id).businessObject;
  const ext = (bo.extensionElements && bo.extensionElements.values) || [];
  const props = ext.filter((e) => e.$type === "spiffworkflow:Properties")[0];
  return Object.fromEntries(((props && props.properties) || []).map((p) => [p.name, p.value]));
}"""

SELECT = """(id) => {
  const modeler = window.kontoraModeler;
  modeler.get("selection").select(modeler.get("elementRegistry").get(id));
}"""

ROUND_TRIP = """async () => {
  const moddle = window.kontoraModeler.get("moddle");
  const xml = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    + 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">'
    + '<bpmn:process id="p"><bpmn:task id="t"><bpmn:extensionElements>'
    + '<spiffworkflow:preScript>a = 1</spiffworkflow:preScript></bpmn:extensionElements></bpmn:task>'
    + '</bpmn:process></bpmn:definitions>';
  const { rootElement, warnings } = await moddle.fromXML(xml);
  const written = await moddle.toXML(rootElement);
  return [warnings.length, written.xml];
}"""


def _set_up_step(page: Page, element: str, name: str) -> None:
    """Click the step on the canvas; its side form comes from the server."""
    page.locator(f'.djs-element[data-element-id="{element}"] .djs-hit').first.click()
    form = page.locator(f'#element-panel form[data-element="{element}"]')
    expect(form).to_be_visible()
    form.locator("input[name=name]").fill(name)


def _apply(page: Page, element: str) -> None:
    page.locator(f'#element-panel form[data-element="{element}"] [data-action=apply-element]').click()
    expect(page.locator("#element-panel [data-applied]")).to_be_visible()


def _approve_in_inbox(browser, live_kontora, demo_company, login_name: str, title: str, errors: list[str]) -> None:
    context = browser.new_context(base_url=live_kontora, locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    person = context.new_page()
    person.on("pageerror", lambda error: errors.append(f"{person.url}: {error}"))
    person.on("console", lambda message: errors.extend(console_errors(person, message)))
    login(person, live_kontora, login_name, demo_company[login_name])
    person.goto("/automation/processes/approvals/")
    row = person.locator("table.processes-inbox tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(title)
    row.locator("a").first.click()
    person.wait_for_url("**/automation/processes/approvals/*/")
    person.locator('#decision button[value="approve"]').click()
    expect(person.locator('[data-status="approved"]')).to_be_visible()
    context.close()


def test_an_administrator_draws_a_two_step_approval_and_people_approve_it(
    page, sign_in, browser, live_kontora, demo_company
):
    from kontora.accounts.models import User
    from kontora.automation.processes.models import Approval, ProcessInstance, ProcessTemplate
    from kontora.crm import services

    # given Sergey, the administrator, in a new process's designer
    sign_in("sergey")
    page.goto("/automation/processes/new/")
    expect(page.locator('#designer-canvas .djs-element[data-element-id="StartEvent_1"]')).to_be_visible()
    expect(page.locator("#designer-canvas .bjs-powered-by")).to_be_visible()

    # when he draws start → "Head approves" → "Accountant approves" → end
    head, accountant = page.evaluate(DRAW)

    # and sets each step in the side form: the starter's head, then Pavel
    _set_up_step(page, head, "Head approves")
    page.select_option("#element-panel select[name=assignee_rule]", "head")
    page.fill("#element-panel input[name=deadline]", "")
    page.locator("#element-panel [data-deadline=P2D]").click()
    _apply(page, head)
    _set_up_step(page, accountant, "Accountant approves")
    page.select_option("#element-panel select[name=assignee_rule]", "users")
    page.select_option("#element-panel select[name=assignee_users]", ["pavel"])
    _apply(page, accountant)
    assert page.evaluate(PROPERTIES, head) == {
        "kind": "approve",
        "assignee": "head",
        "voting": "any",
        "deadline": "P2D",
    }
    assert page.evaluate(PROPERTIES, accountant)["assignee"] == "users:pavel"
    expect(page.locator(f'.djs-element[data-element-id="{head}"]')).to_contain_text("Head approves")

    # and names the process, runs it on deals and saves
    page.fill("#template-form input[name=name]", "Две подписи")
    page.select_option("#template-form select[name=document_type]", "deal")
    page.locator("[data-action=save-process]").click()
    page.wait_for_url(re.compile(r"/automation/processes/\d+/designer/$"))

    # then the template holds both steps with their settings, and the designer shows it again
    def saved():
        template = ProcessTemplate.objects.get(name="Две подписи")
        return template.pk, template.document_type, template.created_by.username, template.elements

    template, document_type, author, steps = elsewhere(saved)
    assert (document_type, author) == ("deal", "sergey")
    assert steps[head]["name"] == "Head approves" and steps[head]["assignee"] == "head"
    assert steps[head]["deadline"] == "P2D" and steps[head]["kind"] == "approve"
    assert steps[accountant]["name"] == "Accountant approves" and steps[accountant]["assignee"] == "users:pavel"
    expect(page.locator(f'.djs-element[data-element-id="{accountant}"]')).to_contain_text("Accountant approves")

    # when Anna starts it on her deal
    def deal():
        anna = User.objects.get(username="anna")
        return services.create_deal(by=anna, title="Сервер для Вектора", amount=Decimal("90000")).pk

    deal_pk = elsewhere(deal)
    page.context.clear_cookies()
    sign_in("anna")
    page.goto(f"/automation/processes/start/{template}/deal/{deal_pk}/")
    page.locator("#process-start-form button[type=submit]").click()
    page.wait_for_url("**/automation/processes/instances/*/")
    instance = elsewhere(lambda: ProcessInstance.objects.get(template_id=template, document_id=deal_pk).pk)

    # then Oleg, her head, approves from his inbox, and after him Pavel from his
    errors: list[str] = []
    for login_name, element in (("oleg", head), ("pavel", accountant)):
        waiting = Approval.objects.filter(instance_id=instance, element=element, status="pending")
        wait_for(lambda waiting=waiting: elsewhere(waiting.exists), timeout=60)
        _approve_in_inbox(browser, live_kontora, demo_company, login_name, "Сервер для Вектора", errors)

    # and the process completes
    wait_for(lambda: elsewhere(lambda: ProcessInstance.objects.get(pk=instance).status == "completed"), timeout=60)
    decided = elsewhere(
        lambda: list(Approval.objects.filter(instance_id=instance).values_list("assignee__username", "status"))
    )
    assert sorted(decided) == [("oleg", "approved"), ("pavel", "approved")]
    assert not errors, "errors in the approvers' browsers:\n" + "\n".join(errors)


def test_a_built_in_diagram_opens_with_its_settings_and_keeps_them_when_edited(page, sign_in):
    from kontora.accounts.models import User
    from kontora.automation.processes import builtin, services
    from kontora.automation.processes.models import ProcessTemplate

    def given():
        sergey = User.objects.get(username="sergey")
        builtin.install(by=sergey, accountant="pavel", hr="maria")
        bare = builtin.diagram("cash_request", accountant="pavel", hr="maria")
        bare = bare[: bare.index("<bpmndi:BPMNDiagram")] + "</bpmn:definitions>"
        drawn_elsewhere = services.create_template(by=sergey, bpmn=bare, document_type="deal", name="Без разметки")
        return ProcessTemplate.objects.get(code="invoice_approval").pk, drawn_elsewhere.pk

    invoice, bare = elsewhere(given)
    sign_in("sergey")

    # SpiffWorkflow's script elements, which the designer does not edit, survive a round trip through it
    page.goto("/automation/processes/new/")
    expect(page.locator('#designer-canvas .djs-element[data-element-id="StartEvent_1"]')).to_be_visible()
    warnings, written = page.evaluate(ROUND_TRIP)
    assert warnings == 0 and "<spiffworkflow:preScript>a = 1</spiffworkflow:preScript>" in written

    # a diagram drawn without layout cannot be shown: the page says so, the settings still save
    page.goto(f"/automation/processes/{bare}/designer/")
    expect(page.locator("#diagram-error")).to_be_visible()
    page.fill("#template-form input[name=name]", "Без разметки, переименован")
    page.locator("[data-action=save-process]").click()
    page.wait_for_url(re.compile(rf"/automation/processes/{bare}/designer/$"))
    assert elsewhere(lambda: ProcessTemplate.objects.get(pk=bare).name) == "Без разметки, переименован"

    # the built-in invoice approval shows each element's settings as the diagram has them
    page.goto(f"/automation/processes/{invoice}/designer/")
    page.locator('.djs-element[data-element-id="approve_accountant"] .djs-hit').first.click()
    form = page.locator('#element-panel form[data-element="approve_accountant"]')
    expect(form.locator("select[name=assignee_rule]")).to_have_value("users")
    expect(form.locator("select[name=assignee_users] option[value=pavel]")).to_have_attribute("selected", "")
    expect(form.locator("input[name=deadline]")).to_have_value("P2D")

    # he changes the text the approved requester is told, as plain text
    page.locator('.djs-element[data-element-id="tell_ok"] .djs-hit').first.click()
    form = page.locator('#element-panel form[data-element="tell_ok"]')
    expect(form.locator("select[name=operator]")).to_have_value("notify_users")
    expect(form.locator("input[name=param_text]")).to_have_value("Счёт согласован")  # the built-in message, in Russian
    form.locator("input[name=param_text]").fill("Счёт одобрен, можно отправлять")
    _apply(page, "tell_ok")

    # and raises the threshold on the gateway's flow
    page.evaluate(SELECT, "Flow_2")  # a flow's line is too thin to click reliably
    form = page.locator('#element-panel form[data-element="Flow_2"]')
    expect(form.locator("textarea[name=condition]")).to_have_value("document.OPPORTUNITY > 500000")
    form.locator("textarea[name=condition]").fill("document.OPPORTUNITY > 700000")
    _apply(page, "Flow_2")
    page.locator("[data-action=save-process]").click()
    page.wait_for_url(re.compile(rf"/automation/processes/{invoice}/designer/$"))

    # then the saved diagram carries both changes and every step's settings as before
    def saved():
        template = ProcessTemplate.objects.get(pk=invoice)
        return template.version, template.bpmn, template.elements

    version, bpmn, steps = elsewhere(saved)
    assert version == 2
    assert "document.OPPORTUNITY &gt; 700000" in bpmn
    assert 'value="&#34;Счёт одобрен, можно отправлять&#34;"' in bpmn or "&quot;Счёт одобрен" in bpmn
    assert "<spiffworkflow:serviceTaskOperator" in bpmn and "<spiffworkflow:parameter " in bpmn
    assert steps["approve_accountant"]["assignee"] == "users:pavel"
    assert steps["approve_head"]["deadline"] == "P2D"
