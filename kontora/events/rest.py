"""Notifications REST methods: im.notify.system.add and im.notify.personal.add.

im.message.add (chat messages) waits for the messenger and is not registered until it exists."""

from typing import Any

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core.errors import NotFound
from kontora.events import notifications
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, method


def _recipient(call: Call) -> User:
    """Any active employee may be told something (as in Bitrix24), within the people the caller may see."""
    value = call.params.get("USER_ID")
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        raise RestError("USER_ID_EMPTY", "Recipient ID can't be empty") from None
    user = access.visible(call.user, User).filter(pk=pk, is_active=True).first()
    if user is None:
        raise NotFound()
    return user


def _message(call: Call) -> str:
    message = str(call.params.get("MESSAGE") or "").strip()
    if not message:
        raise RestError("MESSAGE_EMPTY", "Message can't be empty")
    return message[:20000]


def _notify(call: Call, *, personal: bool) -> int:
    recipient = _recipient(call)
    message = _message(call)
    by: Any = call.user if personal else None
    return notifications.notify(recipient, message, by=by).pk


@method("im.notify.system.add", "im")
def notify_system(call: Call) -> int:
    """A system notification: USER_ID, MESSAGE (TAG, SUB_TAG and ATTACH are accepted and not used). Returns its ID."""
    return _notify(call, personal=False)


@method("im.notify.personal.add", "im")
def notify_personal(call: Call) -> int:
    """A notification from the caller: USER_ID, MESSAGE. Returns its ID."""
    return _notify(call, personal=True)


@method("im.notify", "im")
def notify_legacy(call: Call) -> int:
    """The old name: TYPE=SYSTEM gives a system notification, otherwise a personal one."""
    return _notify(call, personal=str(call.params.get("TYPE") or "USER").upper() != "SYSTEM")
