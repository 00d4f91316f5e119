"""The task list with its tabs, counters, filters and export; the deadline kanban, "My plan", the calendar and the
team's counters. Card moves answer JSON: the new column, or the reason the move was refused."""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.tasks import boards, list_exports, selectors
from kontora.tasks.choices import Status
from kontora.tasks.services import filters as filter_services
from kontora.tasks.services import plan as plan_services
from kontora.tasks.services.tasks import create_task, set_deadline
from kontora.tasks.views.nav import tabs

FILTER_FIELDS = (
    "role", "counter", "person", "preset", "q", "status", "responsible", "creator", "project", "tag", "deadline_from",
    "deadline_to",
)  # fmt: skip


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Search by title")}),
    )  # fmt: skip
    status = forms.TypedChoiceField(label=gettext_lazy("Status"), required=False, coerce=int, empty_value=None)
    responsible = forms.ModelChoiceField(
        label=gettext_lazy("Responsible"), queryset=None, required=False, empty_label=gettext_lazy("Any responsible")
    )
    creator = forms.ModelChoiceField(
        label=gettext_lazy("Created by"), queryset=None, required=False, empty_label=gettext_lazy("Any creator")
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"), queryset=None, required=False, empty_label=gettext_lazy("Any project")
    )
    tag = forms.CharField(
        label=gettext_lazy("Tag"), required=False, max_length=50,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Tag")}),
    )  # fmt: skip
    deadline_from = forms.DateField(label=gettext_lazy("Deadline from"), required=False, widget=_date_input())
    deadline_to = forms.DateField(label=gettext_lazy("Deadline to"), required=False, widget=_date_input())

    def __init__(self, data, *, user) -> None:
        super().__init__(data)
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]
        self.fields["responsible"].queryset = boards.people()
        self.fields["creator"].queryset = boards.people()
        self.fields["project"].queryset = boards.projects(user)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label

    def criteria(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()  # a field with a bad value drops out; the others still filter
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class QuickAddForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("What has to be done"), max_length=255,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("New task")}),
    )  # fmt: skip
    responsible = forms.ModelChoiceField(label=gettext_lazy("Responsible"), queryset=None, required=False)
    deadline = forms.DateTimeField(
        label=gettext_lazy("Deadline"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip

    def __init__(self, data=None, *, user) -> None:
        super().__init__(data, initial={"responsible": user.pk}, auto_id="quick_%s")
        self.fields["responsible"].queryset = boards.people()
        self.fields["responsible"].empty_label = None
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label


def _url(base: str, params: QueryDict, **changes) -> str:
    merged = params.copy()
    for key, value in changes.items():
        merged.pop(key, None)
        if value:
            merged[key] = value
    encoded = merged.urlencode()
    return f"{base}?{encoded}" if encoded else base


def _filter_params(params: QueryDict) -> dict[str, str]:
    return {name: params[name].strip() for name in FILTER_FIELDS if params.get(name, "").strip()}


def _person(request):
    pk = request.GET.get("person", "")
    return boards.people().filter(pk=pk).first() if pk.isdigit() else None


def _rows(request, form: FilterForm):
    role = request.GET.get("role") or "doing"
    return boards.list_rows(
        request.user, role=role, counter=request.GET.get("counter", ""), person=_person(request),
        preset=request.GET.get("preset", ""), criteria=form.criteria(),
    )  # fmt: skip


@login_required
def task_list(request):
    if request.method == "POST":
        return _list_post(request)
    form = FilterForm(request.GET or None, user=request.user)
    rows = _rows(request, form)
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in ("csv", "xlsx") or not boards.can_export(request.user):
            raise Http404
        rows = boards.exportable(request.user, rows)
        return list_exports.csv_response(rows) if fmt == "csv" else list_exports.xlsx_response(rows)
    list_url = reverse("tasks:list")
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(rows, boards.PAGE_SIZE).get_page(request.GET.get("page"))
    counter, role = request.GET.get("counter", ""), request.GET.get("role") or "doing"
    person = _person(request)
    current = _filter_params(request.GET)
    counts = selectors.counters(request.user.pk)
    context = {
        "tabs": tabs("list"),
        "form": form,
        "list_url": list_url,
        "page": page,
        "role_tabs": [
            {
                "key": key,
                "label": label,
                "url": _url(list_url, QueryDict(), role=key),
                "current": key == role and not counter,
            }
            for key, label in boards.ROLE_LABELS.items()
        ],  # fmt: skip
        "counter_chips": [
            {
                "key": key,
                "label": label,
                "value": counts[key],
                "url": _url(list_url, QueryDict(), counter=key),
                "current": key == counter and person is None,
            }
            for key, label in boards.COUNTER_LABELS.items()
        ],  # fmt: skip
        "counter_label": boards.COUNTER_LABELS.get(counter),
        "person": person,
        "presets": [
            {
                "key": key,
                "label": label,
                "url": _url(list_url, params, preset="" if key == params.get("preset") else key),
                "current": key == params.get("preset"),
            }
            for key, label in boards.PRESETS.items()
        ],  # fmt: skip
        "hidden": {name: params[name] for name in ("role", "counter", "person", "preset") if params.get(name)},
        "saved_filters": [
            {"filter": saved, "url": _url(list_url, _query(saved.params)), "active": saved.params == current}
            for saved in boards.saved_filters(request.user)
        ],
        "can_save_filter": bool(current),
        "can_export": boards.can_export(request.user),
        "export_csv_url": _url(list_url, params, export="csv"),
        "export_xlsx_url": _url(list_url, params, export="xlsx"),
        "next_url": _url(list_url, params, page=str(page.next_page_number())) if page.has_next() else None,
        "previous_url": _url(list_url, params, page=str(page.previous_page_number())) if page.has_previous() else None,
        "quick_form": QuickAddForm(user=request.user),
        "now": timezone.now(),
    }
    template = "tasks/lists/list.html#rows" if request.htmx and not request.htmx.boosted else "tasks/lists/list.html"
    return render(request, template, context)


def _query(values: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in values.items():
        query[name] = value
    return query


def _list_post(request):
    back = request.get_full_path()
    try:
        if "quick_add" in request.POST:
            form = QuickAddForm(request.POST, user=request.user)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect(back)
            task = create_task(by=request.user, **{k: v for k, v in form.cleaned_data.items() if v is not None})
            messages.success(request, _("Task “%(title)s” added.") % {"title": task.title})
        elif "save_filter" in request.POST:
            saved = filter_services.save_filter(
                by=request.user, name=request.POST.get("name", ""), params=_filter_params(request.GET)
            )
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
        elif "delete_filter" in request.POST:
            pk = request.POST["delete_filter"]
            saved = boards.saved_filter(request.user, int(pk) if pk.isdigit() else 0)
            if saved is None:
                raise Http404
            filter_services.delete_filter(saved, by=request.user)
            messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)
    return redirect(back)


# ---- the deadline kanban -----------------------------------------------------------------------------------


@login_required
@require_GET
def deadline_board(request):
    context = {"tabs": tabs("deadlines"), "columns": boards.deadline_board(request.user), "now": timezone.now()}
    return render(request, "tasks/lists/deadlines.html", context)


def _refused(error: Exception) -> JsonResponse:
    status = 403 if isinstance(error, Forbidden) else 422
    message = getattr(error, "message", "") or _("You may not change this task.")
    return JsonResponse({"ok": False, "error": str(message)}, status=status)


def _parse_moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("NOT_A_DATE", "deadline", _("This is not a date and time.")) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@login_required
@require_POST
def deadline_move(request, pk: int):
    """Set a deadline from a drop: a kanban column (`column=today`) or an exact moment (`deadline=ISO`)."""
    task = selectors.get_task(request.user, pk)
    if task is None:
        raise Http404
    try:
        if "deadline" in request.POST:
            deadline = _parse_moment(request.POST["deadline"]) if request.POST["deadline"] else None
        else:
            deadline = boards.deadline_for(request.POST.get("column", ""), boards.bounds())
        task = set_deadline(task, deadline, by=request.user)
    except (Invalid, Forbidden) as error:
        return _refused(error)
    except NotFound as error:
        raise Http404 from error
    return JsonResponse({
        "ok": True,
        "column": boards.column_of(task.deadline, boards.bounds()),
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "deadline_text": formats.date_format(timezone.localtime(task.deadline), "SHORT_DATETIME_FORMAT")
        if task.deadline else "",
    })  # fmt: skip


# ---- My plan ----------------------------------------------------------------------------------------------


@login_required
def plan(request):
    if request.method == "POST":
        return _plan_post(request)
    columns = plan_services.ensure_columns(by=request.user)
    context = {"tabs": tabs("plan"), "board": boards.plan_board(request.user, columns), "now": timezone.now()}
    return render(request, "tasks/lists/plan.html", context)


def _plan_post(request):
    pk = request.POST.get("column", "")
    column = boards.plan_column(request.user, int(pk)) if pk.isdigit() else None
    try:
        if "add_column" in request.POST:
            plan_services.add_column(by=request.user, title=request.POST.get("title", ""))
        elif column is None:
            raise Http404
        elif "rename_column" in request.POST:
            plan_services.rename_column(column, by=request.user, title=request.POST.get("title", ""))
        elif "delete_column" in request.POST:
            plan_services.delete_column(column, by=request.user)
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)
    return redirect("tasks:plan")


@login_required
@require_POST
def plan_move(request, pk: int):
    task = boards.plan_task(request.user, pk)
    column_pk, position = request.POST.get("column", ""), request.POST.get("position", "")
    column = boards.plan_column(request.user, int(column_pk)) if column_pk.isdigit() else None
    if task is None or column is None:
        raise Http404
    plan_services.place_task(task, column, by=request.user, position=int(position) if position.isdigit() else 0)
    return JsonResponse({"ok": True, "column": column.pk})


# ---- the calendar -----------------------------------------------------------------------------------------


@login_required
@require_GET
def calendar(request):
    context = {"tabs": tabs("calendar"), "language": translation.get_language()}
    return render(request, "tasks/lists/calendar.html", context)


@login_required
@require_GET
def calendar_feed(request):
    try:
        start, end = _parse_moment(request.GET.get("start", "")), _parse_moment(request.GET.get("end", ""))
    except Invalid as error:
        return HttpResponseBadRequest(error.message)
    events = []
    for task in boards.calendar_tasks(request.user, start, end):
        event = {
            "id": str(task.pk),
            "title": task.title,
            "url": reverse("tasks:card", args=[task.pk]),
            "classNames": ["task-event", "overdue"] if task.is_overdue else ["task-event"],
            "extendedProps": {"moveUrl": reverse("tasks:deadline_move", args=[task.pk]),
                              "responsible": task.responsible.full_name},
        }  # fmt: skip
        if task.deadline:
            event.update(start=task.deadline.isoformat(), editable=True)
        else:
            event.update(start=task.start_date_plan.isoformat(), end=task.end_date_plan.isoformat(), editable=False)
        events.append(event)
    return JsonResponse(events, safe=False)


# ---- the team's counters ----------------------------------------------------------------------------------


@login_required
@require_GET
def team_counters(request):
    list_url = reverse("tasks:list")
    rows = [
        {
            "person": row["person"],
            "cells": [
                {
                    "key": key,
                    "value": row["counters"][key],
                    "url": _url(list_url, QueryDict(), counter=key, person=str(row["person"].pk)),
                }
                for key in boards.COUNTER_LABELS
            ],
        }  # fmt: skip
        for row in boards.team_counters(request.user)
    ]
    context = {"tabs": tabs("team"), "rows": rows, "labels": list(boards.COUNTER_LABELS.values())}
    return render(request, "tasks/lists/team.html", context)


urlpatterns = [
    path("", task_list, name="list"),
    path("deadlines/", deadline_board, name="deadline_board"),
    path("deadlines/<int:pk>/move/", deadline_move, name="deadline_move"),
    path("plan/", plan, name="plan"),
    path("plan/<int:pk>/move/", plan_move, name="plan_move"),
    path("calendar/", calendar, name="calendar"),
    path("calendar/feed/", calendar_feed, name="calendar_feed"),
    path("team/", team_counters, name="team_counters"),
]
