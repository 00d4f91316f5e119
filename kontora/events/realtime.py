"""Realtime pushes to users' browsers over the one WebSocket per tab.

Distributed mode publishes straight to the Redis channel layer. Embedded mode writes to an outbox table that
the web process's poller forwards to its in-memory layer, so pushes raised in the worker still arrive.
"""

import asyncio
import logging
from collections.abc import Iterable
from datetime import timedelta
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
        transaction.on_commit(lambda: _send_now(groups, payload))
    else:
        RealtimeMessage.objects.bulk_create(RealtimeMessage(group=group, payload=payload) for group in groups)


def _send_now(groups: list[str], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    for group in groups:
        async_to_sync(layer.group_send)(group, {"type": "push", "payload": payload})


class OutboxPoller:
    """Forwards outbox rows to the in-memory channel layer; one per web process, started on first connect."""

    def __init__(self) -> None:
        self.task: asyncio.Task | None = None
        self.last_id: int | None = None

    def ensure_running(self) -> None:
        if settings.REALTIME_DIRECT or (self.task is not None and not self.task.done()):
            return
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        layer = get_channel_layer()
        if self.last_id is None:
            self.last_id = await sync_to_async(_latest_id)()
        while True:
            try:
                rows = await sync_to_async(_rows_after)(self.last_id)
                for pk, group, payload in rows:
                    await layer.group_send(group, {"type": "push", "payload": payload})
                    self.last_id = pk
            except Exception:
                logger.exception("realtime outbox poll failed")
            await asyncio.sleep(settings.REALTIME_POLL_SECONDS)


def _latest_id() -> int:
    return RealtimeMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _rows_after(last_id: int) -> list[tuple[int, str, dict]]:
    return list(
        RealtimeMessage.objects.filter(id__gt=last_id).order_by("id").values_list("id", "group", "payload")[:500]
    )


def prune_outbox(older_than: timedelta = timedelta(hours=1)) -> int:
    deleted, _ = RealtimeMessage.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


poller = OutboxPoller()
