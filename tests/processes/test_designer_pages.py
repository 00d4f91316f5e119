"""Administrators list, import, export, install, switch, delete and draw process templates; nobody else may."""

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree

from kontora.accounts.services import update_user
from kontora.automation.processes import builtin, elements, services
from kontora.automation.processes.models import ProcessInstance, ProcessTemplate
from kontora.automation.processes.views.designer import NEW_DIAGRAM
from tests.factories import make_deal, make_list, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}
BPMN = elements.BPMN
SPIFF = elements.SPIFF


@pytest.fixture
def as_user(client, org):
    def login(user, language="en"):
        update_user(user, by=org.admin, language=language)
        client.force_login(user)
        return client

    return login


@pytest.fixture
def accountant(org):
    return make_user("pavel", department=org.sales, preset="employee")


def _invoice(org, capture, accountant) -> ProcessTemplate:
    with capture(execute=True):
        builtin.install(by=org.admin, accountant=accountant.username)
    return ProcessTemplate.objects.get(code="invoice_approval")


def _two_steps(head_props: dict, accountant_props: dict) -> str:
    """Start → two user tasks → end, with the given spiffworkflow properties: what the designer's script writes."""

    def task(node_id, name, props):
        rows = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in props.items())
        return (
            f'<bpmn:userTask id="{node_id}" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>{rows}'
            f"</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
        )

    return (
        f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:spiffworkflow="{SPIFF}" '
        'id="d" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="two_steps" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        + task("head", "Head approves", head_props)
        + task("acc", "Accountant approves", accountant_props)
        + '<bpmn:endEvent id="end"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="head"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="head" targetRef="acc"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="acc" targetRef="end"/></bpmn:process></bpmn:definitions>'
    )


def _applied(response) -> dict:
    match = re.search(r'<script id="element-apply" type="application/json">(.*?)</script>', response.content.decode())
    assert match, response.content.decode()
    return json.loads(match.group(1))


def _field_errors(response, name: str) -> str:
    """The text of the form field block named `name` (where its errors are shown)."""
    page = response.content.decode()
    start = page.index(f'data-field="{name}"')
    return page[start : page.index("</div>", start)]


# Who may


def test_every_page_is_for_administrators_only(as_user, org, accountant, django_capture_on_commit_callbacks):
    template = _invoice(org, django_capture_on_commit_callbacks, accountant)
    pages = [
        ("get", reverse("automation:process_templates"), {}),
        ("get", reverse("automation:process_new"), {}),
        ("get", reverse("automation:process_designer", args=[template.pk]), {}),
        ("get", reverse("automation:process_export", args=[template.pk]), {}),
        ("get", reverse("automation:process_element") + "?element_id=x&element_type=bpmn:Task", {}),
        ("post", reverse("automation:process_switch", args=[template.pk]), {"active": "0"}),
        ("post", reverse("automation:process_delete", args=[template.pk]), {}),
        ("post", reverse("automation:process_install", args=[]), {"accountant": "pavel", "hr": "pavel"}),
        ("post", reverse("automation:process_new"), {"name": "Тайный", "document_type": "deal", "bpmn": NEW_DIAGRAM}),
    ]
    for person in (org.sales_head, org.sales_rep, accountant, org.reader):
        client = as_user(person)
        for method, url, data in pages:
            assert getattr(client, method)(url, data).status_code == 403, (person, url)

    template.refresh_from_db()
    assert template.active and ProcessTemplate.objects.count() == len(builtin.TEMPLATES)
    admin_page = as_user(org.admin).get(reverse("automation:process_templates"))
    assert admin_page.status_code == 200
    assert 'data-menu="automation_processes"' in admin_page.content.decode()
    rep_home = as_user(org.sales_rep).get("/")
    assert 'data-menu="automation_processes"' not in rep_home.content.decode()


# The list


def test_the_list_shows_each_template_with_its_document_version_and_running_count(
    as_user, org, accountant, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    template = _invoice(org, capture, accountant)
    for amount in ("1000", "900000"):
        with capture(execute=True):
            services.start(template, make_deal(by=org.sales_rep, amount=Decimal(amount)), by=org.sales_rep)
    finished = ProcessInstance.objects.filter(template=template).first()
    finished.status = ProcessInstance.Status.COMPLETED
    finished.save(update_fields=["status"])

    page = as_user(org.admin).get(reverse("automation:process_templates")).content.decode()

    running = ProcessInstance.objects.filter(template=template, status="running").count()
    assert running == 1
    row = page[page.index(f'data-template="{template.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Согласование счёта" in row and "Deal" in row  # installed in the installation's language
    assert re.search(r"data-running>\s*1\s*<", row)
    assert reverse("automation:process_export", args=[template.pk]) in row
    assert reverse("automation:process_designer", args=[template.pk]) in row
    vacation = ProcessTemplate.objects.get(code="vacation_request")
    make_list("vacation", name="Заявления на отпуск")
    page = as_user(org.admin).get(reverse("automation:process_templates")).content.decode()
    vacation_row = page[page.index(f'data-template="{vacation.pk}"') :]
    vacation_row = vacation_row[: vacation_row.index("</tr>")]
    assert ": Заявления на отпуск</td>" in vacation_row  # the list's name, not its code


def test_switching_a_template_off_and_on(as_user, org, accountant, django_capture_on_commit_callbacks):
    template = _invoice(org, django_capture_on_commit_callbacks, accountant)
    client = as_user(org.admin)

    assert client.post(reverse("automation:process_switch", args=[template.pk]), {}, **HTMX).status_code == 204
    template.refresh_from_db()
    assert not template.active
    client.post(reverse("automation:process_switch", args=[template.pk]), {"active": "1"}, **HTMX)
    template.refresh_from_db()
    assert template.active and template.version == 1


def test_a_template_with_instances_is_not_deleted_one_without_is(
    as_user, org, accountant, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    template = _invoice(org, capture, accountant)
    with capture(execute=True):
        services.start(template, make_deal(by=org.sales_rep), by=org.sales_rep)
    unused = ProcessTemplate.objects.get(code="cash_request")
    client = as_user(org.admin)

    refused = client.post(reverse("automation:process_delete", args=[template.pk]), follow=True)
    client.post(reverse("automation:process_delete", args=[unused.pk]))

    assert ProcessTemplate.objects.filter(pk=template.pk).exists()
    assert "switch it off instead" in refused.content.decode()
    assert not ProcessTemplate.objects.filter(pk=unused.pk).exists()


def test_installing_the_built_in_templates_asks_for_the_accountant_and_hr(as_user, org, accountant):
    hr = make_user("maria", department=org.board, preset="employee")
    client = as_user(org.admin)

    response = client.post(reverse("automation:process_install"), {"accountant": "pavel", "hr": "maria"})

    assert response.status_code == 302
    assert set(ProcessTemplate.objects.values_list("code", flat=True)) == {code for code, *_ in builtin.TEMPLATES}
    invoice = ProcessTemplate.objects.get(code="invoice_approval")
    assert invoice.elements["approve_accountant"]["assignee"] == f"users:{accountant.username}"
    vacation = ProcessTemplate.objects.get(code="vacation_request")
    assert any(task["assignee"] == f"users:{hr.username}" for task in vacation.elements.values())
    again = client.post(reverse("automation:process_install"), {"accountant": "pavel", "hr": "maria"}, follow=True)
    assert ProcessTemplate.objects.count() == len(builtin.TEMPLATES)
    assert "installed already" in again.content.decode()
    unknown = client.post(reverse("automation:process_install"), {"accountant": "nobody-here", "hr": "maria"})
    assert unknown.status_code == 400


# Import and export


def test_importing_a_bpmn_file_creates_the_template_and_opens_the_designer(as_user, org):
    text = builtin.diagram("invoice_approval", accountant="pavel", hr="maria")
    upload = SimpleUploadedFile("invoice.bpmn", text.encode(), content_type="application/xml")

    response = as_user(org.admin).post(
        reverse("automation:process_import"), {"file": upload, "document_type": "deal", "list_code": ""}
    )

    template = ProcessTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("automation:process_designer", args=[template.pk])
    assert template.name == "Согласование счёта" and template.document_type == "deal"
    assert template.process_id == "invoice_approval" and template.created_by == org.admin
    assert template.elements == elements.read(text).elements
    assert template.elements["approve_accountant"]["assignee"] == "users:pavel"


def test_a_file_that_is_not_bpmn_is_refused_beside_the_field(as_user, org):
    client = as_user(org.admin)
    upload = SimpleUploadedFile("notes.bpmn", b"just some notes, not xml", content_type="application/xml")

    response = client.post(reverse("automation:process_import"), {"file": upload, "document_type": "deal"})

    assert response.status_code == 400
    assert not ProcessTemplate.objects.exists()
    assert "not a BPMN 2.0 diagram" in _field_errors(response, "file")


def test_a_bpmn_without_an_executable_process_or_with_a_bad_condition_is_refused(as_user, org):
    client = as_user(org.admin)
    lazy = NEW_DIAGRAM.replace('isExecutable="true"', 'isExecutable="false"')
    bad = builtin.diagram("invoice_approval", accountant="p", hr="m").replace(
        "document.OPPORTUNITY &gt; 500000", "document.OPPORTUNITY &gt;&gt; &gt; 5"
    )
    for text, message in ((lazy, "no executable process"), (bad, "is not a valid expression")):
        upload = SimpleUploadedFile("x.bpmn", text.encode(), content_type="application/xml")
        response = client.post(reverse("automation:process_import"), {"file": upload, "document_type": "deal"})
        assert response.status_code == 400
        assert message in _field_errors(response, "file")
    assert not ProcessTemplate.objects.exists()


def test_a_list_process_needs_its_list(as_user, org):
    make_list("vacation", name="Отпуска")
    text = builtin.diagram("vacation_request", accountant="p", hr="m")
    client = as_user(org.admin)

    missing = client.post(
        reverse("automation:process_import"),
        {"file": SimpleUploadedFile("v.bpmn", text.encode()), "document_type": "list", "list_code": ""},
    )
    done = client.post(
        reverse("automation:process_import"),
        {"file": SimpleUploadedFile("v.bpmn", text.encode()), "document_type": "list", "list_code": "vacation"},
    )

    assert missing.status_code == 400 and "universal list" in _field_errors(missing, "list_code")
    assert done.status_code == 302
    assert ProcessTemplate.objects.get().list_code == "vacation"


def test_an_exported_diagram_imports_again_to_the_same_elements(
    as_user, org, accountant, django_capture_on_commit_callbacks
):
    template = _invoice(org, django_capture_on_commit_callbacks, accountant)
    client = as_user(org.admin)

    exported = client.get(reverse("automation:process_export", args=[template.pk]))
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == 'attachment; filename="invoice_approval.bpmn"'
    upload = SimpleUploadedFile("invoice_approval.bpmn", exported.content, content_type="application/xml")
    client.post(reverse("automation:process_import"), {"file": upload, "document_type": "deal"})

    copy = ProcessTemplate.objects.exclude(pk=template.pk).get(process_id="invoice_approval")
    assert copy.code != template.code
    assert copy.bpmn == template.bpmn
    assert copy.elements == template.elements
    assert copy.elements["approve_accountant"]["assignee"] == f"users:{accountant.username}"


# The designer


def test_the_designer_page_carries_the_diagram_and_the_modeler(
    as_user, org, accountant, django_capture_on_commit_callbacks
):
    template = _invoice(org, django_capture_on_commit_callbacks, accountant)

    page = as_user(org.admin).get(reverse("automation:process_designer", args=[template.pk])).content.decode()
    new = as_user(org.admin).get(reverse("automation:process_new")).content.decode()

    diagram = re.search(r'<script id="designer-bpmn" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(diagram) == template.bpmn
    for asset in (
        "vendor/bpmn-modeler.min.js", "vendor/bpmn-js/diagram-js.css", "vendor/bpmn-js/bpmn-js.css",
        "vendor/bpmn-js/bpmn-font/css/bpmn-embedded.css", "processes/designer.js",
    ):  # fmt: skip
        assert asset in page and asset in new
    assert 'value="Согласование счёта"' in page
    assert 'id="designer-canvas"' in new and "StartEvent_1" in new


def test_saving_a_new_process_from_the_designer_with_edited_steps(as_user, org, accountant):
    client = as_user(org.admin)
    url = reverse("automation:process_element")
    make_list("purchases", name="Закупки")
    # the side form of each user task, as the designer's script posts it after the administrator filled it in
    head = client.post(url, {
        "element_id": "head", "element_type": "bpmn:UserTask", "name": "Head approves", "task_kind": "approve",
        "assignee_rule": "head", "voting": "any", "deadline": "p2d", "task_fields": "", "description": "Проверьте",
    })  # fmt: skip
    acc = client.post(url, {
        "element_id": "acc", "element_type": "bpmn:UserTask", "name": "Accountant approves", "task_kind": "fill",
        "assignee_rule": "users", "assignee_users": ["pavel", "oleg"], "voting": "all", "deadline": "",
        "task_fields": "sum:number, paid : bool",
    })  # fmt: skip
    head_props, acc_props = _applied(head)["properties"], _applied(acc)["properties"]
    assert _applied(head)["documentation"] == "Проверьте"

    response = client.post(reverse("automation:process_new"), {
        "name": "Закупка", "description": "Две подписи", "document_type": "list", "list_code": "purchases",
        "start_manually": "on", "start_on_create": "on", "active": "on", "bpmn": _two_steps(head_props, acc_props),
        "param_code": ["amount", "", "reason"], "param_name": ["Сумма", "", "Причина"],
        "param_type": ["number", "text", "text"], "param_required": ["1", "0", "0"],
    })  # fmt: skip

    assert response.status_code == 302, response.context["form"].errors
    template = ProcessTemplate.objects.get()
    assert response["Location"] == reverse("automation:process_designer", args=[template.pk])
    assert (template.name, template.document_type, template.list_code) == ("Закупка", "list", "purchases")
    assert template.start_manually and template.start_on_create and not template.start_on_change and template.active
    assert template.parameters == [
        {"code": "amount", "name": "Сумма", "type": "number", "required": True},
        {"code": "reason", "name": "Причина", "type": "text", "required": False},
    ]
    assert template.elements["head"] == {
        "name": "Head approves", "kind": "approve", "assignee": "head", "voting": "any", "deadline": "P2D",
        "fields": [], "description": "",
    }  # fmt: skip
    assert template.elements["acc"]["assignee"] == "users:pavel,oleg"
    assert template.elements["acc"]["kind"] == "fill" and template.elements["acc"]["voting"] == "all"
    assert template.elements["acc"]["fields"] == [{"code": "sum", "type": "number"}, {"code": "paid", "type": "bool"}]


def test_saving_the_designer_updates_the_template_and_counts_a_new_version(
    as_user, org, accountant, django_capture_on_commit_callbacks
):
    template = _invoice(org, django_capture_on_commit_callbacks, accountant)
    changed = template.bpmn.replace('value="users:pavel"', 'value="users:oleg"')
    data = {"name": "Счета", "document_type": "deal", "active": "on", "bpmn": changed}

    response = as_user(org.admin).post(reverse("automation:process_designer", args=[template.pk]), data)

    template.refresh_from_db()
    assert response.status_code == 302
    assert template.version == 2 and template.name == "Счета"
    assert template.elements["approve_accountant"]["assignee"] == "users:oleg"
    assert not template.start_manually


def test_a_diagram_the_engine_refuses_is_shown_with_its_error_and_kept(as_user, org):
    broken = _two_steps({"assignee": "cousin"}, {})

    response = as_user(org.admin).post(
        reverse("automation:process_new"), {"name": "Плохой", "document_type": "deal", "bpmn": broken}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert not ProcessTemplate.objects.exists()
    assert "unknown assignee rule “cousin”" in page and "data-bpmn-error" in page
    kept = re.search(r'<script id="designer-bpmn" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(kept) == broken


# The side form of an element


def test_a_user_task_form_shows_the_diagram_settings_and_refuses_bad_values(as_user, org, accountant):
    client = as_user(org.admin)
    url = reverse("automation:process_element")

    shown = client.get(url, {
        "element_id": "acc", "element_type": "bpmn:UserTask", "name": "Бухгалтер", "prop_assignee": "users:pavel",
        "prop_voting": "majority", "prop_deadline": "P3D", "description": "Проверить счёт",
    }).content.decode()  # fmt: skip
    bad = client.post(url, {
        "element_id": "acc", "element_type": "bpmn:UserTask", "name": "x", "task_kind": "fill",
        "assignee_rule": "users", "voting": "any", "deadline": "two days", "task_fields": "1sum:money",
    })  # fmt: skip

    assert re.search(r'<option value="pavel"[^>]*selected', shown)
    assert re.search(r'<option value="majority"[^>]*selected', shown)
    assert 'value="P3D"' in shown and "Проверить счёт" in shown and 'value="Бухгалтер"' in shown
    assert "element-apply" not in bad.content.decode()
    assert "ISO 8601 duration" in _field_errors(bad, "deadline")
    assert "code:type" in _field_errors(bad, "task_fields")
    assert "at least one employee" in _field_errors(bad, "assignee_users")


def test_a_service_task_quotes_texts_and_keeps_expressions(as_user, org):
    client = as_user(org.admin)
    url = reverse("automation:process_element")

    shown = client.get(url, {
        "element_id": "tell", "element_type": "bpmn:ServiceTask", "operator": "notify_users",
        "param.users": '"starter"', "param.text": 'document.TITLE + " approved"',
    }).content.decode()  # fmt: skip
    refreshed = client.post(url, {
        "element_id": "tell", "element_type": "bpmn:ServiceTask", "operator": "create_task", "refresh": "1",
        "param_users": "starter", "param_title": "Позвонить",
    }).content.decode()  # fmt: skip
    applied = _applied(client.post(url, {
        "element_id": "tell", "element_type": "bpmn:ServiceTask", "name": "Сообщить", "operator": "notify_users",
        "param_users": "starter", "param_text": 'Счёт "одобрен"', "expr_text": "",
    }))  # fmt: skip
    expression = _applied(client.post(url, {
        "element_id": "tell", "element_type": "bpmn:ServiceTask", "operator": "notify_users",
        "param_users": "", "param_text": "document.TITLE", "expr_text": "on",
    }))  # fmt: skip
    wrong = client.post(url, {
        "element_id": "tell", "element_type": "bpmn:ServiceTask", "operator": "notify_users",
        "param_text": "document.TITLE +", "expr_text": "on",
    })  # fmt: skip

    assert re.search(r'name="param_users"[^>]*value="starter"', shown)
    assert re.search(r'name="expr_text"[^>]*checked', shown) and not re.search(r'name="expr_users"[^>]*checked', shown)
    assert (
        'name="param_title"' in refreshed and 'value="Позвонить"' in refreshed and 'name="param_users"' not in refreshed
    )
    assert applied["operator"] == "notify_users" and applied["name"] == "Сообщить"
    assert applied["parameters"] == [
        {"id": "users", "value": '"starter"'},
        {"id": "text", "value": '"Счёт \\"одобрен\\""'},
    ]
    assert expression["parameters"] == [{"id": "text", "value": "document.TITLE"}]
    assert "not a valid expression" in _field_errors(wrong, "param_text")


def test_a_gateway_flow_takes_a_checked_condition_or_is_the_default(as_user, org):
    client = as_user(org.admin)
    url = reverse("automation:process_element")
    flow = {"element_id": "f2", "element_type": "bpmn:SequenceFlow", "source_type": "bpmn:ExclusiveGateway"}

    good = _applied(client.post(url, {**flow, "condition": "document.OPPORTUNITY > 500000"}))
    default = _applied(client.post(url, {**flow, "condition": "ignored", "is_default": "on"}))
    bad = client.post(url, {**flow, "condition": "amount >> > 1"})
    timer = _applied(client.post(url, {"element_id": "t", "element_type": "bpmn:IntermediateCatchEvent",
                                       "timer_type": "duration", "timer_value": "P2D"}))  # fmt: skip
    bad_timer = client.post(url, {"element_id": "t", "element_type": "bpmn:IntermediateCatchEvent",
                                  "timer_type": "date", "timer_value": "next week"})  # fmt: skip
    plain = client.get(url, {"element_id": "f9", "element_type": "bpmn:SequenceFlow", "source_type": "bpmn:Task"})

    assert (good["condition"], good["default"]) == ("document.OPPORTUNITY > 500000", False)
    assert (default["condition"], default["default"]) == ("", True)
    assert "not a valid expression" in _field_errors(bad, "condition")
    assert timer["timer"] == {"type": "duration", "value": "P2D"}
    assert "ISO 8601" in _field_errors(bad_timer, "timer_value")
    assert 'name="condition"' not in plain.content.decode() and 'name="name"' in plain.content.decode()


def test_the_applied_form_writes_what_the_engine_reads(as_user, org):
    """What a user task's applied form gives, written as the script writes it, reads back the same in the engine."""
    client = as_user(org.admin)
    applied = _applied(client.post(reverse("automation:process_element"), {
        "element_id": "head", "element_type": "bpmn:ManualTask", "name": "Ознакомиться", "task_kind": "acknowledge",
        "assignee_rule": "head_of_head", "voting": "majority", "deadline": "PT4H", "task_fields": "",
    }))  # fmt: skip

    text = _two_steps(applied["properties"], {"assignee": "starter"})
    read = elements.read(text).elements["head"]
    root = etree.fromstring(text.encode())

    assert root.find(f".//{{{BPMN}}}userTask[@id='head']") is not None
    assert (read["kind"], read["assignee"], read["voting"], read["deadline"]) == (
        "acknowledge", "head_of_head", "majority", "PT4H",
    )  # fmt: skip
