"""Instances as people see them: who may see one, its page (diagram data, history, stop), the administrators' list,
and starting a process from a CRM card or a universal-list element, with start parameters."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from kontora.accounts import access
from kontora.accounts import services as accounts
from kontora.accounts.selectors import is_administrator
from kontora.automation.processes import builtin, selectors, services
from kontora.automation.processes.models import Approval, ProcessInstance
from kontora.lists import services as lists
from tests.factories import make_deal, make_list, make_user

APPROVE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{code}" name="Discount" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="approve" name="Approve the discount">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="kind" value="approve" />
        <spiffworkflow:property name="assignee" value="head" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
PARAMETERS = [
    {"code": "reason", "name": "Reason", "type": "text", "required": True},
    {"code": "percent", "name": "Percent", "type": "number", "required": False},
]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def invoice(org, capture):
    make_user("accountant", department=org.sales, preset="employee")
    with capture(execute=True):
        installed = builtin.install(by=org.admin, accountant="accountant")
    return next(template for template in installed if template.code == "invoice_approval")


def _discount(org, document_type="deal", **fields):
    return services.create_template(
        by=org.admin, bpmn=APPROVE_BPMN.replace("{code}", "discount"), document_type=document_type,
        name="Discount", parameters=PARAMETERS, **fields,
    )  # fmt: skip


def _start(template, document, by, capture, **parameters):
    with capture(execute=True):
        instance = services.start(template, document, by=by, parameters=parameters)
    instance.refresh_from_db()
    return instance


def test_who_may_see_an_instance(client, org, invoice, capture):
    deal = make_deal("Мелочь", by=org.sales_rep, amount=Decimal("100"))
    instance = _start(invoice, deal, org.sales_rep, capture)
    approvers = set(Approval.objects.filter(instance=instance).values_list("assignee_id", flat=True))

    for person in org.people():
        expected = (
            is_administrator(person) or person.pk == org.sales_rep.pk or person.pk in approvers
            or access.can(person, "read", deal)
        )  # fmt: skip
        assert selectors.can_see(person, instance) is expected, person.username
        assert selectors.visible_instances(person).filter(pk=instance.pk).exists() is expected, person.username
        client.force_login(person)
        status = client.get(reverse("automation:process_instance", args=[instance.pk])).status_code
        assert status == (200 if expected else 404), person.username
    assert not selectors.can_see(org.marketing_rep, instance)  # the outsider of the story


def test_the_instance_page_shows_where_it_is_what_is_done_and_the_history(client, org, invoice, capture):
    instance = _start(invoice, make_deal("Кластер", by=org.sales_rep, amount=Decimal("800000")), org.sales_rep, capture)
    head = Approval.objects.get(instance=instance, assignee=org.sales_head)
    with capture(execute=True):
        services.decide(head, by=org.sales_head, approved=True, comment="Хорошо")
    instance.refresh_from_db()

    client.force_login(org.sales_rep)
    response = client.get(reverse("automation:process_instance", args=[instance.pk]))
    page = response.content.decode()

    diagram = response.context["diagram"]
    assert diagram["current"] == ["approve_accountant"] == instance.current
    assert "approve_head" in diagram["passed"] and "approve_accountant" not in diagram["passed"]
    assert {"start", "gw_amount", "split"} <= set(diagram["passed"])  # events and gateways it went through
    assert not {"join", "gw_result"} & set(diagram["passed"])
    assert 'id="process-diagram-data"' in page and json.loads(
        page.split('id="process-diagram-data" type="application/json">')[1].split("</script>")[0]
    )["xml"].startswith("<?xml")
    assert "vendor/bpmn-viewer.min.js" in page and "processes/instance.js" in page
    assert "Хорошо" in page and 'data-status="running"' in page
    assert 'name="action" value="stop"' not in page  # only administrators stop
    assert 'id="newer-version"' not in page

    revised = invoice.bpmn.replace("</bpmn:definitions>", "<!-- revised -->\n</bpmn:definitions>")
    services.update_template(invoice, by=org.admin, bpmn=revised)
    page = client.get(reverse("automation:process_instance", args=[instance.pk])).content.decode()
    assert 'id="newer-version"' in page


def test_an_administrator_stops_a_running_instance(client, org, invoice, capture):
    instance = _start(invoice, make_deal(by=org.sales_rep, amount=Decimal("100")), org.sales_rep, capture)
    url = reverse("automation:process_instance", args=[instance.pk])

    client.force_login(org.sales_rep)
    assert client.post(url, {"action": "stop"}).status_code == 403
    instance.refresh_from_db()
    assert instance.status == "running"

    client.force_login(org.admin)
    assert 'name="action" value="stop"' in client.get(url).content.decode()
    response = client.post(url, {"action": "stop", "reason": "Ошибка"})

    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.STOPPED
    assert not Approval.objects.filter(instance=instance, status="pending").exists()
    assert instance.history.filter(kind="stopped", text="Ошибка", user=org.admin).exists()
    assert selectors.header_count(org.sales_head) == 0


def test_the_administrators_list_filters_by_template_and_status(client, org, invoice, capture):
    discount = _discount(org)
    running = _start(invoice, make_deal(by=org.sales_rep, amount=Decimal("100")), org.sales_rep, capture)
    other = _start(discount, make_deal(by=org.sales_rep), org.sales_rep, capture, reason="Опт")
    stopped = _start(invoice, make_deal(by=org.sales_rep, amount=Decimal("100")), org.sales_rep, capture)
    services.stop(stopped, by=org.admin)
    url = reverse("automation:process_instances")

    client.force_login(org.sales_rep)
    assert client.get(url).status_code == 403
    client.force_login(org.admin)

    def shown(query: dict) -> set[int]:
        return {instance.pk for instance in client.get(url, query).context["page"]}

    assert shown({}) == {running.pk, other.pk, stopped.pk}
    assert shown({"template": invoice.pk}) == {running.pk, stopped.pk}
    assert shown({"template": invoice.pk, "status": "running"}) == {running.pk}
    assert shown({"status": "stopped"}) == {stopped.pk}


def test_start_from_the_deal_card_with_parameters(client, org, invoice, capture):
    discount = _discount(org)
    deal = make_deal("Опт", by=org.sales_rep)
    accounts.set_language(org.sales_rep, "en")
    client.force_login(org.sales_rep)

    card = client.get(deal.get_absolute_url()).content.decode()
    start_url = reverse("automation:process_start", args=[discount.pk, "deal", deal.pk])
    assert 'data-linked="processes"' in card and start_url in card
    assert reverse("automation:process_start", args=[invoice.pk, "deal", deal.pk]) in card

    form = client.get(start_url).content.decode()
    assert 'name="reason"' in form and 'name="percent"' in form and 'type="number"' in form
    missing = client.post(start_url, {"reason": "", "percent": "5"})
    assert missing.status_code == 200
    assert missing.context["form"].errors["reason"] == ["“Reason” is required to start the process."]
    bad = client.post(start_url, {"reason": "Опт", "percent": "пять"})
    assert bad.context["form"].errors["percent"] == ["Enter a number."]
    assert not ProcessInstance.objects.filter(template=discount).exists()

    with capture(execute=True):
        response = client.post(start_url, {"reason": "Опт", "percent": "7,5"})

    instance = ProcessInstance.objects.get(template=discount)
    assert response.status_code == 302 and response.url == reverse("automation:process_instance", args=[instance.pk])
    assert instance.parameters == {"reason": "Опт", "percent": 7.5}
    assert (instance.document_type, instance.document_id, instance.started_by) == ("deal", deal.pk, org.sales_rep)
    assert Approval.objects.get(instance=instance).assignee == org.sales_head
    card = client.get(deal.get_absolute_url()).content.decode()
    assert reverse("automation:process_instance", args=[instance.pk]) in card


def test_no_start_on_a_document_one_cannot_read_or_a_template_not_started_by_hand(client, org, invoice, capture):
    deal = make_deal(by=org.sales_rep)
    client.force_login(org.marketing_rep)
    assert client.get(reverse("automation:process_start", args=[invoice.pk, "deal", deal.pk])).status_code == 404
    assert client.get(reverse("automation:process_choose", args=["deal", deal.pk])).status_code == 404

    services.update_template(invoice, by=org.admin, start_manually=False)
    client.force_login(org.sales_rep)
    assert client.get(reverse("automation:process_start", args=[invoice.pk, "deal", deal.pk])).status_code == 404
    assert not ProcessInstance.objects.exists()


def test_a_universal_list_element_shows_its_processes_and_start_buttons(client, org, capture):
    lst = make_list("requests", name="Заявки")
    element = lists.add_element(lst, by=org.sales_rep, name="Новый ноутбук")
    template = services.create_template(
        by=org.admin, bpmn=APPROVE_BPMN.replace("{code}", "laptop"), document_type="list", list_code="requests",
        name="Laptop",
    )  # fmt: skip
    client.force_login(org.sales_rep)

    page = client.get(reverse("lists:element", args=["requests", element.pk])).content.decode()
    start_url = reverse("automation:process_start", args=[template.pk, "list", element.pk])
    assert 'id="business-processes"' in page and start_url in page

    with capture(execute=True):
        client.post(start_url)
    instance = ProcessInstance.objects.get(template=template)
    assert instance.document_id == element.pk
    page = client.get(reverse("lists:element", args=["requests", element.pk])).content.decode()
    assert reverse("automation:process_instance", args=[instance.pk]) in page
