"""From the event bus to event handlers: a Delivery row (or an offline event) per handler bound to the event.

Subscribed in `RestConfig.ready()` to every event type with a Bitrix24 name. The body is Bitrix24's PHP-style
form (`data[FIELDS][ID]`), kept on the row; the job in `jobs.py` posts it. Unlike Bitrix24, a failed delivery is
retried with back-off and its outcome is kept for the settings page. A handler hears only of records its user may
read.
"""

from typing import Any

from django.db import transaction

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.accounts.selectors import is_administrator
from kontora.core import durable
from kontora.core.registry import registry
from kontora.events.models import Event
from kontora.rest import services
from kontora.rest.models import Delivery, EventHandler, OfflineEvent


def bitrix_name(event_name: str) -> str:
    declared = registry.items("event_types").get(event_name)
    return declared.bitrix_name.upper() if declared is not None and declared.bitrix_name else ""


def on_event(event: Event) -> None:
    """The bus subscriber of every event type that has a Bitrix24 name."""
    name = bitrix_name(event.name)
    if not name:
        return
    handlers = list(EventHandler.objects.filter(event=name, active=True).select_related("user", "application"))
    if not handlers:
        return
    obj = _target(event)
    data = event_data(event, name)
    offline_apps: set[int] = set()
    for handler in handlers:
        if not handler.user.is_active or not may_see(handler.user, obj):
            continue
        if handler.offline:
            if handler.application_id is not None and handler.application_id not in offline_apps:
                offline_apps.add(handler.application_id)
                OfflineEvent.objects.create(application_id=handler.application_id, event=name, data=data)
            continue
        row = Delivery.objects.create(handler=handler, body=form_body(handler, name, data, event))
        transaction.on_commit(lambda row=row: _schedule(row), robust=True)


def _schedule(row: Delivery) -> None:
    from kontora.rest.jobs import deliver_event

    durable.schedule(row, deliver_event)


def _target(event: Event):
    """The event's object, even from the recycle bin; None when it is gone or there is none."""
    if event.content_type_id is None:
        return None
    model = event.content_type.model_class()
    return model._base_manager.filter(pk=event.object_id).first() if model is not None else None


def _gated(obj):
    """The object the gate knows: the object itself, the record a CRM comment is on, or a task a comment is of."""
    try:
        access.entity_for(obj)
        return obj
    except LookupError:
        pass
    if hasattr(obj, "entity_type") and hasattr(obj, "entity_id"):
        from kontora.crm.selectors import RECORD_MODELS

        model = RECORD_MODELS.get(obj.entity_type)
        return model._base_manager.filter(pk=obj.entity_id).first() if model is not None else None
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.related_model is not User and _registered(field.related_model):
            return getattr(obj, field.name)
    return None


def _registered(model) -> bool:
    try:
        access.entity_for(model)
    except LookupError:
        return False
    return True


def may_see(user, obj) -> bool:
    """Records are checked with the gate; settings outside it (pipelines) only reach administrators."""
    if obj is None:
        return True
    gated = _gated(obj)
    if gated is None:
        return is_administrator(user)
    return access.can(user, "read", gated)


def event_data(event: Event, name: str) -> dict[str, Any]:
    """`data` as Bitrix24 sends it: {FIELDS: {ID}} for CRM, FIELDS_BEFORE/FIELDS_AFTER for tasks."""
    pk = event.object_id
    if name.startswith("ONTASKCOMMENT"):
        task_id = str(event.data.get("task_id") or "")
        if name.endswith("DELETE"):
            fields = {"ID": str(event.data.get("comment_id") or ""), "TASK_ID": task_id or pk}
            return {"FIELDS_BEFORE": fields, "FIELDS_AFTER": "undefined", "IS_ACCESSIBLE_BEFORE": "Y",
                    "IS_ACCESSIBLE_AFTER": "undefined"}  # fmt: skip
        fields = {"ID": pk, "TASK_ID": task_id}
        before = "undefined" if name.endswith("ADD") else fields
        return {"FIELDS_BEFORE": before, "FIELDS_AFTER": fields, "IS_ACCESSIBLE_BEFORE": "undefined" if
                name.endswith("ADD") else "Y", "IS_ACCESSIBLE_AFTER": "Y"}  # fmt: skip
    if name.startswith("ONTASK"):
        before = "undefined" if name == "ONTASKADD" else {"ID": pk}
        after = "undefined" if name == "ONTASKDELETE" else {"ID": pk}
        return {"FIELDS_BEFORE": before, "FIELDS_AFTER": after,
                "IS_ACCESSIBLE_BEFORE": "undefined" if before == "undefined" else "Y",
                "IS_ACCESSIBLE_AFTER": "undefined" if after == "undefined" else "Y"}  # fmt: skip
    return {"FIELDS": {"ID": pk}}


def flatten(value: Any, prefix: str) -> list[list[str]]:
    """PHP's http_build_query: nested maps become `prefix[key][sub]` pairs."""
    if isinstance(value, dict):
        pairs: list[list[str]] = []
        for key, item in value.items():
            pairs.extend(flatten(item, f"{prefix}[{key}]"))
        return pairs
    if isinstance(value, list | tuple):
        return flatten(dict(enumerate(value)), prefix)
    if isinstance(value, bool):
        return [[prefix, "1" if value else "0"]]
    return [[prefix, "" if value is None else str(value)]]


def form_body(handler: EventHandler, name: str, data: dict[str, Any], event: Event) -> list[list[str]]:
    """The form fields in order: event, event_handler_id, data[…], ts, auth[…] (no tokens: see jobs.py)."""
    auth = {
        "domain": services.portal_domain(), "client_endpoint": services.client_endpoint(),
        "server_endpoint": services.client_endpoint(), "member_id": services.member_id(),
        "application_token": handler.application_token,
    }  # fmt: skip
    return [
        ["event", name], ["event_handler_id", str(handler.pk)], *flatten(data, "data"),
        ["ts", str(int(event.created_at.timestamp()))], *flatten(auth, "auth"),
    ]  # fmt: skip
