"""The answers: Bitrix24's success envelope with its `time` block, the error body, PHP-like JSON."""

import datetime
import decimal
import json
import time
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from kontora.rest.errors import RestError
from kontora.rest.registry import ListResult


class Clock:
    """When a call started; `block()` is its `time` entry (all six keys b24pysdk reads)."""

    def __init__(self) -> None:
        self.started = time.time()

    def block(self) -> dict[str, Any]:
        finished = time.time()
        zone = timezone.get_current_timezone()
        return {
            "start": self.started,
            "finish": finished,
            "duration": finished - self.started,
            "processing": finished - self.started,
            "date_start": datetime.datetime.fromtimestamp(self.started, zone).isoformat(timespec="seconds"),
            "date_finish": datetime.datetime.fromtimestamp(finished, zone).isoformat(timespec="seconds"),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()} if value else []  # PHP: an empty map is []
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def success(result: Any, clock: Clock) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if isinstance(result, ListResult):
        body["result"] = _plain(result.result)
        if result.total is not None:
            body["total"] = result.total
        if result.next is not None:
            body["next"] = result.next
    else:
        body["result"] = _plain(result)
    body["time"] = clock.block()
    return body


def error_body(error: RestError) -> dict[str, Any]:
    return {"error": error.code, "error_description": error.description}


def respond(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
