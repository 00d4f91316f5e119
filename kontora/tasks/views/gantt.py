"""The Gantt chart: the page, its data, dragging a bar (dependents follow), and linking tasks."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.tasks import gantt, selectors
from kontora.tasks.services import dependencies
from kontora.tasks.views.nav import tabs

ROLE_TABS = (
    ("all", gettext_lazy("All tasks")),
    ("doing", gettext_lazy("Doing")),
    ("set_by_me", gettext_lazy("Set by me")),
    ("department", gettext_lazy("Department")),
)


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _refusal(error: Forbidden | Invalid) -> JsonResponse:
    return _error(error.message, 403 if isinstance(error, Forbidden) else 400)


def _task(request, name: str):
    value = request.POST.get(name, "")
    task = selectors.get_task(request.user, int(value)) if value.isdigit() else None
    if task is None:
        raise Http404
    return task


@login_required
def page(request):
    """The chart's frame; the bars come from `gantt_data` with the same query."""
    role = gantt.role_of(request.GET.get("role"))
    project = gantt.project_of(request.user, request.GET.get("project"))
    query = {"project": project.pk} if project else {"role": role}
    role_tabs = [
        {"key": key, "label": label, "url": "?" + urlencode({"role": key}), "current": project is None and key == role}
        for key, label in ROLE_TABS
    ]
    return render(
        request,
        "tasks/gantt/page.html",
        {
            "tabs": tabs("gantt"),
            "role_tabs": role_tabs,
            "project": project,
            "projects": selectors.my_projects(request.user).order_by("name"),
            "data_url": reverse("tasks:gantt_data") + "?" + urlencode(query),
            "link_types": [(kind.value, short, kind.label) for kind, short in gantt.SHORT.items()],
        },
    )


@login_required
def data(request):
    """Bars and links as JSON, for frappe-gantt."""
    role = gantt.role_of(request.GET.get("role"))
    project = gantt.project_of(request.user, request.GET.get("project"))
    if request.GET.get("project") and project is None:
        raise Http404
    return JsonResponse(gantt.chart(request.user, role, project))


@login_required
@require_POST
def move(request, pk: int):
    """A dragged or resized bar: start and end are whole days (YYYY-MM-DD, the end inclusive)."""
    task = selectors.get_task(request.user, pk)
    if task is None:
        raise Http404
    start_day, end_day = gantt.parse_day(request.POST.get("start")), gantt.parse_day(request.POST.get("end"))
    if start_day is None or end_day is None or end_day < start_day:
        return _error(_("These are not the dates of a bar."), 400)
    start, end = gantt.bar_dates(task, start_day, end_day)
    try:
        moved = dependencies.move_task(task, by=request.user, start=start, end=end)
    except NotFound:
        raise Http404 from None
    except (Forbidden, Invalid) as error:
        return _refusal(error)
    blocked = len(getattr(moved, "blocked", []))
    message = (
        ngettext(
            "%(count)s dependent task was not moved: you may not change it.",
            "%(count)s dependent tasks were not moved: you may not change them.",
            blocked,
        )
        % {"count": blocked}
        if blocked
        else ""
    )
    return JsonResponse({"moved": gantt.moved_bars(request.user, moved), "blocked": blocked, "message": message})


@login_required
@require_POST
def link(request):
    """Make the successor depend on the predecessor with the chosen link type."""
    predecessor, successor = _task(request, "predecessor"), _task(request, "successor")
    kind = request.POST.get("type", "")
    if not kind.isdigit():
        return _error(_("Unknown link type."), 400)
    try:
        dependency = dependencies.add_dependency(predecessor, successor, by=request.user, type=int(kind))
    except NotFound:
        raise Http404 from None
    except (Forbidden, Invalid) as error:
        return _refusal(error)
    return JsonResponse({"link": gantt.link(dependency, True)})


@login_required
@require_POST
def unlink(request, pk: int):
    dependency = gantt.visible_dependency(request.user, pk)
    if dependency is None:
        raise Http404
    try:
        dependencies.remove_dependency(dependency, by=request.user)
    except NotFound:
        raise Http404 from None
    except (Forbidden, Invalid) as error:
        return _refusal(error)
    return JsonResponse({"removed": pk})


urlpatterns: list = [
    path("gantt/", page, name="gantt"),
    path("gantt/data/", data, name="gantt_data"),
    path("gantt/<int:pk>/move/", move, name="gantt_move"),
    path("gantt/link/", link, name="gantt_link"),
    path("gantt/unlink/<int:pk>/", unlink, name="gantt_unlink"),
]
