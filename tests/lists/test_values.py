"""Element values are checked per field type; each refusal names the field, in the user's language."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kontora.core.errors import Invalid
from kontora.lists import services
from tests.factories import make_list

FIELDS = (
    {"code": "title", "name": "Title", "type": "string", "required": True},
    {"code": "body", "name": "Body", "type": "text"},
    {"code": "amount", "name": "Amount", "type": "number"},
    {"code": "day", "name": "Day", "type": "date"},
    {"code": "moment", "name": "Moment", "type": "datetime"},
    {"code": "urgent", "name": "Urgent", "type": "bool"},
    {"code": "person", "name": "Person", "type": "user"},
    {"code": "color", "name": "Color", "type": "select", "options": ["red", "green"]},
    {"code": "tags", "name": "Tags", "type": "string", "multiple": True},
    {"code": "scan", "name": "Scan", "type": "file"},
)


@pytest.fixture
def lst(org):
    return make_list("requests", fields=FIELDS)


def test_values_are_stored_in_their_types(lst, org):
    element = services.add_element(lst, by=org.sales_rep, name="Первая", values={
        "title": "  Заявка ", "body": "строка 1\nстрока 2", "amount": "1 500,50", "day": "23.11.2026",
        "moment": "2026-11-23T10:30:00+03:00", "urgent": "Y", "person": str(org.kazan_rep.pk), "color": "green",
        "tags": {"n0": "a", "n1": "", "n2": "b"}, "scan": SimpleUploadedFile("акт.pdf", b"%PDF-1.4"),
    })  # fmt: skip

    values = element.values
    assert values["title"] == "Заявка" and values["body"] == "строка 1\nстрока 2"
    assert values["amount"] == 1500.5 and values["day"] == "2026-11-23"
    assert datetime.fromisoformat(values["moment"]) == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert values["urgent"] is True and values["person"] == org.kazan_rep.pk and values["color"] == "green"
    assert values["tags"] == ["a", "b"]
    assert values["scan"]["name"] == "акт.pdf" and values["scan"]["size"] == 8
    assert "заявка" in element.search_text.lower()


@pytest.mark.parametrize(("code", "value"), [
    ("amount", "много"), ("amount", "1e999999"), ("day", "31.02.2026"), ("day", "завтра"), ("moment", "вчера"),
    ("urgent", "может быть"), ("person", "999999"), ("person", "anna"), ("color", "blue"), ("title", ["a", "b"]),
    ("scan", "not a file"), ("title", "x" * 501),
])  # fmt: skip
def test_a_wrong_value_is_refused_naming_the_field(lst, org, code, value):
    values = {"title": "ok", code: value}

    with translation.override("en"), pytest.raises(Invalid) as error:
        services.add_element(lst, by=org.sales_rep, values=values)

    assert error.value.field == code
    assert error.value.message.startswith(next(field["name"] for field in FIELDS if field["code"] == code))


def test_a_required_field_left_blank_is_named(lst, org):
    with translation.override("en"), pytest.raises(Invalid) as error:
        services.add_element(lst, by=org.sales_rep, values={"title": "   "})

    assert (error.value.field, error.value.code) == ("title", "REQUIRED")
    assert error.value.message == "Title: fill in this field."


def test_defaults_fill_new_elements_and_update_keeps_untouched_values(org):
    lst = make_list(fields=(
        {"code": "kind", "name": "Kind", "type": "select", "options": ["A", "B"], "default": "B"},
        {"code": "count", "name": "Count", "type": "number"},
    ))  # fmt: skip

    element = services.add_element(lst, by=org.sales_rep, values={"count": 2})
    services.update_element(element, by=org.sales_rep, values={"count": ""})

    element.refresh_from_db()
    assert element.values == {"kind": "B"} and element.name == lst.name


def test_field_settings_are_checked(org):
    lst = make_list()

    with pytest.raises(Invalid) as no_options:
        services.add_field(lst, by=None, code="kind", name="Kind", type="select")
    with pytest.raises(Invalid) as reserved:
        services.add_field(lst, by=None, code="name", name="Name")
    with pytest.raises(Invalid) as bad_code:
        services.add_field(lst, by=None, code="Дата", name="Date")
    with pytest.raises(Invalid) as bad_default:
        services.add_field(lst, by=None, code="due", name="Due", type="date", default="someday")
    services.add_field(lst, by=None, code="due", name="Due", type="date")
    with pytest.raises(Invalid) as duplicate:
        services.add_field(lst, by=None, code="due", name="Due again")

    assert [error.value.field for error in (no_options, reserved, bad_code, bad_default, duplicate)] == [
        "options", "code", "code", "due", "code",
    ]  # fmt: skip
