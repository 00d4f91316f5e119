"""A leaky bucket per caller (source address and webhook user), off unless KONTORA_REST_RATE is set."""

import time

from django.conf import settings
from django.core.cache import cache

from kontora.rest.errors import RestError


def check(request, user_id: int | None) -> None:
    """Each request adds one drop; the bucket drains `rate` drops a second; past `burst` drops: 503."""
    rate, burst = settings.KONTORA_REST_RATE, settings.KONTORA_REST_BURST
    if not rate:
        return
    key = f"rest-bucket:{request.META.get('REMOTE_ADDR', '')}:{user_id or ''}"
    now = time.time()
    level, then = cache.get(key, (0.0, now))
    level = max(0.0, level - (now - then) * rate) + 1
    cache.set(key, (level, now), timeout=int(burst / rate) + 60)
    if level > burst:
        raise RestError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)
