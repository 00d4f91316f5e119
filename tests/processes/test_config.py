"""Processes as configuration: `processes.yaml` plus one `.bpmn` per template, applied to another installation."""

import pytest

from kontora.automation.processes import builtin
from kontora.automation.processes.models import ProcessTemplate
from kontora.configuration import apply, export
from kontora.configuration.sections import ConfigErrors


def test_processes_export_as_yaml_and_bpmn_and_apply_elsewhere_exactly(org, tmp_path):
    fresh = export.collect()
    builtin.install(by=org.admin, accountant=org.sales_head.username)
    ProcessTemplate.objects.filter(code="cash_request").update(active=False)
    exported = export.export(tmp_path / "configured")
    assert "processes.yaml" in exported and "processes/invoice_approval.bpmn" in exported
    source = export.collect()
    (tmp_path / "fresh").mkdir()
    for name, text in fresh.items():
        (tmp_path / "fresh" / name).write_text(text, encoding="utf-8")
    (tmp_path / "fresh" / "processes.yaml").write_text("processes: []\n", encoding="utf-8")

    apply.apply(apply.load(tmp_path / "fresh"), by=org.admin)
    assert not ProcessTemplate.objects.exists()

    changes = apply.apply(apply.load(tmp_path / "configured"), by=org.admin)

    assert {change.key for change in changes if change.section == "processes"} == {
        code for code, *_rest in builtin.TEMPLATES
    }
    assert export.collect() == source
    invoice = ProcessTemplate.objects.get(code="invoice_approval")
    assert invoice.elements["approve_accountant"]["assignee"] == f"users:{org.sales_head.username}"
    assert not ProcessTemplate.objects.get(code="cash_request").active
    assert apply.plan(apply.load(tmp_path / "configured"), by=org.admin) == []


def test_a_broken_diagram_in_the_folder_changes_nothing(org, tmp_path):
    builtin.install(by=org.admin)
    export.export(tmp_path)
    (tmp_path / "processes" / "vacation_request.bpmn").write_text("<oops", encoding="utf-8")
    ProcessTemplate.objects.filter(code="invoice_approval").update(name="Другое имя")

    with pytest.raises(ConfigErrors) as refused:
        apply.apply(apply.load(tmp_path), by=org.admin)

    assert "processes.yaml" in str(refused.value) and "bpmn" in str(refused.value)
    assert ProcessTemplate.objects.get(code="invoice_approval").name == "Другое имя"
