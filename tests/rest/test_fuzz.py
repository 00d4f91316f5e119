"""Fuzzing the list methods' filters and the OpenAPI-described surface: whatever is sent, never a server error.

A caller gets 200 with a result, or 400 with Bitrix24's error body; a 5xx means the server choked on input.
"""

import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from kontora.crm import schema
from tests.factories import make_company, make_contact, make_deal, make_lead, make_task

PREFIXES = ("", "=", "!", "!=", ">", ">=", "<", "<=", "@", "!@", "%", "!%", "=%", "%=", "!=%", "!%=", "><", "!><")
JUNK_NAMES = ("", " ", "ID ", "id", "stageId", "UF_CRM_NOPE", "LOGIC", "0", "__class__", "TITLE;DROP", "Ш", "\x00")
LISTS = ("crm.deal.list", "crm.lead.list", "tasks.task.list")
FUZZ = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def task_field_names() -> list[str]:
    try:
        from kontora.tasks.rest_format import FIELDS
    except ImportError:  # the tasks' field map is not there: the CRM names and the junk still reach the method
        return []
    return list(FIELDS)


def field_names() -> list[str]:
    return sorted({*schema.DEAL_FIELDS, *schema.LEAD_FIELDS, *task_field_names(), "ID", "REAL_STATUS", "STATUS"})


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["Y", "N", "", "0", "-1", "2024-02-30", "2024-06-01", "2024-06-01T10:00:00+03:00",
                     "01.06.2024", "31.12.9999 23:59:59", "NEW", "C1:NEW", "WON", "%", "_", "Ив%", "1,2,3",
                     "1e400", "NaN", "9" * 40, "\x00"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
keys = st.builds(lambda prefix, name: prefix + name, st.sampled_from(PREFIXES),
                 st.sampled_from(field_names()) | st.sampled_from(JUNK_NAMES) | st.text(max_size=8))  # fmt: skip
conditions = st.dictionaries(keys, values, max_size=4)


def with_logic(group: dict[str, Any], logic: Any) -> dict[str, Any]:
    return group if logic is None else {**group, "LOGIC": logic}


filters = st.recursive(
    conditions,
    lambda inner: st.builds(
        lambda plain, groups, logic: with_logic({**plain, **groups}, logic),
        conditions,
        st.dictionaries(st.sampled_from(["0", "1", "2", "07"]), inner, max_size=2),
        st.none() | st.sampled_from(["AND", "OR", "or", "XOR", "", 1]),
    ),
    max_leaves=4,
)
directions = st.sampled_from(["ASC", "DESC", "asc", "desc", "up", ""]) | st.integers()
orders = st.dictionaries(st.sampled_from(field_names()) | st.text(max_size=6), directions, max_size=2)
starts = st.none() | st.integers(min_value=-5, max_value=10**20) | st.sampled_from(["-1", "50", "x", ""])
selects = st.none() | st.lists(st.sampled_from(["*", "UF_*", "ID", "TITLE", "PHONE", "nope"]), max_size=3)


def bodies() -> st.SearchStrategy[dict[str, Any]]:
    def body(filter, order, start, select) -> dict[str, Any]:  # noqa: A002
        chosen = {"filter": filter, "order": order, "start": start, "select": select}
        return {key: value for key, value in chosen.items() if value is not None}

    return st.builds(body, filters | st.sampled_from([[], "", "x", 5]), st.none() | orders, starts, selects)


def flatten(value: Any, prefix: str) -> list[tuple[str, str]]:
    """PHP-style form pairs (a[b][0]=v), as http_build_query writes them."""
    if isinstance(value, dict):
        return [pair for key, inner in value.items() for pair in flatten(inner, f"{prefix}[{key}]")]
    if isinstance(value, list):
        return [pair for index, inner in enumerate(value) for pair in flatten(inner, f"{prefix}[{index}]")]
    text = "" if value is None else ("1" if value is True else "0" if value is False else str(value))
    return [(prefix, text)]


def assert_answered(response, sent: Any) -> None:
    assert response.status_code in (200, 400), f"{response.status_code} for {sent!r}: {response.content[:500]!r}"
    body = response.json()
    if response.status_code == 200:
        assert "result" in body, f"200 without result for {sent!r}: {body}"
    else:
        assert body.get("error_description"), f"400 without error_description for {sent!r}: {body}"


@pytest.fixture
def seeded(org):
    """A few records with values for the comparisons to bite on."""
    company = make_company("Вектор", by=org.sales_rep)
    contact = make_contact("Иванов", by=org.sales_rep)
    make_deal("Поставка", by=org.sales_rep, amount=Decimal("19999.99"), company=company, contacts=[contact])
    make_deal("Ремонт", by=org.sales_head)
    make_lead("Заявка", by=org.sales_rep)
    make_task("Позвонить", by=org.sales_rep)
    return org


@pytest.mark.parametrize("name", LISTS)
def test_random_filters_as_json_never_break_a_list(client, hook, seeded, name):
    base = f"{hook(seeded.admin)}{name}.json"

    @FUZZ
    @given(body=bodies())
    def send(body):
        response = client.post(base, data=json.dumps(body), content_type="application/json")
        assert_answered(response, body)

    send()


@pytest.mark.parametrize("name", LISTS)
def test_random_filters_as_forms_never_break_a_list(client, hook, seeded, name):
    base = f"{hook(seeded.sales_rep)}{name}"

    @FUZZ
    @given(body=bodies())
    def send(body):
        pairs = [pair for key, value in body.items() for pair in flatten(value, key)]
        response = client.post(base, data=urlencode(pairs), content_type="application/x-www-form-urlencoded")
        assert_answered(response, pairs)

    send()


@pytest.fixture
def openapi_described(db):
    """The API as /rest/docs/openapi.json describes it, called in-process through Kontora's WSGI application.

    Like Django's test client, the calls must not close the test's database connection at the end of a request."""
    from kontora.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/rest/docs/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def every_scope(org):
    """An administrator's webhook with every scope there is."""
    from kontora.rest import registry, services

    _webhook, code = services.create_webhook(org.admin, by=org.admin, scopes=registry.scopes())
    return {"user_id": org.admin.pk, "code": code}


def error_reproduction(error: BaseException) -> str:
    """The curl line schemathesis puts in its report, if any."""
    lines = [line.strip() for line in str(getattr(error, "message", "") or error).splitlines()]
    return next((line for line in lines if line.startswith("curl ")), "")


def test_described_methods_never_answer_with_a_server_error(openapi_described, every_scope):
    """Each method in the description, a few bodies each (schemathesis' pytest loader does not run on pytest 9, so
    its strategies drive Hypothesis here)."""
    operations = [result.ok() for result in openapi_described.get_all_operations()]
    assert len(operations) > 40

    failures = []
    for operation in operations:

        @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            case.path_parameters = every_scope
            case.call_and_validate(checks=[not_a_server_error])

        try:
            call()
        except (Exception, FailureGroup) as error:  # every method is tried; all failures are reported together
            failures.append(f"{operation.label}: {str(error).strip().splitlines()[0]} {error_reproduction(error)}")
    assert not failures, "server errors:\n" + "\n".join(failures)
