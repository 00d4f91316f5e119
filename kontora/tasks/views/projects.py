"""Project screens: the lists, one project's page (members, requests, activity), its form and its kanban."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kontora.core.errors import Forbidden, Invalid, KontoraError, NotFound
from kontora.tasks import project_pages
from kontora.tasks.choices import ProjectRole, Visibility
from kontora.tasks.models import Project
from kontora.tasks.services import projects as services
from kontora.tasks.services.tasks import create_task, move_to_stage
from kontora.tasks.views.nav import tabs

LIST = "tasks/projects/list.html"
PAGE = "tasks/projects/page.html"
FORM = "tasks/projects/form.html"
BOARD = "tasks/projects/board.html"


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class ProjectForm(forms.Form):
    """Name, description and visibility; a new project also takes its first moderators and members."""

    name = forms.CharField(label=gettext_lazy("name"), max_length=255, required=False)
    description = forms.CharField(
        label=gettext_lazy("description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    visibility = forms.ChoiceField(label=gettext_lazy("visibility"), choices=Visibility.choices)
    moderators = PeopleField(label=gettext_lazy("Moderators"), queryset=project_pages.people().none(), required=False)
    members = PeopleField(label=gettext_lazy("Members"), queryset=project_pages.people().none(), required=False)

    def __init__(self, *args, new: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if new:
            for name in ("moderators", "members"):
                self.fields[name].queryset = project_pages.people()
                self.fields[name].widget.attrs["size"] = 6
        else:
            del self.fields["moderators"], self.fields["members"]


def _project(request, pk: int) -> Project:
    project = project_pages.get_project(request.user, pk)
    if project is None:
        raise Http404
    return project


@login_required
def project_list(request):
    tab = "other" if request.GET.get("tab") == "other" else "mine"
    query = request.GET.get("q", "").strip()
    return render(
        request,
        LIST,
        {
            "tabs": tabs("projects"),
            "tab": tab,
            "query": query,
            "projects": project_pages.projects(request.user, tab, query),
        },
    )


@login_required
def project_new(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.create_project(
                by=request.user, name=data["name"], description=data["description"], visibility=data["visibility"],
                moderators=list(data["moderators"]), members=list(data["members"]),
            )  # fmt: skip
        except (Invalid, Forbidden) as error:
            _to_form(form, error)
        else:
            return redirect("tasks:project", project.pk)
    return render(request, FORM, {"tabs": tabs("projects"), "form": form, "project": None})


@login_required
def project_edit(request, pk: int):
    project = _project(request, pk)
    initial = {"name": project.name, "description": project.description, "visibility": project.visibility}
    form = ProjectForm(request.POST or None, initial=initial, new=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(project, by=request.user, **form.cleaned_data)
        except (Invalid, Forbidden) as error:
            _to_form(form, error)
        else:
            return redirect("tasks:project", project.pk)
    elif not services.can_manage(request.user, project):
        raise Http404
    return render(request, FORM, {"tabs": tabs("projects"), "form": form, "project": project})


def _to_form(form: forms.Form, error: KontoraError) -> None:
    if isinstance(error, Invalid):
        error.add_to_form(form)
    else:
        form.add_error(None, error.message)


@login_required
def project_page(request, pk: int):
    project = _project(request, pk)
    return render(request, PAGE, {"tabs": tabs("projects"), **project_pages.page(request.user, project)})


def _act(request, pk: int, action: Callable[[Project], object], done: str = "", back: str = "") -> HttpResponse:
    """Run one service on a visible project; refusals come back as a message on the project page."""
    project = _project(request, pk)
    try:
        action(project)
    except NotFound:
        raise Http404 from None
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)
        return redirect("tasks:project", project.pk)
    if done:
        messages.success(request, done)
    return redirect(back) if back else redirect("tasks:project", project.pk)


def _user_id(request) -> int:
    try:
        return int(request.POST.get("user", ""))
    except ValueError:
        raise Invalid("UNKNOWN_USER", "user", _("There is no such active employee.")) from None


@login_required
@require_POST
def project_join(request, pk: int):
    def join(project: Project) -> None:  # a closed project's answer is a request, not a membership
        member = services.join_project(project, by=request.user)
        if member.role == ProjectRole.REQUESTED:
            messages.success(request, _("Your request has been sent to the project's owner and moderators."))

    return _act(request, pk, join)


@login_required
@require_POST
def project_leave(request, pk: int):
    return _act(
        request, pk, lambda project: services.remove_member(project, request.user, by=request.user),
        _("You have left the project."), back="tasks:projects",
    )  # fmt: skip


@login_required
@require_POST
def project_answer(request, pk: int):
    approve = request.POST.get("approve") == "1"
    return _act(
        request, pk, lambda project: services.answer_request(project, _user_id(request), by=request.user,
                                                              approve=approve)
    )  # fmt: skip


@login_required
@require_POST
def project_member_add(request, pk: int):
    role = request.POST.get("role", ProjectRole.MEMBER)
    return _act(request, pk, lambda project: services.add_member(project, _user_id(request), by=request.user,
                                                                 role=role))  # fmt: skip


@login_required
@require_POST
def project_member_remove(request, pk: int):
    return _act(request, pk, lambda project: services.remove_member(project, _user_id(request), by=request.user))


@login_required
@require_POST
def project_hand_over(request, pk: int):
    return _act(
        request, pk, lambda project: services.hand_over(project, _user_id(request), by=request.user),
        _("The project has a new owner."),
    )  # fmt: skip


@login_required
@require_POST
def project_archive(request, pk: int):
    archived = request.POST.get("archived") == "1"
    return _act(request, pk, lambda project: services.update_project(project, by=request.user, archived=archived))


# ---- the kanban ------------------------------------------------------------------------------------------------


@login_required
def project_board(request, pk: int):
    project = _project(request, pk)
    return render(
        request,
        BOARD,
        {
            "tabs": tabs("projects"),
            "project": project,
            "columns": project_pages.board(request.user, project),
            "can_manage": services.can_manage(request.user, project),
            "can_post": services.can_post(request.user, project),
        },
    )


def _failure(error: KontoraError | str, status: int) -> HttpResponse:
    """A refused move: the reason, for the board to show while it puts the card back."""
    message = error.message if isinstance(error, KontoraError) else error
    return HttpResponse(format_html('<p class="error" role="alert">{}</p>', message), status=status)


@login_required
@require_POST
def project_board_move(request, pk: int, task_id: int):
    """Drop a card on another column: move_to_stage, then the column heads and the card as it is now."""
    project = _project(request, pk)
    task = project_pages.get_task(request.user, project, task_id)
    if task is None:
        raise Http404
    stage = project_pages.get_stage(project, request.POST.get("stage"))
    if stage is None:
        return _failure(_("This stage is not one of the project's."), 400)
    try:
        task = move_to_stage(task, stage, by=request.user)
    except Invalid as error:
        return _failure(error, 400)
    except (Forbidden, NotFound) as error:
        return _failure(error, 403)
    return render(
        request,
        f"{BOARD}#moved",
        {
            "project": project,
            "columns": project_pages.board(request.user, project),
            "can_manage": services.can_manage(request.user, project),
            "task": project_pages.card(request.user, task),
        },
    )


@login_required
@require_POST
def project_quick_task(request, pk: int):
    """The form at the top of a column: a task in this project and stage, the poster responsible for it."""
    project = _project(request, pk)
    stage = project_pages.get_stage(project, request.POST.get("stage"))
    if stage is None:
        raise Http404
    try:
        create_task(by=request.user, title=request.POST.get("title", ""), project=project, stage=stage)
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)
    return redirect("tasks:project_board", project.pk)


def _stage_act(request, pk: int, action: Callable[[Project], object]) -> HttpResponse:
    project = _project(request, pk)
    try:
        action(project)
    except (Invalid, Forbidden) as error:
        if request.htmx:
            return _failure(error, 400 if isinstance(error, Invalid) else 403)
        messages.error(request, error.message)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("tasks:project_board", project.pk)


def _stage(project: Project, stage_id: int):
    stage = project_pages.get_stage(project, stage_id)
    if stage is None:
        raise Http404
    return stage


@login_required
@require_POST
def project_stage_add(request, pk: int):
    return _stage_act(request, pk, lambda project: services.add_stage(
        project, by=request.user, title=request.POST.get("title", ""), color=request.POST.get("color", ""),
    ))  # fmt: skip


@login_required
@require_POST
def project_stage_update(request, pk: int, stage_id: int):
    return _stage_act(request, pk, lambda project: services.update_stage(
        _stage(project, stage_id), by=request.user, title=request.POST.get("title"), color=request.POST.get("color"),
    ))  # fmt: skip


@login_required
@require_POST
def project_stage_delete(request, pk: int, stage_id: int):
    return _stage_act(request, pk, lambda project: services.delete_stage(_stage(project, stage_id), by=request.user))


@login_required
@require_POST
def project_stages_order(request, pk: int):
    try:
        ids = [int(value) for value in request.POST.getlist("stage")]
    except ValueError:
        return _failure(_("Send every stage of the project, each once."), 400)
    return _stage_act(request, pk, lambda project: services.reorder_stages(project, ids, by=request.user))


urlpatterns: list = [
    path("projects/", project_list, name="projects"),
    path("projects/new/", project_new, name="project_new"),
    path("projects/<int:pk>/", project_page, name="project"),
    path("projects/<int:pk>/edit/", project_edit, name="project_edit"),
    path("projects/<int:pk>/join/", project_join, name="project_join"),
    path("projects/<int:pk>/leave/", project_leave, name="project_leave"),
    path("projects/<int:pk>/requests/", project_answer, name="project_answer"),
    path("projects/<int:pk>/members/", project_member_add, name="project_member_add"),
    path("projects/<int:pk>/members/remove/", project_member_remove, name="project_member_remove"),
    path("projects/<int:pk>/hand-over/", project_hand_over, name="project_hand_over"),
    path("projects/<int:pk>/archive/", project_archive, name="project_archive"),
    path("projects/<int:pk>/board/", project_board, name="project_board"),
    path("projects/<int:pk>/board/tasks/", project_quick_task, name="project_quick_task"),
    path("projects/<int:pk>/board/tasks/<int:task_id>/move/", project_board_move, name="project_board_move"),
    path("projects/<int:pk>/board/stages/", project_stage_add, name="project_stage_add"),
    path("projects/<int:pk>/board/stages/order/", project_stages_order, name="project_stages_order"),
    path("projects/<int:pk>/board/stages/<int:stage_id>/", project_stage_update, name="project_stage_update"),
    path("projects/<int:pk>/board/stages/<int:stage_id>/delete/", project_stage_delete, name="project_stage_delete"),
]
