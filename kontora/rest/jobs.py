"""Posting events to handlers: durable, retried with back-off, the response code and error kept."""

import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.tasks import task

from kontora.core import durable
from kontora.rest.models import Delivery

TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    pass


@task
def deliver_event(pk: int) -> bool:
    return durable.perform(Delivery, pk, _post)


def _post(row: Delivery) -> None:
    handler = row.handler
    if not handler.active:
        return
    body = [tuple(pair) for pair in row.body]
    if handler.application_id is not None and handler.application.active:
        body.extend(_app_auth(handler))
    if not handler.handler.lower().startswith(("http://", "https://")):
        raise DeliveryFailed(f"Not an http(s) address: {handler.handler}")
    request = urllib.request.Request(  # noqa: S310  the scheme is checked just above
        handler.handler, data=urlencode(body).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Kontora"},
    )  # fmt: skip
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code, text = response.status, ""
    except urllib.error.HTTPError as error:  # a non-2xx answer (redirects are not followed)
        code, text = error.code, error.read(500).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:  # refused, unreachable, timed out
        Delivery.objects.filter(pk=row.pk).update(response_code=None)
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"{type(reason).__name__}: {reason}") from None  # a short traceback: the message says it
    Delivery.objects.filter(pk=row.pk).update(response_code=code)
    if not 200 <= code < 300:
        raise DeliveryFailed(f"HTTP {code}: {text}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _app_auth(handler) -> list[tuple[str, str]]:
    """Application handlers also get a fresh access token of the handler's user, as Bitrix24 sends one."""
    from kontora.rest import services

    tokens = services.issue_tokens(handler.application, handler.user, refresh=False)
    return [
        ("auth[access_token]", tokens["access_token"]), ("auth[expires_in]", str(tokens["expires_in"])),
        ("auth[scope]", tokens["scope"]), ("auth[status]", tokens["status"]), ("auth[user_id]", str(handler.user_id)),
    ]  # fmt: skip


durable.register(Delivery, deliver_event)
