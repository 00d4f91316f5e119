"""The event bus, history (who changed what) and notifications.

`events.emit()` is the one way business code announces a change; see docs/dev/subsystems/events.md.
"""


def emit(name: str, obj=None, /, *, by=None, **data):
    """Record a domain event and deliver it to subscribers after commit (see kontora.events.bus.emit)."""
    from kontora.events.bus import emit as _emit

    return _emit(name, obj, by=by, **data)


def subscribe(pattern: str, handler) -> None:
    """Register `handler(event)` for event names matching `pattern`; call from AppConfig.ready()."""
    from kontora.events.bus import subscribe as _subscribe

    _subscribe(pattern, handler)


def declare(name: str, label: str, bitrix_name: str = ""):
    """Declare an event type (with its Bitrix24 REST name, if any); call from AppConfig.ready()."""
    from kontora.events.bus import declare as _declare

    return _declare(name, label, bitrix_name)
