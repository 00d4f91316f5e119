"""Creating and revoking webhooks and applications; codes and secrets are returned once and kept as digests."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.events import history
from kontora.rest import registry
from kontora.rest.models import Application, Webhook, digest, new_secret


def _scopes(values) -> list[str]:
    known = set(registry.scopes())
    chosen = sorted({str(value).strip() for value in values or [] if str(value).strip()})
    unknown = [scope for scope in chosen if scope not in known]
    if unknown:
        raise Invalid("UNKNOWN_SCOPE", "scopes", _("Unknown scope: %(scope)s.") % {"scope": unknown[0]})
    if not chosen:
        raise Invalid("REQUIRED", "scopes", _("Choose at least one scope."))
    return chosen


def webhook_url(user_id: int, code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/rest/{user_id}/{code}/"


@transaction.atomic
def create_webhook(user, *, by, scopes, title: str = "") -> tuple[Webhook, str]:
    """A new inbound webhook for `user` (people create their own; administrators anyone's). Returns it and its
    code, which is not kept and cannot be shown again."""
    if by.pk != user.pk and not is_administrator(by):
        raise Forbidden()
    code = new_secret(16)
    webhook = Webhook.objects.create(user=user, title=title.strip()[:255], code_digest=digest(code),
                                     code_hint=code[:4], scopes=_scopes(scopes))  # fmt: skip
    history.record(webhook, by=by, action="create", changes={"scopes": [None, webhook.scopes]})
    return webhook, code


@transaction.atomic
def revoke_webhook(webhook: Webhook, *, by) -> None:
    if by.pk != webhook.user_id and not is_administrator(by):
        raise NotFound()
    webhook.active = False
    webhook.save(update_fields=["active"])
    history.record(webhook, by=by, action="update", changes={"active": [True, False]})


@transaction.atomic
def create_application(*, by, name: str, scopes, redirect_uri: str = "", code: str = "") -> tuple[Application, str]:
    """A local application with OAuth credentials; returns it and its client secret (shown once)."""
    if not is_administrator(by):
        raise Forbidden()
    if not (name or "").strip():
        raise Invalid("REQUIRED", "name", _("Name the application."))
    secret = new_secret(32)
    app = Application.objects.create(
        name=name.strip()[:255], client_id=f"local.{new_secret(12)}", secret_digest=digest(secret),
        redirect_uri=redirect_uri, scopes=_scopes(scopes), code=code, application_token=new_secret(32),
        created_by=by,
    )  # fmt: skip
    history.record(app, by=by, action="create", changes={"scopes": [None, app.scopes]})
    return app, secret


# Reads for the settings pages: each person sees his own webhooks; administrators, applications and outgoing hooks.


def my_webhooks(user) -> list[Webhook]:
    return list(Webhook.objects.filter(user=user, active=True))


def applications(*, by) -> list[Application]:
    if not is_administrator(by):
        return []
    return list(Application.objects.filter(active=True))


def application_by_client_id(client_id: str) -> Application | None:
    return Application.objects.filter(client_id=str(client_id or ""), active=True).first()


# The portal as events and OAuth answers describe it.


def portal_domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).netloc


def client_endpoint() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/rest/"


def member_id() -> str:
    """A stable 32-character identifier of this installation (Bitrix24's member_id), derived from the secret key."""
    from django.utils.crypto import salted_hmac

    return salted_hmac("kontora.rest.member_id", settings.SITE_URL, algorithm="sha256").hexdigest()[:32]


# OAuth: codes live 30 seconds (as Bitrix24's), access tokens an hour, refresh tokens 28 days and serve once.

CODE_SECONDS = 30
ACCESS_SECONDS = 3600
REFRESH_DAYS = 28


def _grant(app: Application, user, kind: str, lifetime) -> str:
    from django.utils import timezone

    from kontora.rest.models import Grant

    secret = new_secret(32)
    Grant.objects.create(application=app, user=user, kind=kind, digest=digest(secret),
                         expires_at=timezone.now() + lifetime)  # fmt: skip
    return secret


@transaction.atomic
def issue_code(app: Application, *, user) -> str:
    """An authorization code for `user`, who allowed the application on the authorize page."""
    from datetime import timedelta

    if not app.active or not user.is_active:
        raise Forbidden()
    return _grant(app, user, "code", timedelta(seconds=CODE_SECONDS))


@transaction.atomic
def issue_tokens(app: Application, user, *, refresh: bool = True) -> dict:
    """A new access token and refresh token: the answer of /oauth/token/ (app events get an access token only)."""
    from datetime import timedelta

    from django.utils import timezone

    access = _grant(app, user, "access", timedelta(seconds=ACCESS_SECONDS))
    answer = {
        "access_token": access, "expires": int(timezone.now().timestamp()) + ACCESS_SECONDS,
        "expires_in": ACCESS_SECONDS, "scope": ",".join(app.scopes), "domain": portal_domain(),
        "client_endpoint": client_endpoint(), "server_endpoint": client_endpoint(), "member_id": member_id(),
        "status": "L", "user_id": user.pk,
    }  # fmt: skip
    if refresh:
        answer["refresh_token"] = _grant(app, user, "refresh", timedelta(days=REFRESH_DAYS))
    return answer


@transaction.atomic
def redeem(app: Application, *, kind: str, secret: str) -> dict:
    """Exchange an authorization code or a refresh token (each serves once) for new tokens. Raises Invalid."""
    from django.utils import timezone

    from kontora.rest.models import Grant

    grant = (
        Grant.objects.select_for_update().select_related("user")
        .filter(application=app, kind=kind, digest=digest(str(secret or ""))).first()
    )  # fmt: skip
    if grant is None or grant.used or grant.expires_at <= timezone.now() or not grant.user.is_active:
        raise Invalid("invalid_grant", kind, "Invalid authorization code or refresh token.")
    grant.used = True
    grant.save(update_fields=["used"])
    return issue_tokens(app, grant.user)


# Outgoing webhooks: handler rows (one per event) that share a generated application token, set up by
# administrators; their deliveries are logged, retried with back-off and may be retried by hand.


def event_names() -> list[str]:
    """The Bitrix24 event names Kontora raises (ONCRMDEALADD, ONTASKUPDATE…)."""
    from kontora.core.registry import registry

    return sorted({item.bitrix_name.upper() for item in registry.items("event_types").values() if item.bitrix_name})


def _events(values) -> list[str]:
    known = set(event_names())
    chosen = sorted({str(value).strip().upper() for value in values or [] if str(value).strip()})
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise Invalid("ERROR_EVENT_NOT_FOUND", "events", _("Unknown event: %(event)s.") % {"event": unknown[0]})
    if not chosen:
        raise Invalid("REQUIRED", "events", _("Choose at least one event."))
    return chosen


def _handler_url(url: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise Invalid("WRONG_HANDLER_URL", "handler", _("Enter the handler's address (http or https).")) from error
    return url


@transaction.atomic
def create_outgoing_webhook(*, by, handler: str, events, title: str = "") -> tuple[list, str]:
    """Handlers of the chosen events posting to `handler`, run as `by`; returns them and their application token."""
    from kontora.rest.models import EventHandler

    if not is_administrator(by):
        raise Forbidden()
    url, names, token = _handler_url(handler), _events(events), new_secret(32)
    rows = [
        EventHandler.objects.create(event=name, handler=url, user=by, title=title.strip()[:255],
                                    application_token=token)  # fmt: skip
        for name in names
    ]
    for row in rows:
        history.record(row, by=by, action="create", changes={"event": [None, row.event], "handler": [None, url]})
    return rows, token


def outgoing_webhooks(*, by) -> list[dict]:
    """The active outgoing webhooks, each {token, handler, title, events, user, created_at}."""
    from kontora.rest.models import EventHandler

    if not is_administrator(by):
        return []
    hooks: dict[str, dict] = {}
    rows = EventHandler.objects.filter(application=None, active=True).select_related("user").order_by("created_at")
    for row in rows:
        hook = hooks.setdefault(row.application_token, {
            "token": row.application_token, "handler": row.handler, "title": row.title, "events": [],
            "user": row.user, "created_at": row.created_at, "handler_ids": [],
        })  # fmt: skip
        hook["events"].append(row.event)
        hook["handler_ids"].append(row.pk)
    return list(hooks.values())


@transaction.atomic
def revoke_outgoing_webhook(token: str, *, by) -> int:
    from kontora.rest.models import EventHandler

    if not is_administrator(by):
        raise NotFound()
    rows = list(EventHandler.objects.filter(application=None, active=True, application_token=token))
    if not rows:
        raise NotFound()
    for row in rows:
        row.active = False
        row.save(update_fields=["active"])
        history.record(row, by=by, action="update", changes={"active": [True, False]})
    return len(rows)


def deliveries(*, by, token: str | None = None, limit: int = 100) -> list:
    """The latest deliveries (of one outgoing webhook, or of every handler), newest first; for administrators."""
    from kontora.rest.models import Delivery

    if not is_administrator(by):
        return []
    rows = Delivery.objects.select_related("handler")
    if token is not None:
        rows = rows.filter(handler__application_token=token, handler__application=None)
    return list(rows[:limit])


@transaction.atomic
def retry_delivery(pk: int, *, by) -> None:
    """Post a failed (or waiting) delivery again now."""
    from django.utils import timezone

    from kontora.core import durable
    from kontora.core.models import WorkStatus
    from kontora.rest.jobs import deliver_event
    from kontora.rest.models import Delivery

    row = Delivery.objects.select_for_update().filter(pk=pk).first() if is_administrator(by) else None
    if row is None or row.status not in (WorkStatus.FAILED, WorkStatus.PENDING):
        raise NotFound()
    row.status, row.due_at = WorkStatus.PENDING, timezone.now()
    row.save(update_fields=["status", "due_at"])
    transaction.on_commit(lambda: durable.schedule(row, deliver_event))


# Handlers bound by applications (event.bind / event.unbind).


@transaction.atomic
def bind_event(app: Application, *, by, event: str, handler: str = "", user=None, offline: bool = False):
    """Bind an application's handler; offline bindings and handlers run as someone else need an administrator."""
    from kontora.rest.models import EventHandler

    name = str(event or "").strip().upper()
    if name not in event_names():
        raise NotFound()
    user = user or by
    if (offline or user.pk != by.pk) and not is_administrator(by):
        raise Forbidden()
    url = "" if offline else _handler_url(handler)
    existing = EventHandler.objects.filter(application=app, event=name, handler=url, offline=offline, user=user,
                                           active=True)  # fmt: skip
    if existing.exists():
        raise Invalid("ERROR_HANDLER_ALREADY_EXIST", "handler", "Handler already binded")
    row = EventHandler.objects.create(event=name, handler=url, application=app, user=user, offline=offline,
                                      application_token=app.application_token)  # fmt: skip
    history.record(row, by=by, action="create", changes={"event": [None, name], "handler": [None, url]})
    return row


def bound_handlers(app: Application) -> list:
    from kontora.rest.models import EventHandler

    return list(EventHandler.objects.filter(application=app, active=True).order_by("id"))


@transaction.atomic
def unbind_event(app: Application, *, by, event: str, handler: str = "", user=None, offline: bool = False) -> int:
    from kontora.rest.models import EventHandler

    rows = EventHandler.objects.filter(application=app, event=str(event or "").strip().upper(), offline=offline,
                                       active=True)  # fmt: skip
    if handler and not offline:
        rows = rows.filter(handler=handler)
    if user is not None:
        rows = rows.filter(user=user)
    count = 0
    for row in rows:
        row.active = False
        row.save(update_fields=["active"])
        history.record(row, by=by, action="update", changes={"active": [True, False]})
        count += 1
    return count


def find_webhook(pk: int, *, by) -> Webhook:
    """An inbound webhook of `by` (administrators: anyone's), or NotFound."""
    rows = Webhook.objects.filter(pk=pk, active=True)
    webhook = (rows if is_administrator(by) else rows.filter(user=by)).first()
    if webhook is None:
        raise NotFound()
    return webhook


def failed_reason(error: str) -> str:
    """The last line of a delivery's kept error (the traceback's message)."""
    lines = [line for line in (error or "").strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("kontora.rest.jobs.DeliveryFailed: ")[:300] if lines else ""
