"""Pages of the REST API: settings (webhooks, applications, outgoing webhooks and their deliveries) and the docs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.rest import openapi, registry, services


def _context(request, **extra) -> dict:
    admin = is_administrator(request.user)
    hooks = services.outgoing_webhooks(by=request.user)
    for hook in hooks:
        hook["deliveries"] = services.deliveries(by=request.user, token=hook["token"], limit=20)
        for delivery in hook["deliveries"]:
            delivery.reason = services.failed_reason(delivery.last_error)
    return {
        "webhooks": services.my_webhooks(request.user),
        "applications": services.applications(by=request.user),
        "outgoing": hooks,
        "is_admin": admin,
        "scopes": registry.scopes(),
        "event_names": services.event_names() if admin else [],
        "site_url": services.client_endpoint(),
        **extra,
    }


@login_required
def settings_page(request):
    return render(request, "rest/settings.html", _context(request))


@login_required
@require_POST
def settings_action(request, action: str):
    """Each form posts here; a new code or secret is rendered in the answer and never again."""
    post, user = request.POST, request.user
    try:
        if action == "webhook":
            webhook, code = services.create_webhook(user, by=user, scopes=post.getlist("scopes"),
                                                    title=post.get("title", ""))  # fmt: skip
            shown = {"kind": "webhook", "url": services.webhook_url(user.pk, code), "title": str(webhook)}
            return render(request, "rest/settings.html", _context(request, shown=shown))
        if action == "application":
            app, secret = services.create_application(by=user, name=post.get("name", ""), scopes=post.getlist("scopes"),
                                                      redirect_uri=post.get("redirect_uri", "").strip())  # fmt: skip
            shown = {"kind": "application", "client_id": app.client_id, "secret": secret, "title": app.name}
            return render(request, "rest/settings.html", _context(request, shown=shown))
        if action == "outgoing":
            services.create_outgoing_webhook(by=user, handler=post.get("handler", ""), events=post.getlist("events"),
                                             title=post.get("title", ""))  # fmt: skip
            messages.success(request, _("Outgoing webhook created."))
        elif action == "revoke-webhook":
            services.revoke_webhook(services.find_webhook(int(post.get("id") or 0), by=user), by=user)
            messages.success(request, _("Webhook revoked."))
        elif action == "revoke-outgoing":
            services.revoke_outgoing_webhook(post.get("token", ""), by=user)
            messages.success(request, _("Outgoing webhook removed."))
        elif action == "retry":
            services.retry_delivery(int(post.get("id") or 0), by=user)
            messages.success(request, _("The delivery will be retried now."))
        else:
            raise Http404()
    except Invalid as error:
        messages.error(request, error.message)
    except (Forbidden, NotFound, ValueError) as error:
        raise Http404() from error
    return redirect("rest:settings")


def docs_index(request):
    methods = list(registry.all_methods().values())
    return render(request, "rest/docs_index.html", {"methods": methods, "scopes": registry.scopes()})


def docs_method(request, name: str):
    item = registry.find(name)
    if item is None:
        raise Http404()
    return render(request, "rest/docs_method.html", {"method": item})


def openapi_json(request):
    return JsonResponse(openapi.build(), json_dumps_params={"ensure_ascii": False})
