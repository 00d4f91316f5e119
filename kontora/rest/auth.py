"""Who is calling: an inbound webhook (user id + code in the path) or an OAuth access token (`auth`)."""

from datetime import timedelta

from django.utils import timezone

from kontora.rest.errors import RestError, no_auth
from kontora.rest.models import Grant, Webhook, digest
from kontora.rest.params import Params
from kontora.rest.registry import Call

USED_PRECISION = timedelta(minutes=1)


def by_webhook(user_id: int, code: str, params: Params, request=None) -> Call:
    webhook = (
        Webhook.objects.select_related("user").filter(code_digest=digest(code), user_id=user_id, active=True).first()
    )
    if webhook is None or not webhook.user.is_active:
        raise no_auth()
    now = timezone.now()
    if webhook.last_used_at is None or now - webhook.last_used_at > USED_PRECISION:  # not a write per call
        Webhook.objects.filter(pk=webhook.pk).update(last_used_at=now)
    return Call(user=webhook.user, params=params, scopes=frozenset(webhook.scopes), webhook=webhook, request=request)


def by_token(params: Params, request=None) -> Call:
    token = params.get("auth") or _bearer(request)
    if not token:
        raise no_auth()
    grant = (
        Grant.objects.select_related("user", "application")
        .filter(digest=digest(str(token)), kind=Grant.Kind.ACCESS)
        .first()
    )
    if grant is None or not grant.application.active or not grant.user.is_active:
        raise RestError("invalid_token", "The access token provided is invalid.", 401)
    if grant.expires_at <= timezone.now():
        raise RestError("expired_token", "The access token provided has expired.", 401)
    return Call(
        user=grant.user, params=params, scopes=frozenset(grant.application.scopes),
        application=grant.application, request=request,
    )  # fmt: skip


def _bearer(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "") if request is not None else ""
    return header[7:].strip() if header.lower().startswith("bearer ") else ""
