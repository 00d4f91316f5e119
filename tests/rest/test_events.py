"""Events reach handlers as Bitrix24 posts them; unlike Bitrix24, failed deliveries are retried and kept."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl

import pytest
from django.utils import timezone

from kontora.core.models import WorkStatus
from kontora.crm import services as crm
from kontora.rest import services
from kontora.rest.jobs import deliver_event
from kontora.rest.models import Delivery, EventHandler, OfflineEvent
from tests import factories


class Receiver:
    """A local HTTP handler of events, started in a thread; it can be down (nothing listens on its port)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook/"
        self.received: list[list[tuple[str, str]]] = []
        self.server: HTTPServer | None = None
        self.status = 200

    def start(self) -> None:
        received, receiver = self.received, self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver():
    running = Receiver()
    running.start()
    yield running
    running.stop()


def test_deal_added_and_changed_reach_an_outgoing_webhook_php_style(org, receiver, django_capture_on_commit_callbacks):
    handlers, token = services.create_outgoing_webhook(by=org.admin, handler=receiver.url,
                                                       events=["ONCRMDEALADD", "oncrmdealupdate"])  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        deal = factories.make_deal(by=org.sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        crm.update_deal(deal, by=org.sales_rep, title="Новое название")

    added, changed = (dict(body) for body in receiver.received)
    by_event = {handler.event: handler.pk for handler in handlers}
    assert added["event"] == "ONCRMDEALADD" and changed["event"] == "ONCRMDEALUPDATE"
    assert added["data[FIELDS][ID]"] == changed["data[FIELDS][ID]"] == str(deal.pk)
    assert added["event_handler_id"] == str(by_event["ONCRMDEALADD"])
    assert added["auth[application_token]"] == token
    assert added["auth[domain]"] == "127.0.0.1:8000"
    assert added["auth[client_endpoint]"] == "http://127.0.0.1:8000/rest/"
    assert len(added["auth[member_id]"]) == 32
    assert abs(int(added["ts"]) - timezone.now().timestamp()) < 60
    assert "auth[access_token]" not in added  # no tokens go to outgoing webhooks
    assert [key for key, _value in receiver.received[0]][:3] == ["event", "event_handler_id", "data[FIELDS][ID]"]
    rows = Delivery.objects.order_by("id")
    assert [(row.status, row.response_code, row.attempts) for row in rows] == [("done", 200, 1), ("done", 200, 1)]


def test_a_handler_that_is_down_gets_the_event_once_it_is_back(org, django_capture_on_commit_callbacks):
    receiver = Receiver()  # not started: the port refuses connections
    services.create_outgoing_webhook(by=org.admin, handler=receiver.url, events=["ONCRMDEALADD"])

    with django_capture_on_commit_callbacks(execute=True):
        deal = factories.make_deal(by=org.sales_rep)

    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.response_code) == (WorkStatus.PENDING, 1, None)
    assert "Connection refused" in row.last_error
    assert row.due_at > timezone.now()
    assert services.failed_reason(row.last_error).startswith("ConnectionRefusedError: ")

    receiver.start()
    try:
        Delivery.objects.filter(pk=row.pk).update(due_at=timezone.now() - timedelta(seconds=1))
        assert deliver_event.call(row.pk) is True
    finally:
        receiver.stop()

    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code, row.last_error) == (WorkStatus.DONE, 2, 200, "")
    assert dict(receiver.received[0])["data[FIELDS][ID]"] == str(deal.pk)


def test_a_non_2xx_answer_is_a_failure_with_its_code_kept(org, receiver, django_capture_on_commit_callbacks):
    services.create_outgoing_webhook(by=org.admin, handler=receiver.url, events=["ONCRMDEALADD"])
    receiver.status = 503

    with django_capture_on_commit_callbacks(execute=True):
        factories.make_deal(by=org.sales_rep)

    row = Delivery.objects.get()
    assert (row.status, row.response_code) == (WorkStatus.PENDING, 503)
    assert services.failed_reason(row.last_error) == "HTTP 503: ok"
    receiver.status = 200
    Delivery.objects.filter(pk=row.pk).update(due_at=timezone.now())
    deliver_event.call(row.pk)
    row.refresh_from_db()
    assert (row.status, row.response_code, row.attempts, len(receiver.received)) == (WorkStatus.DONE, 200, 2, 2)


def test_a_failing_handler_is_marked_failed_after_the_configured_attempts(org, django_capture_on_commit_callbacks):
    receiver = Receiver()
    services.create_outgoing_webhook(by=org.admin, handler=receiver.url, events=["ONCRMDEALADD"])
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_deal(by=org.sales_rep)
    row = Delivery.objects.get()

    Delivery.objects.filter(pk=row.pk).update(attempts=Delivery.max_attempts - 1, due_at=timezone.now())
    deliver_event.call(row.pk)

    row.refresh_from_db()
    assert row.status == WorkStatus.FAILED
    assert Delivery.max_attempts == 8  # KONTORA_REST_DELIVERY_ATTEMPTS' default


def test_an_event_the_handlers_user_may_not_see_is_not_delivered(org, receiver, django_capture_on_commit_callbacks):
    app, _secret = services.create_application(by=org.admin, name="Маркетинг", scopes=["crm"])
    services.bind_event(app, by=org.marketing_rep, event="ONCRMDEALADD", handler=receiver.url)
    services.bind_event(app, by=org.sales_head, event="ONCRMDEALADD", handler=receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        factories.make_deal(by=org.sales_rep)

    assert [row.handler.user for row in Delivery.objects.all()] == [org.sales_head]
    body = dict(receiver.received[0])
    assert body["auth[application_token]"] == app.application_token
    assert body["auth[access_token]"] and body["auth[scope]"] == "crm"  # app handlers get a token of their user


def test_task_events_carry_fields_before_and_after(org, receiver, django_capture_on_commit_callbacks):
    services.create_outgoing_webhook(by=org.admin, handler=receiver.url, events=["ONTASKADD"])

    with django_capture_on_commit_callbacks(execute=True):
        task = factories.make_task(by=org.sales_rep, responsible=org.sales_rep)

    body = dict(receiver.received[0])
    assert body["event"] == "ONTASKADD"
    assert body["data[FIELDS_BEFORE]"] == "undefined"
    assert body["data[FIELDS_AFTER][ID]"] == str(task.pk)


def test_offline_handlers_keep_events_for_the_application(org, django_capture_on_commit_callbacks):
    app, _secret = services.create_application(by=org.admin, name="Синхронизация", scopes=["crm"])
    services.bind_event(app, by=org.admin, event="ONCRMDEALADD", offline=True)

    with django_capture_on_commit_callbacks(execute=True):
        deal = factories.make_deal(by=org.sales_rep)

    stored = OfflineEvent.objects.get()
    assert (stored.event, stored.data) == ("ONCRMDEALADD", {"FIELDS": {"ID": str(deal.pk)}})
    assert not Delivery.objects.exists()


def _call(client, token: str, name: str, params: dict | None = None):
    return client.post(f"/rest/{name}?auth={token}", data=json.dumps(params or {}), content_type="application/json")


@pytest.fixture
def app_token(org):
    app, _secret = services.create_application(by=org.admin, name="Интеграция", scopes=["crm", "task"])
    return app, services.issue_tokens(app, org.sales_rep)["access_token"]


def test_event_bind_get_unbind_with_an_application_token(client, app_token, hook):
    app, token = app_token

    bound = _call(client, token, "event.bind", {"event": "OnCrmDealAdd", "handler": "https://example.test/h"})
    listed = _call(client, token, "event.get")
    twice = _call(client, token, "event.bind", {"event": "ONCRMDEALADD", "handler": "https://example.test/h"})
    unbound = _call(client, token, "event.unbind", {"event": "ONCRMDEALADD", "handler": "https://example.test/h"})
    after = _call(client, token, "event.get")

    assert bound.status_code == 200 and bound.json()["result"] is True
    user_id = str(EventHandler.objects.get().user_id)
    assert listed.json()["result"] == [
        {"event": "ONCRMDEALADD", "handler": "https://example.test/h", "auth_type": user_id, "offline": 0}
    ]
    assert twice.status_code == 400
    assert unbound.json()["result"] == {"count": 1}
    assert after.json()["result"] == []
    assert EventHandler.objects.get().application == app


def test_event_bind_refuses_webhooks_unknown_events_and_offline_for_non_admins(client, app_token, hook):
    _app, token = app_token

    by_webhook = client.post(f"{hook()}event.bind", {"event": "ONCRMDEALADD", "handler": "https://example.test/h"})
    unknown = _call(client, token, "event.bind", {"event": "ONNOTHING", "handler": "https://example.test/h"})
    offline = _call(client, token, "event.bind", {"event": "ONCRMDEALADD", "event_type": "offline"})

    assert (by_webhook.status_code, by_webhook.json()["error"]) == (403, "WRONG_AUTH_TYPE")
    assert (unknown.status_code, unknown.json()["error"]) == (400, "ERROR_EVENT_NOT_FOUND")
    assert (offline.status_code, offline.json()["error"]) == (403, "ACCESS_DENIED")
    assert not EventHandler.objects.exists()


def test_events_lists_the_names_of_the_callers_scopes(client, app_token):
    _app, token = app_token

    names = _call(client, token, "events").json()["result"]

    assert "ONCRMDEALADD" in names and "ONTASKADD" in names
    assert "ONSONETGROUPADD" not in names


def test_offline_queue_is_read_then_cleared_by_the_application(client, org, django_capture_on_commit_callbacks):
    app, _secret = services.create_application(by=org.admin, name="Учёт", scopes=["crm"])
    token = services.issue_tokens(app, org.admin)["access_token"]
    assert _call(client, token, "event.bind", {"event": "ONCRMDEALADD", "event_type": "offline"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        first = factories.make_deal(by=org.sales_rep)
        factories.make_deal(by=org.sales_rep)

    taken = _call(client, token, "event.offline.get", {"clear": 0, "limit": 1}).json()["result"]
    listed = _call(client, token, "event.offline.list").json()
    cleared = _call(client, token, "event.offline.clear", {"process_id": taken["process_id"]})
    rest = _call(client, token, "event.offline.get").json()["result"]

    assert [item["EVENT_DATA"] for item in taken["events"]] == [{"FIELDS": {"ID": str(first.pk)}}]
    assert listed["total"] == 2 and listed["result"][0]["PROCESS_ID"] == taken["process_id"]
    assert cleared.json()["result"] is True
    assert len(rest["events"]) == 1 and rest["process_id"] is None
    assert not OfflineEvent.objects.exists()
