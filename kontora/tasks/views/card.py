"""The task card (people, dates, status buttons, checklist, time, comments, reminders, files, history) and the
task form for new and changed tasks. Blocks of the card reload themselves as HTMX partials."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kontora.core.errors import Forbidden, Invalid, KontoraError
from kontora.tasks import cards, selectors
from kontora.tasks.forms import CommentForm, ReminderForm, TaskForm, TimeForm, initial_for, text_to_html
from kontora.tasks.models import Task
from kontora.tasks.services import checklist, comments, reminders, status, tasks, timing
from kontora.tasks.services.rights import TaskRights, rights_for
from kontora.tasks.views.nav import tabs

# the status buttons, in the order the card shows them: action, label, look
BUTTONS = (
    ("start", gettext_lazy("Start"), "button"),
    ("complete", gettext_lazy("Complete"), "button"),
    ("approve", gettext_lazy("Accept"), "button"),
    ("disapprove", gettext_lazy("Return for rework"), "button secondary"),
    ("pause", gettext_lazy("Pause"), "button secondary"),
    ("defer", gettext_lazy("Defer"), "button secondary"),
    ("renew", gettext_lazy("Renew"), "button secondary"),
    ("decline", gettext_lazy("Decline"), "button secondary"),
)
HISTORY_ACTIONS = {
    "create": gettext_lazy("created the task"),
    "update": gettext_lazy("changed"),
    "delete": gettext_lazy("moved the task to the bin"),
    "restore": gettext_lazy("restored the task"),
    "start": gettext_lazy("started the task"),
    "pause": gettext_lazy("paused the task"),
    "complete": gettext_lazy("completed the task"),
    "approve": gettext_lazy("accepted the task"),
    "disapprove": gettext_lazy("returned the task for rework"),
    "defer": gettext_lazy("deferred the task"),
    "renew": gettext_lazy("renewed the task"),
    "decline": gettext_lazy("declined the task"),
}
FIELD_NAMES = {
    "accomplices": gettext_lazy("co-executors"),
    "auditors": gettext_lazy("observers"),
    "crm": gettext_lazy("CRM"),
    "dependencies": gettext_lazy("dependencies"),
}
# a service's field → the form's field that shows its error
FORM_FIELDS = {"time_estimate": "estimate_hours", "priority": "high_priority", "stage": "project"}


def _task_or_404(request, pk: int) -> Task:
    task = selectors.get_task(request.user, pk)
    if task is None:
        raise Http404
    return task


def _card_url(task: Task) -> str:
    return reverse("tasks:card", args=[task.pk])


def _show_error(form, error: Invalid) -> None:
    field = FORM_FIELDS.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


# The form ------------------------------------------------------------------------------------------------------


def _projects(user, task: Task | None = None):
    projects = selectors.my_projects(user)
    if task is not None and task.project_id:
        projects = (projects | selectors.visible_projects(user).filter(pk=task.project_id)).distinct()
    return projects


def _form_page(request, form, task: Task | None, items: list[str], status_code: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "task": task,
        "items": items or [""],
        "parent": selectors.get_task(request.user, form["parent"].value()) if _digits(form["parent"].value()) else None,
        "tabs": tabs("list"),
    }
    return render(request, "tasks/card/form.html", context, status=status_code)


def _digits(value) -> bool:
    return str(value or "").isdigit()


@login_required
def new(request) -> HttpResponse:
    user = request.user
    if request.method != "POST":
        initial = {"responsible": user.pk}
        if _digits(request.GET.get("parent")) and selectors.get_task(user, int(request.GET["parent"])):
            initial["parent"] = int(request.GET["parent"])
        if request.GET.get("crm"):
            initial["crm"] = request.GET["crm"]
        return _form_page(request, TaskForm(initial=initial, projects=_projects(user)), None, [""])
    form = TaskForm(request.POST, projects=_projects(user))
    items = [title.strip() for title in request.POST.getlist("checklist") if title.strip()]
    if form.is_valid():
        try:
            with transaction.atomic():
                task = tasks.create_task(by=user, **form.task_fields())
                for title in items:
                    checklist.add_item(task, by=user, title=title)
        except Invalid as error:
            _show_error(form, error)
        except Forbidden as error:
            form.add_error(None, error.message)
        else:
            return redirect(_card_url(task))
    return _form_page(request, form, None, items, status_code=400)


@login_required
def edit(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    if not rights_for(request.user, task).edit:
        raise Http404
    projects = _projects(request.user, task)
    if request.method != "POST":
        return _form_page(request, TaskForm(initial=initial_for(task), projects=projects), task, [])
    form = TaskForm(request.POST, projects=projects)
    if form.is_valid():
        try:
            tasks.update_task(task, by=request.user, **form.task_fields())
        except Invalid as error:
            _show_error(form, error)
        except Forbidden as error:
            form.add_error(None, error.message)
        else:
            return redirect(_card_url(task))
    return _form_page(request, form, task, [], status_code=400)


# The card ------------------------------------------------------------------------------------------------------


def _base(request, task: Task, rights: TaskRights | None = None) -> dict:
    return {"task": task, "rights": rights or rights_for(request.user, task), "card_url": _card_url(task)}


def _checklist_context(task: Task, error: str = "") -> dict:
    done, total = checklist.progress(task)
    return {"groups": cards.checklist(task), "done": done, "total": total, "checklist_error": error,
            "people": cards.active_users()}  # fmt: skip


def _timing_context(request, task: Task, form=None, error: str = "") -> dict:
    running = timing.running_timer(request.user)
    return {
        "estimate": task.time_estimate,
        "elapsed": timing.elapsed(task),
        "entries": cards.time_entries(task),
        "running_here": running if running and running.task_id == task.pk else None,
        "running_elsewhere": running if running and running.task_id != task.pk else None,
        "time_form": form or TimeForm(),
        "timing_error": error,
    }


def _comments_context(task: Task, form=None) -> dict:
    return {"comments": cards.comments(task), "comment_form": form or CommentForm()}


def _reminders_context(request, task: Task, form=None) -> dict:
    return {"reminders": cards.reminders(request.user, task), "reminder_form": form or ReminderForm()}


def _history(task: Task) -> list[dict]:
    rows = []
    for change in cards.changes(task):
        names = [str(FIELD_NAMES.get(name) or _field_label(name)) for name in change.changes or {}]
        rows.append({"at": change.created_at, "actor": change.actor,
                     "action": HISTORY_ACTIONS.get(change.action, change.action), "fields": names})  # fmt: skip
    return rows


def _field_label(name: str) -> str:
    try:
        field = Task._meta.get_field(name)
    except FieldDoesNotExist:  # a name the history keeps but the model does not have
        return name
    return str(getattr(field, "verbose_name", name))  # reverse relations have no verbose name


def _card_context(request, task: Task, **parts) -> dict:
    user = request.user
    rights = rights_for(user, task)
    context = _base(request, task, rights)
    context.update(
        tabs=tabs("list"),
        buttons=[(action, label, look) for action, label, look in BUTTONS if getattr(rights, action)],
        members=cards.members(task),
        crm_links=cards.crm_links(user, task),
        subtasks=cards.subtasks(user, task),
        files=cards.files(task),
        history=_history(task),
        mention_people=[{"id": person.pk, "name": person.full_name} for person in cards.active_users()],
        now=timezone.now(),
    )
    context.update(_checklist_context(task))
    context.update(_timing_context(request, task, parts.get("time_form")))
    context.update(_comments_context(task, parts.get("comment_form")))
    context.update(_reminders_context(request, task, parts.get("reminder_form")))
    return context


@login_required
def card(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    comments.mark_seen(task, request.user)
    return render(request, "tasks/card/card.html", _card_context(request, task))


def _block(request, task: Task, name: str, context: dict, status_code: int = 200) -> HttpResponse:
    """An HTMX request gets the block back; a plain form post goes back to the card."""
    if request.htmx:
        return render(request, f"tasks/card/card.html#{name}", {**_base(request, task), **context}, status=status_code)
    message = context.get(f"{name}_error")
    if message:
        messages.error(request, message)
    return redirect(_card_url(task))


@login_required
@require_POST
def change_status(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    try:
        status.change_status(task, request.POST.get("action", ""), by=request.user)
    except KontoraError as error:
        messages.error(request, error.message)
    return redirect(_card_url(task))


def _checklist_op(request, task: Task, op: str) -> None:
    data, user = request.POST, request.user
    if op == "add_group":
        checklist.add_group(task, by=user, title=data.get("title", ""))
        return
    if op == "add":
        group = cards.checklist_item(task, data.get("group")) if data.get("group") else None
        checklist.add_item(task, by=user, title=data.get("title", ""), group=group)
        return
    item = cards.checklist_item(task, data.get("item"))
    if item is None:
        raise Http404
    if op == "toggle":
        checklist.toggle_item(item, by=user, done=data.get("done") == "1")
    elif op == "rename":
        checklist.update_item(item, by=user, title=data.get("title", ""))
    elif op == "assign":
        checklist.update_item(item, by=user, responsible=data.get("responsible") or None)
    elif op == "delete":
        checklist.delete_item(item, by=user)
    elif op == "move":
        group = cards.checklist_item(task, data.get("group")) if data.get("group") else None
        position = int(data["position"]) if _digits(data.get("position")) else 0
        checklist.move_item(item, by=user, group=group, position=position)
    else:
        raise Http404


@login_required
@require_POST
def checklist_view(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    error = ""
    try:
        _checklist_op(request, task, request.POST.get("op", ""))
    except KontoraError as problem:
        error = problem.message
    return _block(request, task, "checklist", _checklist_context(task, error))


@login_required
@require_POST
def timer(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    op, user, form, error = request.POST.get("op", ""), request.user, None, ""
    try:
        if op == "start":
            timing.start_timer(task, by=user)
        elif op == "stop":
            timing.stop_timer(by=user)
        elif op == "add":
            form = TimeForm(request.POST)
            if form.is_valid():
                timing.add_time(task, by=user, seconds=form.seconds(), comment=form.cleaned_data["comment"])
                form = None
        elif op == "delete":
            entry = cards.time_entry(task, request.POST.get("entry"))
            if entry is None:
                raise Http404
            timing.delete_time(entry, by=user)
        else:
            raise Http404
    except Invalid as problem:
        if form is not None:
            form.add_error("hours" if problem.field == "seconds" else None, problem.message)
        else:
            error = problem.message
    except KontoraError as problem:
        error = problem.message
    return _block(request, task, "timing", _timing_context(request, task, form, error))


@login_required
@require_POST
def add_comment(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comments.add_comment(
                task, by=request.user, text=text_to_html(form.cleaned_data["text"]),
                is_result=form.cleaned_data["is_result"], files=request.FILES.getlist("files"),
            )  # fmt: skip
        except Invalid as error:
            _show_error(form, error)
        except Forbidden as error:
            form.add_error(None, error.message)
        else:
            form = None
    if not request.htmx and form is not None:
        return render(request, "tasks/card/card.html", _card_context(request, task, comment_form=form), status=400)
    return _block(request, task, "comments", _comments_context(_task_or_404(request, pk), form))


@login_required
@require_POST
def reminders_view(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    form = None
    if request.POST.get("op") == "remove":
        reminder = cards.reminder(request.user, task, request.POST.get("reminder"))
        if reminder is None:
            raise Http404
        reminders.remove_reminder(reminder, by=request.user)
    else:
        form = ReminderForm(request.POST)
        fields = form.reminder_fields() if form.is_valid() else {}
        if fields:
            try:
                reminders.add_reminder(task, by=request.user, **fields)
            except Invalid as error:
                _show_error(form, error)
            else:
                form = None
    if not request.htmx and form is not None:
        return render(request, "tasks/card/card.html", _card_context(request, task, reminder_form=form), status=400)
    return _block(request, task, "reminders", _reminders_context(request, task, form))


@login_required
@require_POST
def files_view(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    try:
        if request.POST.get("op") == "remove":
            task_file = cards.task_file(task, request.POST.get("file"))
            if task_file is None:
                raise Http404
            comments.remove_file(task_file, by=request.user)
        else:
            for upload in request.FILES.getlist("file"):
                comments.attach_file(task, by=request.user, upload=upload)
    except KontoraError as error:
        messages.error(request, error.message)
    return redirect(f"{_card_url(task)}#files")


@login_required
@require_POST
def delete(request, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    try:
        tasks.delete_task(task, by=request.user)
    except KontoraError as error:
        messages.error(request, error.message)
        return redirect(_card_url(task))
    messages.success(request, _("The task is in the recycle bin."))
    return redirect(reverse("tasks:list"))


urlpatterns = [
    path("new/", new, name="new"),
    path("<int:pk>/", card, name="card"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/status/", change_status, name="status"),
    path("<int:pk>/checklist/", checklist_view, name="checklist"),
    path("<int:pk>/timer/", timer, name="timer"),
    path("<int:pk>/comments/", add_comment, name="comments"),
    path("<int:pk>/reminders/", reminders_view, name="reminders"),
    path("<int:pk>/files/", files_view, name="files"),
    path("<int:pk>/delete/", delete, name="delete"),
]
