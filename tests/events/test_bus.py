"""The event bus: stored, delivered after commit, failures retried durably and never breaking the write."""

import pytest
from django.db import transaction
from django.utils import timezone

from kontora import events
from kontora.core.registry import registry
from kontora.events import bus
from kontora.events.models import Event, SubscriberRetry

heard: list[str] = []


def remember(event: Event) -> None:
    heard.append(f"{event.name}:{event.object_id}")


def explode(event: Event) -> None:
    raise RuntimeError("subscriber is down")


@pytest.fixture(autouse=True)
def clean_subscribers():
    heard.clear()
    events.declare("test.thing.created", "Test thing created", "ONTESTTHINGADD")
    yield
    registry.unregister("event_types", "test.thing.created")
    bus.unsubscribe("test.*", remember)
    bus.unsubscribe("test.*", explode)


def test_event_is_delivered_only_after_commit(org, django_capture_on_commit_callbacks):
    events.subscribe("test.*", remember)

    with django_capture_on_commit_callbacks(execute=True):
        events.emit("test.thing.created", org.sales_rep, by=org.admin, changes={"title": [None, "x"]})
        assert heard == []

    assert heard == [f"test.thing.created:{org.sales_rep.pk}"]
    stored = Event.objects.get(name="test.thing.created")
    assert stored.actor == org.admin
    assert stored.data == {"changes": {"title": [None, "x"]}}
    assert stored.target == org.sales_rep


def test_rolled_back_write_delivers_nothing(org, django_capture_on_commit_callbacks):
    events.subscribe("test.*", remember)

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                events.emit("test.thing.created", org.sales_rep)
                raise ValueError("the write failed")
        except ValueError:
            pass

    assert heard == []
    assert not Event.objects.filter(name="test.thing.created").exists()


def test_pattern_matching_selects_subscribers():
    events.subscribe("test.*", remember)

    assert bus.subscribers_for("test.deal.updated") == ["tests.events.test_bus.remember"]
    assert "tests.events.test_bus.remember" not in bus.subscribers_for("crm.deal.updated")


def test_failing_subscriber_does_not_break_others_and_is_retried(org, django_capture_on_commit_callbacks):
    events.subscribe("test.*", explode)
    events.subscribe("test.*", remember)

    with django_capture_on_commit_callbacks(execute=True):
        events.emit("test.thing.created", org.sales_rep)

    assert heard == [f"test.thing.created:{org.sales_rep.pk}"]
    retry = SubscriberRetry.objects.get()
    assert retry.handler == "tests.events.test_bus.explode"
    assert retry.status == "pending"


def test_retry_succeeds_once_the_subscriber_recovers(org, django_capture_on_commit_callbacks):
    from kontora.events.jobs import retry_subscriber

    events.subscribe("test.*", explode)
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("test.thing.created", org.sales_rep)
    retry = SubscriberRetry.objects.get()
    # The handler was fixed and redeployed, and the back-off delay has passed.
    SubscriberRetry.objects.filter(pk=retry.pk).update(handler="tests.events.test_bus.remember", due_at=timezone.now())

    retry_subscriber.call(retry.pk)

    retry.refresh_from_db()
    assert retry.status == "done"
    assert heard == [f"test.thing.created:{org.sales_rep.pk}"]


def test_undeclared_event_is_refused(org):
    with pytest.raises(LookupError):
        events.emit("test.thing.misspelt", org.sales_rep)


def test_declared_types_carry_their_bitrix_names():
    declared = registry.get("event_types", "accounts.user.created")

    assert declared.bitrix_name == "ONUSERADD"
