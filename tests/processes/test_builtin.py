"""Built-in templates speak the installing language: element names, documentation and the messages they send."""

import pytest
from django.utils import translation
from lxml import etree

from kontora.automation.processes import builtin, elements
from kontora.automation.processes.builtin import HERE, TEMPLATES


def _names(text: str) -> dict[str, str]:
    root = etree.fromstring(text.encode())
    return {node.get("id"): node.get("name") for node in root.iter() if node.get("id") and node.get("name")}


def _scripts(text: str) -> list[str]:
    root = etree.fromstring(text.encode())
    return [node.get("value") for node in root.iter() if (node.get("value") or "").startswith('"')]


@pytest.mark.parametrize("code", [code for code, *_rest in TEMPLATES])
def test_a_russian_installation_gets_russian_diagrams(code):
    with translation.override("ru"):
        text = builtin.diagram(code, accountant="pavel", hr="maria")

    english = _names((HERE / f"{code}.bpmn").read_text(encoding="utf-8"))
    russian = _names(text)
    translated = {key for key, name in english.items() if name in builtin.WORDS}
    assert translated, "every built-in diagram has words to translate"
    assert all(russian[key] != english[key] for key in translated)
    assert not any("&#" in name or "&amp;" in name for name in russian.values())
    assert elements.read(text).elements  # still a valid, runnable diagram


def test_names_with_an_apostrophe_and_quoted_messages_are_translated():
    with translation.override("ru"):
        text = builtin.diagram("vacation_request", accountant="pavel", hr="maria")
    assert _names(text)["approve_head"] == "Согласование руководителя"
    assert '"Отпуск согласован"' in _scripts(text)
    with translation.override("en"):
        text = builtin.diagram("vacation_request", accountant="pavel", hr="maria")
    assert _names(text)["approve_head"] == "Head's approval"
