"""The one WebSocket per tab: notifications and counters now, chat and live boards later."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from kontora.events.realtime import poller, user_group


class PushConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        poller.ensure_running()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def push(self, message: dict) -> None:
        await self.send_json(message["payload"])
