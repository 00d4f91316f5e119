"""The WebSocket: only signed-in users connect, each hears only their own pushes, raised in any process."""

import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from kontora.events import notifications
from kontora.events.models import RealtimeMessage
from kontora.web.consumers import PushConsumer
from tests.support.processes import REDIS_URL, redis_available

pytestmark = pytest.mark.django_db(transaction=True)


def communicator_for(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(PushConsumer.as_asgi(), "/ws/")
    communicator.scope["user"] = user
    return communicator


def test_anonymous_socket_is_refused():
    async def scenario():
        connected, code = await communicator_for(AnonymousUser()).connect()
        return connected, code

    connected, code = async_to_sync(scenario)()

    assert not connected
    assert code == 4401


def test_notification_reaches_the_recipients_socket_and_no_one_elses(org):
    async def scenario():
        anna, irina = communicator_for(org.sales_rep), communicator_for(org.marketing_rep)
        assert (await anna.connect())[0] and (await irina.connect())[0]
        await sync_to_async(notifications.notify)(org.sales_rep, "Plan next steps", email=False)
        message = await anna.receive_json_from(timeout=5)
        nothing_for_irina = await irina.receive_nothing(timeout=1)
        await anna.disconnect()
        await irina.disconnect()
        return message, nothing_for_irina

    message, nothing_for_irina = async_to_sync(scenario)()

    assert message["kind"] == "notifications"
    assert message["data"]["unread"] == 1
    assert message["data"]["notification"]["message"] == "Plan next steps"
    assert nothing_for_irina


@pytest.mark.skipif(not redis_available(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_distributed_mode_publishes_straight_to_redis(org, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"kontora-test-{uuid.uuid4().hex[:8]}"},
        }
    }
    settings.REALTIME_DIRECT = True

    async def scenario():
        anna = communicator_for(org.sales_rep)
        assert (await anna.connect())[0]
        await sync_to_async(notifications.notify)(org.sales_rep, "Deal won", email=False)
        message = await anna.receive_json_from(timeout=5)
        await anna.disconnect()
        return message

    message = async_to_sync(scenario)()

    assert message["data"]["notification"]["message"] == "Deal won"
    assert not RealtimeMessage.objects.exists()  # no outbox detour in this mode
