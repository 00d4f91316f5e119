"""Who may call the API (inbound webhooks, OAuth applications and their tokens) and where events go."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontora.core.models import DurableWork


def new_secret(length: int = 24) -> str:
    return secrets.token_urlsafe(length)[:length].replace("-", "x").replace("_", "y")


def digest(secret: str) -> str:
    """Secrets are kept as SHA-256 digests: they are long random strings, so a fast digest is enough and lets a
    request find its webhook or token with one indexed lookup."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Webhook(models.Model):
    """An inbound webhook: /rest/{user_id}/{code}/{method} runs as `user`, limited to `scopes`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rest_webhooks")
    title = models.CharField(_("title"), max_length=255, blank=True)
    code_digest = models.CharField(max_length=64, unique=True)
    code_hint = models.CharField(max_length=8, blank=True)  # the first characters, to tell webhooks apart
    scopes = models.JSONField(_("scopes"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbound webhook")
        verbose_name_plural = _("inbound webhooks")

    def __str__(self) -> str:
        return self.title or f"{self.code_hint}…"


class Application(models.Model):
    """An OAuth application (a local app of Bitrix24): client id and secret, its scopes and redirect address."""

    name = models.CharField(_("name"), max_length=255)
    client_id = models.CharField(max_length=64, unique=True)
    secret_digest = models.CharField(max_length=64)
    redirect_uri = models.URLField(_("redirect address"), blank=True)
    scopes = models.JSONField(_("scopes"), default=list)
    code = models.CharField(_("code"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)
    application_token = models.CharField(max_length=64)  # sent with events so the app can check them
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """An authorization code, an access token or a refresh token of an application for a user (digests only)."""

    class Kind(models.TextChoices):
        CODE = "code"
        ACCESS = "access"
        REFRESH = "refresh"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind)
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["application", "user", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.application_id} for {self.user_id}"


class EventHandler(models.Model):
    """Where an event goes: an app's `event.bind` handler, or an outgoing webhook set up in the UI."""

    event = models.CharField(max_length=100)  # Bitrix24's name, uppercase: ONCRMDEALADD
    handler = models.URLField(max_length=1000, blank=True)  # empty for offline events
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    offline = models.BooleanField(default=False)
    title = models.CharField(max_length=255, blank=True)
    application_token = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "id"]
        indexes = [models.Index(fields=["event", "active"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.handler or 'offline'}"


class Delivery(DurableWork):
    """One event for one handler: posted by a background job, retried with back-off, its outcome kept."""

    handler = models.ForeignKey(EventHandler, on_delete=models.CASCADE, related_name="deliveries")
    body = models.JSONField()  # the form fields, already flattened PHP-style: [[key, value], …]
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    max_attempts = 8

    class Meta(DurableWork.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.handler_id}: {self.status}"


class OfflineEvent(models.Model):
    """An event kept for an application that reads it with `event.offline.get`."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=100)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    process_id = models.CharField(max_length=64, blank=True)
    error = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.event
