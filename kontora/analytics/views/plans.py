"""Plan/fact: plans per person and department, progress and ranking, the live wall, exports."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kontora.analytics import selectors_builder as selectors
from kontora.analytics import services
from kontora.analytics.builder import plans
from kontora.analytics.builder.exports import table_response
from kontora.analytics.builder.forms import PlanForm
from kontora.analytics.builder.jobs import WALL_REFETCH
from kontora.analytics.models import Metric, PeriodKind
from kontora.core.errors import Forbidden, Invalid


def _period(request) -> plans.Period:
    kind = request.GET.get("kind") if request.GET.get("kind") in PeriodKind.values else PeriodKind.MONTH
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    return plans.period(kind, day)


def _sections(request, current: plans.Period) -> list[dict]:
    labels = dict(Metric.choices)
    return [{"metric": metric, "label": labels[metric], "lines": lines}
            for metric, lines in plans.plan_fact(request.user, current).items()]  # fmt: skip


@login_required
def plans_page(request):
    current = _period(request)
    sections = _sections(request, current)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        plan = pgettext("target", "Plan")
        header = [_("Metric"), _("Employee or department"), plan, _("Fact"), _("Done, %"), _("Place")]
        rows = [[section["label"], line.name, line.plan.target, line.fact, line.percent, line.rank or ""]
                for section in sections for line in section["lines"]]  # fmt: skip
        return table_response(f"plan-fact-{current.first:%Y-%m}", export, header, rows)
    people, departments = plans.settable_people(request.user), plans.settable_departments(request.user)
    may_set = people.exists() or departments.exists()
    form = None
    if may_set:
        form = PlanForm(request.POST or None, people=people, departments=departments,
                        initial={"day": current.first, "period_kind": current.kind})  # fmt: skip
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.set_plan(by=request.user, metric=data["metric"], kind=data["period_kind"], day=data["day"],
                                  target=data["target"], user=data["user"], department=data["department"])  # fmt: skip
                return redirect(f"{request.path}?kind={data['period_kind']}&day={data['day']:%Y-%m-%d}")
            except Invalid as error:
                error.add_to_form(form)
            except Forbidden:
                form.add_error(None, _("You may set plans only for your departments and their people."))
    elif request.method == "POST":
        raise Http404
    context = {"period": current, "sections": sections, "form": form, "kinds": PeriodKind.choices,
               "previous": plans.period(current.kind, current.first.replace(day=1) - timedelta(days=1)),
               "next": plans.period(current.kind, current.last + timedelta(days=1))}  # fmt: skip
    return render(request, "analytics/plans/plans.html", context)


@login_required
def wall_page(request):
    """Full screen for the sales floor; the figures refresh when a push says a deal was won or an activity done."""
    current = _period(request)
    services.note_wall_open(request.user)
    context = {"period": current, "sections": _sections(request, current), "refetch": int(WALL_REFETCH.total_seconds())}
    if request.htmx:
        return render(request, "analytics/plans/wall.html#figures", context)
    return render(request, "analytics/plans/wall.html", context)


@login_required
@require_POST
def plan_delete(request, pk: int):
    plan = selectors.plan_for(pk)
    if plan is None or not plans.may_set(request.user, person=plan.user, department=plan.department):
        raise Http404
    services.delete_plan(plan, by=request.user)
    return redirect(f"{reverse('analytics:plans')}?kind={plan.period_kind}&day={plan.period_start:%Y-%m-%d}")


urlpatterns = [
    path("plans/", plans_page, name="plans"),
    path("plans/wall/", wall_page, name="wall"),
    path("plans/<int:pk>/delete/", plan_delete, name="plan_delete"),
]
