"""An OpenAPI 3.1 description of the registered REST methods, one POST path per method on the webhook URL."""

from typing import Any

from django.conf import settings

from kontora.rest.registry import Method, all_methods

ERROR_STATUSES = {
    "400": "Bad request (legacy crm.* methods answer with an empty error code)",
    "401": "No or wrong authorization (NO_AUTH_FOUND, expired_token, invalid_token)",
    "403": "Not allowed (insufficient_scope, ACCESS_DENIED, WRONG_AUTH_TYPE)",
    "404": "Unknown method (ERROR_METHOD_NOT_FOUND)",
    "503": "Rate limit (QUERY_LIMIT_EXCEEDED)",
}


def _schemas() -> dict[str, Any]:
    number = {"type": "number"}
    return {
        "Time": {
            "type": "object",
            "required": ["start", "finish", "duration", "processing", "date_start", "date_finish"],
            "properties": {
                "start": number, "finish": number, "duration": number, "processing": number,
                "date_start": {"type": "string"}, "date_finish": {"type": "string"},
                "operating": number, "operating_reset_at": {"type": "integer"},
            },
        },
        "Success": {
            "type": "object",
            "required": ["result", "time"],
            "properties": {
                "result": {}, "total": {"type": "integer"}, "next": {"type": "integer"},
                "time": {"$ref": "#/components/schemas/Time"},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "error_description"],
            "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
        },
    }  # fmt: skip


def _operation(item: Method) -> dict[str, Any]:
    properties = {name: {"description": text} for name, text in item.params.items()}
    responses: dict[str, Any] = {
        "200": {"description": "Success", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Success"}}}},
    }  # fmt: skip
    for status, text in ERROR_STATUSES.items():
        responses[status] = {"description": text, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}  # fmt: skip
    summary = item.doc.splitlines()[0] if item.doc else item.name
    return {
        "operationId": item.name,
        "summary": summary,
        "description": item.doc,
        "tags": [item.scope or "basic"],
        "x-scope": item.scope,
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": True, "properties": properties,
            }}},
        },
        "responses": responses,
    }  # fmt: skip


def build() -> dict[str, Any]:
    """The description of every registered method; the path parameters are the webhook's user id and code."""
    path_parameters = [
        {"name": "user_id", "in": "path", "required": True, "schema": {"type": "integer"},
         "description": "The webhook's user"},
        {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "The webhook's code"},
    ]  # fmt: skip
    paths = {
        f"/rest/{{user_id}}/{{code}}/{name}": {"parameters": path_parameters, "post": _operation(item)}
        for name, item in all_methods().items()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kontora REST API",
            "version": "1",
            "description": "Wire-compatible with Bitrix24's REST API (classic v1). Every method also answers GET, "
            "form-encoded bodies, the .json suffix, and /rest/{method}?auth=TOKEN for OAuth applications.",
        },
        "servers": [{"url": settings.SITE_URL.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": _schemas()},
    }
