"""The wire: PHP-style parameters, envelopes and errors exactly as Bitrix24's clients expect them."""

import json

import pytest

from kontora.rest.params import parse_query
from kontora.rest.registry import Call, method


@method("test.echo", "crm")
def echo(call: Call) -> dict:
    return {"params": call.params.data, "user": call.user.pk}


@pytest.mark.parametrize(("query", "expected"), [
    ("a[b][0][c]=v", {"a": {"b": [{"c": "v"}]}}),
    ("a[]=1&a[]=2", {"a": ["1", "2"]}),
    ("filter[%3E%3DID]=5&x=a+b&", {"filter": {">=ID": "5"}, "x": "a b"}),
    ("select[]=", {"select": [""]}),
    ("fields[TITLE]=Сделка&fields[PHONE][0][VALUE]=1", {"fields": {"TITLE": "Сделка", "PHONE": [{"VALUE": "1"}]}}),
])  # fmt: skip
def test_php_parse_str_rules(query, expected):
    assert parse_query(query) == expected


def test_success_envelope_has_the_time_block_and_json_content_type(client, hook):
    response = client.post(f"{hook()}test.Echo.json", data=json.dumps({"fields": {"TITLE": "x"}}),
                           content_type="application/json")  # fmt: skip

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["result"]["params"] == {"fields": {"TITLE": "x"}}
    assert set(body["time"]) >= {"start", "finish", "duration", "processing", "date_start", "date_finish"}


def test_query_string_merges_into_a_json_body_and_forms_nest(client, hook):
    base = hook()

    merged = client.post(f"{base}test.echo?auth=zzz", data=json.dumps({"a": 1}), content_type="application/json")
    form = client.post(f"{base}test.echo", data="filter[%3EID]=3&select[]=ID&select[]=TITLE",
                       content_type="application/x-www-form-urlencoded")  # fmt: skip
    get = client.get(f"{base}test.echo", {"id": "7"})

    assert merged.json()["result"]["params"] == {"auth": "zzz", "a": 1}
    assert form.json()["result"]["params"] == {"filter": {">ID": "3"}, "select": ["ID", "TITLE"]}
    assert get.json()["result"]["params"] == {"id": "7"}


def test_errors_have_bitrix_codes_and_statuses(client, hook, org):
    base = hook(scopes=["user"])

    unknown = client.post(f"{base}no.such.method")
    scope = client.post(f"{base}test.echo")
    bad_code = client.post(f"/rest/{org.sales_rep.pk}/wrongcode/profile")

    assert (unknown.status_code, unknown.json()["error"]) == (404, "ERROR_METHOD_NOT_FOUND")
    assert (scope.status_code, scope.json()["error"]) == (403, "insufficient_scope")
    assert (bad_code.status_code, bad_code.json()["error"]) == (401, "NO_AUTH_FOUND")
    assert "time" not in bad_code.json()


def test_no_redirect_and_no_csrf_on_rest(client, hook):
    csrf_client = client.__class__(enforce_csrf_checks=True)

    response = csrf_client.post(f"{hook()}profile/")

    assert response.status_code == 200
    assert response.json()["result"]["ID"]


def test_a_revoked_or_other_users_code_is_refused(client, org):
    from kontora.rest import services

    webhook, code = services.create_webhook(org.sales_rep, by=org.sales_rep, scopes=["crm"])

    assert client.post(f"/rest/{org.kazan_rep.pk}/{code}/profile").status_code == 401
    services.revoke_webhook(webhook, by=org.sales_rep)
    assert client.post(f"/rest/{org.sales_rep.pk}/{code}/profile").status_code == 401


def test_batch_runs_commands_with_references_and_per_command_errors(client, hook):
    response = client.post(f"{hook()}batch", data=json.dumps({"halt": 0, "cmd": {
        "a": "test.echo?fields[TITLE]=x",
        "b": "test.echo?id=$result[a][user]&whole=%24result%5Ba%5D%5Bparams%5D%5Bfields%5D",
        "c": "no.such.method",
        "d": "test.echo?id=$result[zzz][1]",
        "e": "batch?cmd[0]=profile",
    }}), content_type="application/json")  # fmt: skip

    body = response.json()["result"]
    assert response.status_code == 200
    user = body["result"]["a"]["user"]
    assert body["result"]["b"]["params"] == {"id": str(user), "whole": {"TITLE": "x"}}
    assert set(body["result_error"]) == {"c", "d", "e"}
    assert body["result_error"]["e"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert set(body["result_time"]) == {"a", "b"}


def test_batch_with_halt_stops_at_the_first_error_and_limits_to_fifty(client, hook):
    base = hook()
    halted = client.post(f"{base}batch", data=json.dumps({"halt": True, "cmd": ["no.such", "profile"]}),
                         content_type="application/json").json()["result"]  # fmt: skip
    many = client.post(f"{base}batch", data=json.dumps({"cmd": {f"k{i}": "profile" for i in range(52)}}),
                       content_type="application/json").json()["result"]  # fmt: skip

    assert halted["result"] == [] and list(halted["result_error"]) == ["0"]
    assert len(many["result"]) == 50
    assert {v["error"] for v in many["result_error"].values()} == {"ERROR_BATCH_LENGTH_EXCEEDED"}


def test_registry_methods(client, hook):
    base = hook(scopes=["crm"])

    names = client.post(f"{base}methods").json()["result"]
    scopes = client.post(f"{base}scope").json()["result"]
    info = client.post(f"{base}method.get", {"name": "TEST.ECHO"}).json()["result"]

    assert "test.echo" in names and "batch" in names
    assert scopes == ["crm"]
    assert info == {"isExisting": True, "isAvailable": True}
