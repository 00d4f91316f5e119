"""The REST endpoints: /rest/{user_id}/{code}/{method} (inbound webhooks) and /rest/{method} (OAuth apps).

No CSRF (callers are programs), no redirects, JSON errors; a rate limit when configured."""

import logging

from django.views.decorators.csrf import csrf_exempt

from kontora.rest import auth, limits, runner
from kontora.rest.envelope import Clock, error_body, respond, success
from kontora.rest.errors import RestError
from kontora.rest.params import Params, from_request

logger = logging.getLogger("kontora.rest")


@csrf_exempt
def call_method(request, method: str, user_id: int | None = None, code: str | None = None, fmt: str | None = None):
    clock = Clock()
    try:
        if request.method not in ("GET", "POST"):
            raise RestError("INVALID_REQUEST", "Use GET or POST.", 405)
        limits.check(request, user_id)
        params = Params(from_request(request))
        call = auth.by_webhook(user_id, code, params, request) if code else auth.by_token(params, request)
        result = runner.run(method, call)
    except RestError as error:
        return respond(error_body(error), error.status)
    return respond(success(result, clock))
