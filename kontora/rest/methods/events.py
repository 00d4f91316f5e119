"""event.* methods: applications bind handlers to Bitrix24 event names, and read their offline queue."""

import secrets

from django.db import transaction

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.rest import services
from kontora.rest.errors import RestError
from kontora.rest.models import OfflineEvent
from kontora.rest.registry import Call, method
from kontora.rest.values import moment

# Which scope an event belongs to, by the start of its name (`events` lists those of the caller's scopes).
EVENT_SCOPES = (("ONCRM", "crm"), ("ONTASK", "task"), ("ONSONETGROUP", "sonet_group"), ("ONUSER", "user"),
                ("ONCALENDAR", "calendar"), ("ONVOXIMPLANT", "telephony"))  # fmt: skip


def _application(call: Call):
    if call.application is None:
        raise RestError("WRONG_AUTH_TYPE", "Current authorization type is denied for this method", 403)
    return call.application


def _denied() -> RestError:
    return RestError("ACCESS_DENIED", "Access denied.", 403)


def _offline(call: Call) -> bool:
    kind = str(call.params.get("event_type") or "online").strip().lower()
    if kind not in ("online", "offline"):
        raise RestError("ERROR_ARGUMENT", "event_type: online or offline", 400)
    return kind == "offline"


def _auth_user(call: Call):
    """`auth_type`: the user the handler runs as (the caller when not given; someone else needs an administrator)."""
    from kontora.accounts.models import User

    pk = call.params.integer("auth_type")
    if not pk or pk == call.user.pk:
        return None
    if not is_administrator(call.user):
        raise _denied()
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise RestError("ERROR_ARGUMENT", "auth_type: user not found", 400)
    return user


@method("event.bind", "", params={
    "event": "Event name, e.g. ONCRMDEALADD (required)", "handler": "Handler URL (required for online events)",
    "auth_type": "ID of the user the handler runs as (the caller by default)",
    "event_type": "online (default) or offline",
})  # fmt: skip
def event_bind(call: Call) -> bool:
    """Bind an application's handler to an event. Application (OAuth) authorization only."""
    app = _application(call)
    name = str(call.params.get("event") or "").strip().upper()
    if name not in services.event_names():
        raise RestError("ERROR_EVENT_NOT_FOUND", "Event not found", 400)
    offline = _offline(call)
    if offline and not is_administrator(call.user):
        raise _denied()
    try:
        services.bind_event(app, by=call.user, event=name, handler=str(call.params.get("handler") or ""),
                            user=_auth_user(call), offline=offline)  # fmt: skip
    except Forbidden as error:
        raise _denied() from error
    except NotFound as error:
        raise RestError("ERROR_EVENT_NOT_FOUND", "Event not found", 400) from error
    except Invalid as error:
        code = error.code if error.code == "ERROR_HANDLER_ALREADY_EXIST" else "ERROR_ARGUMENT"
        raise RestError(code, error.message, 400) from error
    return True


@method("event.get", "")
def event_get(call: Call) -> list[dict]:
    """The application's bound handlers."""
    app = _application(call)
    return [
        {"event": row.event, "handler": row.handler, "auth_type": str(row.user_id), "offline": int(row.offline),
         **({"connector_id": ""} if row.offline else {})}
        for row in services.bound_handlers(app)
    ]  # fmt: skip


@method("event.unbind", "", params={
    "event": "Event name (required)", "handler": "Handler URL (all of the event's handlers when left out)",
    "auth_type": "ID of the user whose handlers to remove", "event_type": "online (default) or offline",
})  # fmt: skip
def event_unbind(call: Call) -> dict:
    """Remove an application's handlers of an event; answers how many were removed."""
    app = _application(call)
    name = str(call.params.get("event") or "").strip().upper()
    if not name:
        raise RestError("ERROR_EVENT_NOT_FOUND", "Event not found", 400)
    count = services.unbind_event(app, by=call.user, event=name, handler=str(call.params.get("handler") or ""),
                                  user=_auth_user(call), offline=_offline(call))  # fmt: skip
    return {"count": count}


@method("events", "", params={"scope": "Only the events of this scope", "full": "All events, whatever the scopes"})
def events_list(call: Call) -> list[str]:
    """The event names a handler may be bound to (those of the caller's scopes)."""
    scope = str(call.params.get("scope") or "").strip().lower()
    full = call.params.flag("full")
    wanted = {scope} if scope else set(call.scopes)
    return [name for name in services.event_names() if full or _scope(name) in wanted]


def _scope(name: str) -> str:
    return next((scope for prefix, scope in EVENT_SCOPES if name.startswith(prefix)), "")


# The offline queue: events kept for an application that fetches them (administrators only, as in Bitrix24).


def _queue(call: Call):
    app = _application(call)
    if not is_administrator(call.user):
        raise _denied()
    return OfflineEvent.objects.filter(application=app)


def _row(row: OfflineEvent, full: bool = False) -> dict:
    item = {"ID": row.pk, "TIMESTAMP_X": moment(row.created_at), "EVENT_NAME": row.event, "EVENT_DATA": row.data,
            "EVENT_ADDITIONAL": [], "MESSAGE_ID": str(row.pk)}  # fmt: skip
    if full:
        item.update({"APP_ID": row.application_id, "CONNECTOR_ID": "", "PROCESS_ID": row.process_id or None,
                     "ERROR": int(row.error)})  # fmt: skip
    return item


def _ids(call: Call, name: str) -> list[int]:
    return [int(value) for value in call.params.list(name) if str(value).strip().isdigit()]


@method("event.offline.get", "", params={
    "clear": "1 (default): remove the events returned; 0: keep them under a process_id for event.offline.clear",
    "process_id": "Continue a process", "error": "1: only events marked with event.offline.error",
    "limit": "At most this many events (50 by default)",
})  # fmt: skip
def event_offline_get(call: Call) -> dict:
    """Take the oldest offline events of the application."""
    queue = _queue(call)
    limit = max(1, min(call.params.integer("limit") or 50, 1000))
    process_id = str(call.params.get("process_id") or "")
    with transaction.atomic():
        rows = queue.select_for_update().filter(error=call.params.flag("error"))
        rows = rows.filter(process_id__in=["", process_id]) if process_id else rows.filter(process_id="")
        taken = list(rows.order_by("id")[:limit])
        answer = [_row(row) for row in taken]
        if call.params.flag("clear", True):
            OfflineEvent.objects.filter(pk__in=[row.pk for row in taken]).delete()
            process_id = ""
        else:
            process_id = process_id or secrets.token_hex(16)
            OfflineEvent.objects.filter(pk__in=[row.pk for row in taken]).update(process_id=process_id)
    return {"process_id": process_id or None, "events": answer}


@method("event.offline.clear", "", params={"process_id": "The process (required)", "id": "Only these IDs",
                                           "message_id": "Only these MESSAGE_IDs"})  # fmt: skip
def event_offline_clear(call: Call) -> bool:
    """Remove the events taken by a process of event.offline.get with clear=0."""
    rows = _queue(call).filter(process_id=_process(call))
    ids = _ids(call, "id") + _ids(call, "message_id")
    (rows.filter(pk__in=ids) if ids else rows).delete()
    return True


@method("event.offline.error", "", params={"process_id": "The process (required)",
                                           "message_id": "The MESSAGE_IDs that failed"})  # fmt: skip
def event_offline_error(call: Call) -> bool:
    """Mark events of a process as failed: they are returned again with event.offline.get error=1."""
    rows = _queue(call).filter(process_id=_process(call), pk__in=_ids(call, "message_id"))
    rows.update(error=True, process_id="")
    return True


def _process(call: Call) -> str:
    process_id = str(call.params.get("process_id") or "").strip()
    if not process_id:
        raise RestError("ERROR_ARGUMENT", "process_id is required", 400)
    return process_id


@method("event.offline.list", "", params={"filter": "ID, MESSAGE_ID, EVENT_NAME, PROCESS_ID, ERROR",
                                          "start": "Offset, by pages of 50"})  # fmt: skip
def event_offline_list(call: Call):
    """The application's offline queue, without taking anything."""
    from kontora.rest.runner import page

    rows = _queue(call)
    where = {str(key).upper(): value for key, value in call.params.map("filter").items()}
    if "ID" in where or "MESSAGE_ID" in where:
        rows = rows.filter(pk=where.get("ID") or where.get("MESSAGE_ID"))
    if "EVENT_NAME" in where:
        rows = rows.filter(event=str(where["EVENT_NAME"]).upper())
    if "PROCESS_ID" in where:
        rows = rows.filter(process_id=str(where["PROCESS_ID"] or ""))
    if "ERROR" in where:
        rows = rows.filter(error=str(where["ERROR"]) in ("1", "Y", "True", "true"))
    return page(rows.order_by("id"), call, lambda row: _row(row, full=True))
