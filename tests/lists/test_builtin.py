"""The built-in lists, element events for processes, and the demo."""

from datetime import timedelta

from django.utils import timezone

from kontora.accounts import demo as accounts_demo
from kontora.events.models import Event
from kontora.lists import builtin, demo, services
from kontora.lists.models import ListElement, UniversalList


def test_builtin_lists_have_stable_codes_and_are_created_once(db):
    first = builtin.ensure_builtin_lists()
    UniversalList.objects.get(code="cash").fields.get(code="purpose").delete()  # an administrator removed a field

    again = builtin.ensure_builtin_lists()

    assert set(first) == {"vacation", "cash", "outgoing_documents", "business_trip", "dismissal"}
    assert {key: lst.pk for key, lst in again.items()} == {key: lst.pk for key, lst in first.items()}
    assert list(again["vacation"].fields.values_list("code", "type", "required")) == [
        ("start", "date", True), ("end", "date", True), ("kind", "select", True), ("comment", "text", False),
    ]  # fmt: skip
    assert again["cash"].fields.get(code="amount").required
    assert again["cash"].fields.filter(code="purpose").exists()
    assert again["dismissal"].fields.get(code="employee").type == "user"
    assert again["outgoing_documents"].fields.get(code="file").type == "file"


def test_element_events_carry_the_list_and_the_changes(org, django_capture_on_commit_callbacks):
    lists = builtin.ensure_builtin_lists()
    start = timezone.localdate() + timedelta(days=10)
    annual = lists["vacation"].fields.get(code="kind").options[0]

    with django_capture_on_commit_callbacks(execute=True):
        element = services.add_element(lists["vacation"], by=org.sales_rep, values={
            "start": start, "end": start + timedelta(days=6), "kind": annual,
        })  # fmt: skip
        services.update_element(element, by=org.sales_rep, values={"comment": "На море"})
        services.update_element(element, by=org.sales_rep, values={"comment": "На море"})  # no change, no event

    created, updated = Event.objects.filter(name__startswith="lists.element.").order_by("pk")
    assert created.name == "lists.element.created" and created.target == element
    assert created.data["list"] == "vacation" and created.data["values"]["start"] == start.isoformat()
    assert updated.name == "lists.element.updated" and updated.data["changes"] == {"comment": [None, "На море"]}
    assert created.actor == org.sales_rep


def test_demo_lists_with_readers_and_requests(db):
    accounts_demo.build("Demo-pass-2026")

    demo.build(None)

    cash = UniversalList.objects.get(code="cash")
    assert list(cash.readers.values_list("username", flat=True)) == ["pavel"]
    assert ListElement.objects.filter(list=cash).count() == 2
    assert ListElement.objects.get(list__code="business_trip").values["budget"] == 60000
