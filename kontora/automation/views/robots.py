"""The stage-by-stage automation screen: robots and triggers on each stage of a deal pipeline or of the leads.

Administrators only. The add/edit forms open in a side panel (HTMX); a successful change answers with the
`robotsChanged` event, on which the board reloads itself and the panel closes.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kontora.accounts.selectors import is_administrator
from kontora.automation import board, services
from kontora.automation.forms import PARAM_PREFIX, Context, RobotForm, TriggerForm
from kontora.automation.models import Entity, Robot
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.kanban import colour_of
from kontora.crm.models import Category

BOARD = "automation/robots/board.html"
ROBOT_PANEL = "automation/robots/robot_panel.html"
TRIGGER_PANEL = "automation/robots/trigger_panel.html"
CHANGED = "robotsChanged"


def _admin_only(request) -> None:
    if not is_administrator(request.user):
        raise PermissionDenied


def _found[T](value: T | None) -> T:
    if value is None:
        raise Http404
    return value


def _place(data) -> tuple[str, Category | None, str]:
    """The entity, pipeline and stage a new robot or trigger goes to, as the address names them."""
    entity = data.get("entity") or Entity.DEAL
    if entity == Entity.DEAL:
        category_id = data.get("category") or "0"
        category = board.pipeline(int(category_id)) if category_id.isdigit() else None
        return entity, _found(category), data.get("stage", "")
    if entity == Entity.LEAD:
        return entity, None, data.get("stage", "")
    raise Http404


def _query(entity: str, category: Category | None, stage: str) -> str:
    """The query string that names a stage to the add forms."""
    place = {"entity": entity, "stage": stage}
    if category is not None:
        place["category"] = category.pk
    return urlencode(place)


def _board_url(entity: str, category: Category | None) -> str:
    if entity == Entity.DEAL:
        return reverse("automation:robots_deals", args=[category.pk])
    return reverse("automation:robots_leads")


def _stage(entity: str, category: Category | None, code: str):
    return next((stage for stage in board.stages(entity, category) if stage.status_id == code), None)


def _done(request, entity: str, category: Category | None) -> HttpResponse:
    if request.htmx:
        return HttpResponse(headers={"HX-Trigger": CHANGED})
    return redirect(_board_url(entity, category))


def _add_error(form, error: Invalid | Forbidden, entity: str) -> None:
    """A service error beside its field: the form's own, a parameter, the timing, the condition, or above."""
    field = getattr(error, "field", None) or ""
    if field in form.fields:
        target = field
    elif PARAM_PREFIX + field in form.fields:
        target = PARAM_PREFIX + field
    elif field == "delay" and "delay_mode" in form.fields:
        target = "delay_mode"
    elif field in dict(board.condition_fields(entity)) and "condition" in form.fields:
        target = "condition"
    elif field in {"params", "condition"} and PARAM_PREFIX + "condition" in form.fields:
        target = PARAM_PREFIX + "condition"
    else:
        target = None
    form.add_error(target, error.message)


# The board


@login_required
def deal_board(request, category_id: int = 0):
    _admin_only(request)
    return _board(request, Entity.DEAL, _found(board.pipeline(category_id)))


@login_required
def lead_board(request):
    _admin_only(request)
    return _board(request, Entity.LEAD, None)


def _board(request, entity: str, category: Category | None):
    columns = board.columns(entity, category)
    for column in columns:
        column["query"] = _query(entity, category, column["stage"].status_id)
    context = {
        "entity": entity,
        "category": category,
        "pipelines": board.pipelines(),
        "columns": columns,
        "records_url": reverse("crm:deal_kanban_category", args=[category.pk])
        if category is not None
        else reverse("crm:lead_kanban"),
    }
    partial = request.htmx and request.htmx.target == "robots-board"
    return render(request, f"{BOARD}#board" if partial else BOARD, context)


# Robots


def _robot_panel(request, form: RobotForm, *, entity: str, category, stage, robot: Robot | None, url: str):
    context = {
        "form": form, "robot": robot, "entity": entity, "category": category, "stage": stage, "form_url": url,
        "runs": board.runs(robot) if robot is not None else [], "stage_colour": colour_of(stage) if stage else "",
    }  # fmt: skip
    return render(request, ROBOT_PANEL, context)


@login_required
def robot_add(request):
    _admin_only(request)
    entity, category, code = _place(request.GET)
    stage = _found(_stage(entity, category, code))
    ctx = Context(user=request.user, entity=entity, category=category)
    url = reverse("automation:robot_add") + "?" + _query(entity, category, code)
    if request.method != "POST":
        form = RobotForm(ctx=ctx, action=request.GET.get("action"))
        return _robot_panel(request, form, entity=entity, category=category, stage=stage, robot=None, url=url)
    form = RobotForm(request.POST, ctx=ctx)
    if form.is_valid():
        try:
            services.add_robot(
                by=request.user, entity=entity, category=category, stage=code,
                sort=board.next_sort(entity, category.pk if category else None, code), **form.robot_fields(),
            )  # fmt: skip
        except (Invalid, Forbidden) as error:
            _add_error(form, error, entity)
        else:
            return _done(request, entity, category)
    return _robot_panel(request, form, entity=entity, category=category, stage=stage, robot=None, url=url)


@login_required
def robot_edit(request, pk: int):
    _admin_only(request)
    robot = _found(board.robot(pk))
    entity, category = robot.entity, robot.category
    ctx = Context(user=request.user, entity=entity, category=category)
    stage = _stage(entity, category, robot.stage)
    url = reverse("automation:robot_edit", args=[robot.pk])
    if request.method != "POST":
        form = RobotForm(ctx=ctx, robot=robot, action=request.GET.get("action"))
        return _robot_panel(request, form, entity=entity, category=category, stage=stage, robot=robot, url=url)
    form = RobotForm(request.POST, ctx=ctx, robot=robot)
    if form.is_valid():
        try:
            services.update_robot(
                robot, by=request.user, reschedule=form.cleaned_data.get("reschedule", False), **form.robot_fields()
            )
        except (Invalid, Forbidden) as error:
            _add_error(form, error, entity)
        else:
            return _done(request, entity, category)
    return _robot_panel(request, form, entity=entity, category=category, stage=stage, robot=robot, url=url)


@login_required
@require_POST
def robot_switch(request, pk: int):
    _admin_only(request)
    robot = _found(board.robot(pk))
    services.switch_robot(robot, request.POST.get("active") == "1", by=request.user)
    return _done(request, robot.entity, robot.category)


@login_required
@require_POST
def robot_delete(request, pk: int):
    _admin_only(request)
    robot = _found(board.robot(pk))
    entity, category = robot.entity, robot.category
    services.delete_robot(robot, by=request.user, cancel_pending=request.POST.get("cancel_pending") == "1")
    return _done(request, entity, category)


@login_required
@require_POST
def robot_order(request):
    """The robots of one stage in the order posted (`robot` ids); robots not posted keep their place after them."""
    _admin_only(request)
    ids = [int(value) for value in request.POST.getlist("robot") if value.isdigit()]
    first = _found(board.robot(ids[0])) if ids else None
    if first is None:
        raise Http404
    robots = list(board.stage_robots(first.entity, first.category_id, first.stage))
    position = {pk: index for index, pk in enumerate(ids)}
    robots.sort(key=lambda robot: position.get(robot.pk, len(ids)))
    with transaction.atomic():
        for index, robot in enumerate(robots, start=1):
            if robot.sort != index * 10:
                services.update_robot(robot, by=request.user, sort=index * 10)
    return _done(request, first.entity, first.category)


# Triggers


@login_required
def trigger_add(request):
    _admin_only(request)
    entity, category, code = _place(request.GET)
    stage = _found(_stage(entity, category, code))
    ctx = Context(user=request.user, entity=entity, category=category)
    url = reverse("automation:trigger_add") + "?" + _query(entity, category, code)
    if request.method != "POST":
        form = TriggerForm(ctx=ctx, kind=request.GET.get("kind"))
    else:
        form = TriggerForm(request.POST, ctx=ctx)
        if form.is_valid():
            try:
                services.add_trigger(
                    by=request.user, entity=entity, category=category, stage=code, kind=form.cleaned_data["kind"],
                    params=form.params(),
                )  # fmt: skip
            except (Invalid, Forbidden) as error:
                _add_error(form, error, entity)
            else:
                return _done(request, entity, category)
    context = {"form": form, "entity": entity, "category": category, "stage": stage, "form_url": url}
    return render(request, TRIGGER_PANEL, context)


@login_required
@require_POST
def trigger_switch(request, pk: int):
    _admin_only(request)
    trigger = _found(board.trigger(pk))
    services.switch_trigger(trigger, request.POST.get("active") == "1", by=request.user)
    return _done(request, trigger.entity, trigger.category)


@login_required
@require_POST
def trigger_delete(request, pk: int):
    _admin_only(request)
    trigger = _found(board.trigger(pk))
    entity, category = trigger.entity, trigger.category
    services.delete_trigger(trigger, by=request.user)
    return _done(request, entity, category)
