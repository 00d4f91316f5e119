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
