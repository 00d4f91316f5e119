"""What every page's shell needs: the menu the user may open and the unread notifications count."""

from django.conf import settings

from kontora.core.registry import header_counters, menu_entries
from kontora.events import notifications


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"languages": settings.LANGUAGES}
    return {
        "menu": menu_entries(user),
        "counters": header_counters(user),
        "unread_notifications": notifications.unread_count(user),
        "languages": settings.LANGUAGES,
        "websocket_url": settings.WEBSOCKET_URL,
    }
