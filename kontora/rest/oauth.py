"""OAuth 2.0 as Bitrix24 does it: /oauth/authorize/ (a person allows an app) and /oauth/token/ (code or refresh).

Codes live 30 seconds and serve once; access tokens live an hour; refresh tokens 28 days and serve once (each
exchange gives a new pair). Only digests are stored (`Grant`). Token errors are JSON, as Bitrix24's OAuth server's.
"""

from urllib.parse import urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from kontora.core.errors import Forbidden, Invalid
from kontora.rest import services
from kontora.rest.errors import RestError
from kontora.rest.models import digest
from kontora.rest.params import from_request


@login_required
def authorize(request):
    """GET: the page asking the signed-in person to allow the app; POST (allow): redirect with a code."""
    source = request.POST if request.method == "POST" else request.GET
    app = services.application_by_client_id(source.get("client_id", ""))
    if app is None:
        return HttpResponseBadRequest("Unknown client_id", content_type="text/plain; charset=utf-8")
    state = source.get("state", "")
    if request.method != "POST":
        return render(request, "rest/oauth_authorize.html", {"app": app, "state": state})
    try:
        code = services.issue_code(app, user=request.user)
    except Forbidden:
        return HttpResponseBadRequest("Application is not available", content_type="text/plain; charset=utf-8")
    answer = {
        "code": code, "state": state, "domain": services.portal_domain(), "member_id": services.member_id(),
        "scope": ",".join(app.scopes), "server_domain": services.portal_domain(),
    }  # fmt: skip
    if not app.redirect_uri:
        return render(request, "rest/oauth_authorize.html", {"app": app, "state": state, "code": code})
    separator = "&" if urlsplit(app.redirect_uri).query else "?"
    return HttpResponseRedirect(f"{app.redirect_uri}{separator}{urlencode(answer)}")


@csrf_exempt
def token(request):
    """GET or POST: grant_type=authorization_code (code) or refresh_token (refresh_token), client_id, client_secret."""
    try:
        params = from_request(request)
    except RestError:
        return _error("invalid_request", "The request body is not valid", 400)
    app = services.application_by_client_id(str(params.get("client_id") or ""))
    if app is None or digest(str(params.get("client_secret") or "")) != app.secret_digest:
        return _error("invalid_client", "Invalid client authentication", 401)
    grant_type = str(params.get("grant_type") or "")
    kinds = {"authorization_code": ("code", "code"), "refresh_token": ("refresh", "refresh_token")}
    if grant_type not in kinds:
        return _error("unsupported_grant_type", "The authorization grant type is not supported", 400)
    kind, field = kinds[grant_type]
    try:
        answer = services.redeem(app, kind=kind, secret=str(params.get(field) or ""))
    except Invalid:
        return _error("invalid_grant", "Invalid authorization code or refresh token", 400)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


def _error(code: str, description: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "error_description": description}, status=status)
