"""OAuth as Bitrix24 does it: a person allows an app, the app trades the code for tokens, calls, refreshes."""

from urllib.parse import parse_qs, urlsplit

from kontora.rest import services
from kontora.rest.models import Grant


def _app(org, redirect_uri: str = "https://app.example.test/install"):
    return services.create_application(by=org.admin, name="Счета", scopes=["crm", "user"], redirect_uri=redirect_uri)


def _authorize(client, app, state: str = "s-42") -> dict:
    page = client.get("/oauth/authorize/", {"client_id": app.client_id, "state": state})
    assert page.status_code == 200 and "Счета" in page.content.decode()
    allowed = client.post("/oauth/authorize/", {"client_id": app.client_id, "state": state})
    assert allowed.status_code == 302
    target = urlsplit(allowed["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == app.redirect_uri
    return {key: values[0] for key, values in parse_qs(target.query).items()}


def test_code_then_token_then_call_then_refresh(client, org):
    app, secret = _app(org)
    client.force_login(org.sales_rep)

    answer = _authorize(client, app)
    tokens = client.get("/oauth/token/", {"grant_type": "authorization_code", "client_id": app.client_id,
                                          "client_secret": secret, "code": answer["code"]}).json()  # fmt: skip
    called = client.post(f"/rest/profile.json?auth={tokens['access_token']}")
    refresh = {"grant_type": "refresh_token", "client_id": app.client_id, "client_secret": secret,
               "refresh_token": tokens["refresh_token"]}  # fmt: skip
    refreshed = client.post("/oauth/token/", refresh)
    again = client.get("/oauth/token/", refresh)
    new = refreshed.json()
    with_new = client.get("/rest/app.info", {"auth": new["access_token"]})

    assert answer["state"] == "s-42" and answer["domain"] == "127.0.0.1:8000" and answer["scope"] == "crm,user"
    assert answer["member_id"] == tokens["member_id"] and answer["server_domain"]
    assert tokens["expires_in"] == 3600 and tokens["user_id"] == org.sales_rep.pk and tokens["scope"] == "crm,user"
    assert tokens["client_endpoint"] == "http://127.0.0.1:8000/rest/" and tokens["status"] == "L"
    assert set(tokens) >= {"access_token", "refresh_token", "expires", "server_endpoint", "domain"}
    assert called.status_code == 200 and called.json()["result"]["ID"] == str(org.sales_rep.pk)
    assert refreshed.status_code == 200 and new["access_token"] != tokens["access_token"]
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")  # a refresh token serves once
    assert with_new.status_code == 200 and with_new.json()["result"]["ID"] == app.pk


def test_grants_hold_digests_and_a_code_serves_once(client, org):
    app, secret = _app(org)
    client.force_login(org.sales_rep)
    code = _authorize(client, app)["code"]
    params = {"grant_type": "authorization_code", "client_id": app.client_id, "client_secret": secret, "code": code}

    first = client.get("/oauth/token/", params)
    second = client.get("/oauth/token/", params)

    assert first.status_code == 200
    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")
    stored = set(Grant.objects.values_list("digest", flat=True))
    assert code not in stored and first.json()["access_token"] not in stored and len(stored) == 3


def test_wrong_secret_and_unknown_grant_type_are_refused(client, org):
    app, secret = _app(org)

    wrong = client.get("/oauth/token/", {"grant_type": "authorization_code", "client_id": app.client_id,
                                         "client_secret": "nope", "code": "x"})  # fmt: skip
    odd = client.get("/oauth/token/", {"grant_type": "password", "client_id": app.client_id, "client_secret": secret})

    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert (odd.status_code, odd.json()["error"]) == (400, "unsupported_grant_type")


def test_an_expired_access_token_says_so(client, org):
    app, _secret = _app(org)
    token = services.issue_tokens(app, org.sales_rep)["access_token"]
    Grant.objects.filter(kind="access").update(expires_at="2000-01-01T00:00:00Z")

    response = client.post(f"/rest/profile?auth={token}")

    assert (response.status_code, response.json()["error"]) == (401, "expired_token")


def test_authorize_needs_a_signed_in_person_and_a_known_app(client, org):
    app, _secret = _app(org)

    anonymous = client.get("/oauth/authorize/", {"client_id": app.client_id})
    client.force_login(org.sales_rep)
    unknown = client.get("/oauth/authorize/", {"client_id": "local.nothing"})

    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert unknown.status_code == 400
