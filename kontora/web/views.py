"""The home page, global search, notifications and the language switch."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.static import serve

from kontora.accounts import services as account_services
from kontora.core.registry import registry
from kontora.events import notifications


@login_required
def home(request):
    return render(request, "web/home.html", {"recent": notifications.recent(request.user, 10)})


@login_required
def media_file(request, path: str):
    """Uploaded files in embedded mode, for signed-in people only (distributed mode serves them from S3)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


@login_required
def search(request):
    query = request.GET.get("q", "").strip()
    sections = []
    if query:
        for provider in registry.items("search_providers").values():
            hits = provider.search(request.user, query, 20)
            if hits:
                sections.append({"label": provider.label, "hits": hits})
    return render(request, "web/search.html", {"query": query, "sections": sections})


@login_required
def notification_list(request):
    template = "web/notifications.html#list" if request.htmx else "web/notifications.html"
    return render(request, template, {"items": notifications.recent(request.user, 50)})


@login_required
@require_POST
def notification_read(request, pk: int | None = None):
    notifications.mark_read(request.user, pk)
    if request.htmx:
        return render(request, "web/notifications.html#list", {"items": notifications.recent(request.user, 50)})
    return redirect("web:notifications")


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user keeps the choice in the profile."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponse(_("Unknown language."), status=400)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    if request.user.is_authenticated:
        account_services.set_language(request.user, language)
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
