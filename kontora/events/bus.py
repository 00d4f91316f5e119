"""The event bus: services emit, subscribers registered at app start hear about it after commit."""

import fnmatch
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils.module_loading import import_string

from kontora.core.registry import registry
from kontora.events.models import Event

logger = logging.getLogger("kontora.events")

Handler = Callable[[Event], None]
_subscribers: list[tuple[str, str]] = []  # (pattern, dotted path of the handler)


@dataclass(frozen=True)
class EventType:
    """A declared event: its dotted name, a label for people, and the Bitrix24 REST event it maps to, if any."""

    name: str
    label: str
    bitrix_name: str = ""


def declare(name: str, label: str, bitrix_name: str = "") -> EventType:
    """Declare an event type from AppConfig.ready(); emitting an undeclared name is a programming error."""
    return registry.register("event_types", name, EventType(name, label, bitrix_name))


def handler_path(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(pattern: str, handler: Handler) -> None:
    """Call `handler(event)` after commit for every event whose name matches `pattern` ("crm.deal.*")."""
    entry = (pattern, handler_path(handler))
    if entry not in _subscribers:
        _subscribers.append(entry)


def unsubscribe(pattern: str, handler: Handler) -> None:
    entry = (pattern, handler_path(handler))
    if entry in _subscribers:
        _subscribers.remove(entry)


def subscribers_for(name: str) -> list[str]:
    return [path for pattern, path in _subscribers if fnmatch.fnmatchcase(name, pattern)]


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


def emit(name: str, obj: models.Model | None = None, /, *, by=None, **data: Any) -> Event:
    """Record the event and deliver it to subscribers once the surrounding transaction commits."""
    if name not in registry.items("event_types"):
        raise LookupError(f"event type {name!r} is not declared; call events.declare() in AppConfig.ready()")
    event = Event.objects.create(
        name=name,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        actor=by if by is not None and getattr(by, "pk", None) else None,
        data=_jsonable(data),
    )
    transaction.on_commit(lambda: deliver(event), robust=True)
    return event


def deliver(event: Event) -> None:
    """Run every subscriber; a failure is logged and handed to a durable retry, never raised to the writer."""
    for path in subscribers_for(event.name):
        run_subscriber(event, path)


def run_subscriber(event: Event, path: str) -> bool:
    try:
        with transaction.atomic():
            import_string(path)(event)
    except Exception:
        logger.exception("subscriber %s failed on %s #%s", path, event.name, event.pk)
        from kontora.events import jobs

        jobs.schedule_subscriber_retry(event, path)
        return False
    return True
