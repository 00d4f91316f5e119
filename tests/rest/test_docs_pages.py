"""The settings page (webhooks shown once, applications, outgoing webhooks and their deliveries) and the docs."""

import json
import re

import schemathesis
from django.utils import timezone

from kontora.core.models import WorkStatus
from kontora.rest import services
from kontora.rest.models import Delivery, EventHandler, Webhook
from kontora.rest.registry import all_methods
from tests import factories


def test_settings_page_lists_own_webhooks_only(client, org):
    services.create_webhook(org.sales_rep, by=org.sales_rep, scopes=["crm"], title="Моя интеграция")
    services.create_webhook(org.marketing_rep, by=org.marketing_rep, scopes=["crm"], title="Чужая")
    client.force_login(org.sales_rep)

    page = client.get("/settings/rest/").content.decode()

    assert "Моя интеграция" in page and "Чужая" not in page
    assert 'name="handler"' not in page  # outgoing webhooks are for administrators


def test_a_new_webhook_code_is_shown_once_and_works(client, org):
    client.force_login(org.sales_rep)

    created = client.post("/settings/rest/webhook/", {"title": "1С", "scopes": ["crm", "user"]})
    url = re.search(r"http://127\.0\.0\.1:8000(/rest/\d+/\w+/)", created.content.decode()).group(1)
    called = client.post(f"{url}profile")
    later = client.get("/settings/rest/").content.decode()

    assert created.status_code == 200
    assert called.status_code == 200 and called.json()["result"]["ID"] == str(org.sales_rep.pk)
    assert url not in later and "1С" in later
    assert Webhook.objects.get().scopes == ["crm", "user"]


def test_revoking_a_webhook_stops_it(client, org):
    webhook, code = services.create_webhook(org.sales_rep, by=org.sales_rep, scopes=["crm"])
    client.force_login(org.sales_rep)

    client.post("/settings/rest/revoke-webhook/", {"id": webhook.pk})

    assert client.post(f"/rest/{org.sales_rep.pk}/{code}/profile").status_code == 401


def test_someone_elses_webhook_cannot_be_revoked(client, org):
    webhook, _code = services.create_webhook(org.marketing_rep, by=org.marketing_rep, scopes=["crm"])
    client.force_login(org.sales_rep)

    response = client.post("/settings/rest/revoke-webhook/", {"id": webhook.pk})

    assert response.status_code == 404
    webhook.refresh_from_db()
    assert webhook.active


def test_admin_creates_an_application_and_sees_its_secret_once(client, org):
    client.force_login(org.admin)

    created = client.post("/settings/rest/application/", {"name": "Склад", "scopes": ["crm"]}).content.decode()
    app = services.applications(by=org.admin)[0]
    secret = re.search(r"<code data-secret>(\w+)</code>", created).group(1)

    assert app.client_id in created
    assert secret not in client.get("/settings/rest/").content.decode()
    token = client.get("/oauth/token/", {"grant_type": "refresh_token", "client_id": app.client_id,
                                         "client_secret": secret, "refresh_token": "x"})  # fmt: skip
    assert token.json()["error"] == "invalid_grant"  # the secret is right; only the refresh token is not


def test_employees_cannot_create_applications_or_outgoing_webhooks(client, org):
    client.force_login(org.sales_rep)

    app = client.post("/settings/rest/application/", {"name": "x", "scopes": ["crm"]})
    hook = client.post("/settings/rest/outgoing/", {"handler": "https://example.test/", "events": ["ONCRMDEALADD"]})

    assert app.status_code == 404 and hook.status_code == 404
    assert not EventHandler.objects.exists()


def test_outgoing_webhook_shows_its_deliveries_and_retries_a_failed_one(client, org,
                                                                       django_capture_on_commit_callbacks):
    org.admin.language = "en"
    org.admin.save(update_fields=["language"])
    client.force_login(org.admin)
    client.post("/settings/rest/outgoing/", {"title": "CRM → склад", "handler": "http://127.0.0.1:9/nothing",
                                             "events": ["ONCRMDEALADD", "ONTASKADD"]})  # fmt: skip
    token = EventHandler.objects.first().application_token
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_deal(by=org.sales_rep)
    row = Delivery.objects.get()
    Delivery.objects.filter(pk=row.pk).update(status=WorkStatus.FAILED, attempts=8)

    page = client.get("/settings/rest/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/rest/retry/", {"id": row.pk})

    assert "CRM → склад" in page and token in page and "ONCRMDEALADD, ONTASKADD" in page
    assert "Connection refused" in page and "Retry now" in page
    row.refresh_from_db()
    assert row.attempts == 9 and row.status == WorkStatus.FAILED and row.due_at <= timezone.now()


def test_openapi_describes_every_method(client, org):
    response = client.get("/rest/docs/openapi.json")

    schema = json.loads(response.content)
    names = {path.rsplit("/", 1)[1] for path in schema["paths"]}
    assert schema["openapi"].startswith("3.1")
    assert names == set(all_methods())
    operation = schema["paths"]["/rest/{user_id}/{code}/event.bind"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "503"}
    assert operation["requestBody"]["content"]["application/json"]["schema"]["additionalProperties"] is True
    assert "handler" in operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    operations = list(schemathesis.openapi.from_dict(schema).get_all_operations())
    assert len(operations) == len(names) and all(result.ok() for result in operations)


def test_docs_index_and_a_method_page(client, org):
    index = client.get("/rest/docs/").content.decode()
    page = client.get("/rest/docs/event.bind/")
    missing = client.get("/rest/docs/no.such.method/")

    assert "/rest/docs/event.bind/" in index and "/rest/docs/profile/" in index
    assert page.status_code == 200 and "auth_type" in page.content.decode()
    assert missing.status_code == 404
