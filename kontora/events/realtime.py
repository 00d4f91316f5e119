"""Realtime pushes to users' browsers over the one WebSocket per tab.

Distributed mode publishes straight to the Redis channel layer. Embedded mode writes to an outbox table that
the web process's poller forwards to its in-memory layer, so pushes raised in the worker still arrive.
"""

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kontora.events.models import RealtimeMessage

logger = logging.getLogger("kontora.realtime")


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def push(user_ids: Iterable[int], kind: str, data: dict[str, Any]) -> None:
    """Send `{kind, data}` to every open tab of these users, after the current transaction commits."""
    groups = [user_group(pk) for pk in set(user_ids)]
    payload = {"kind": kind, "data": data}
    if settings.REALTIME_DIRECT:
        transaction.on_commit(lambda: _send_now(groups, payload), robust=True)
    else:
        RealtimeMessage.objects.bulk_create(RealtimeMessage(group=group, payload=payload) for group in groups)


def _send_now(groups: list[str], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    for group in groups:
        async_to_sync(layer.group_send)(group, {"type": "push", "payload": payload})


class OutboxPoller:
    """Forwards outbox rows to the in-memory channel layer; one per web process, started on first connect.

    It rereads a short window of recent rows rather than "ids after the last one": transactions may commit out
    of id order, and a row that commits late must still be delivered, once.
    """

    WINDOW = timedelta(seconds=30)

    def __init__(self) -> None:
        self.task: asyncio.Task | None = None
        self.started_at = None
        self.seen: dict[int, datetime] = {}

    def ensure_running(self) -> None:
        if settings.REALTIME_DIRECT or (self.task is not None and not self.task.done()):
            return
        self.started_at = self.started_at or timezone.now()
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        layer = get_channel_layer()
        while True:
            try:
                await self.forward(layer)
            except Exception:
                logger.exception("realtime outbox poll failed")
            await asyncio.sleep(settings.REALTIME_POLL_SECONDS)

    async def forward(self, layer) -> None:
        since = max(self.started_at, timezone.now() - self.WINDOW)
        for pk, group, payload, created_at in await sync_to_async(_rows_since)(since):
            if pk in self.seen:
                continue
            self.seen[pk] = created_at
            await layer.group_send(group, {"type": "push", "payload": payload})
        self.seen = {pk: at for pk, at in self.seen.items() if at >= since}


def _rows_since(since) -> list[tuple[int, str, dict, datetime]]:
    rows = RealtimeMessage.objects.filter(created_at__gte=since).order_by("id")
    return list(rows.values_list("id", "group", "payload", "created_at")[:2000])


def prune_outbox(older_than: timedelta = timedelta(hours=1)) -> int:
    deleted, _ = RealtimeMessage.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


poller = OutboxPoller()
