"""Sales analytics pages: the landing page, funnel, manager activity, KPIs, forecast and a person's history.

Every figure that stands for deals links to the CRM deal list with the Bitrix24 filter that selects exactly them.
"""

import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.analytics import selectors_builder
from kontora.analytics.selectors import activity, forecast, funnel, history, kpi
from kontora.analytics.selectors.scope import people_ids
from kontora.analytics.views.exports import table_response
from kontora.analytics.views.scope import ScopeForm

SCREENS = (
    ("analytics:funnel", gettext_lazy("Sales funnel"), gettext_lazy("Stages, conversion, the gap and loss reasons")),
    ("analytics:activity", gettext_lazy("Manager activity"), gettext_lazy("Calls, emails, meetings, tasks, deals")),
    ("analytics:kpi", gettext_lazy("Sales KPIs"), gettext_lazy("Revenue, win rate, cycle, against last period")),
    ("analytics:forecast", gettext_lazy("Forecast"), gettext_lazy("Expected revenue for the coming months")),
    ("analytics:history", gettext_lazy("History of actions"), gettext_lazy("Everything one person did")),
    ("analytics:plans", gettext_lazy("Sales plans"), gettext_lazy("Plans per person and department")),
    ("analytics:wall", gettext_lazy("Plan and fact"), gettext_lazy("The sales room screen")),
    ("analytics:reports", gettext_lazy("Report builder"), gettext_lazy("Your own reports")),
    ("analytics:dashboards", gettext_lazy("Dashboards"), gettext_lazy("Widgets on one screen")),
    ("analytics:channels", gettext_lazy("End-to-end analytics"), gettext_lazy("From ad to revenue")),
)


def deal_list_url(bitrix_filter: dict) -> str:
    """The CRM deal list showing exactly the deals of a Bitrix24 filter."""
    return f"{reverse('crm:deal_list')}?{urlencode({'filter': json.dumps(bitrix_filter, ensure_ascii=False)})}"


def _export_format(request) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in ("csv", "xlsx") else None


def _export_urls(request) -> dict:
    params = request.GET.copy()
    params.pop("page", None)
    urls = {}
    for fmt in ("csv", "xlsx"):
        params["export"] = fmt
        urls[fmt] = f"?{params.urlencode()}"
    return urls


@login_required
def landing(request):
    screens = [{"url": reverse(url_name), "label": label, "hint": hint, "key": url_name.split(":")[1]}
               for url_name, label, hint in SCREENS]  # fmt: skip
    return render(request, "analytics/landing.html", {"screens": screens})


@login_required
def funnel_page(request):
    form = ScopeForm(request.GET, user=request.user, months=3)  # a cohort of deals needs time to move
    scope = form.scope()
    if scope.category is None:
        raise Http404
    fmt = _export_format(request)
    result = funnel.funnel(request.user, scope, "export" if fmt else "read")
    for row in [*result.stages, *result.closed]:
        row.url = deal_list_url(row.filter)
        row.lost_url = deal_list_url(row.lost_filter) if row.lost else ""
        row.now_url = deal_list_url(row.now_filter) if row.now_filter else ""
    for row in result.losses:
        row.url = deal_list_url(row.filter)
    if fmt:
        header = [_("Stage"), _("Deals"), _("Amount"), _("From the previous, %"), _("From the first, %"),
                  _("Lost at the stage"), _("In the stage now")]  # fmt: skip
        rows = [[row.stage.name, row.count, row.amount, row.from_previous, row.from_first, row.lost, row.now]
                for row in result.stages]  # fmt: skip
        rows += [[_("Loss reason: %(name)s") % {"name": row.name}, row.count, row.amount, row.share, "", "", ""]
                 for row in result.losses]  # fmt: skip
        return table_response(fmt, f"funnel-{scope.period.first}-{scope.period.last}", header, rows)
    chart = [{"name": row.stage.name, "value": row.count} for row in result.stages]
    context = {"form": form, "funnel": result, "scope": scope, "chart": chart, "exports": _export_urls(request)}
    return render(request, "analytics/funnel.html", context)


ACTIVITY_COLUMNS = (
    ("name", gettext_lazy("Responsible")),
    ("calls", gettext_lazy("Calls")),
    ("emails", gettext_lazy("Emails")),
    ("meetings", gettext_lazy("Meetings")),
    ("done", gettext_lazy("Activities done")),
    ("overdue", gettext_lazy("Overdue now")),
    ("tasks", gettext_lazy("Tasks completed")),
    ("created", gettext_lazy("Deals created")),
    ("moved", gettext_lazy("Moved forward")),
    ("won", gettext_lazy("Won")),
    ("lost", gettext_lazy("Lost")),
    ("won_amount", gettext_lazy("Sum won")),
)


@login_required
def activity_page(request):
    form = ScopeForm(request.GET, user=request.user, pipeline=False)
    scope = form.scope()
    grain = request.GET.get("grain") if request.GET.get("grain") in activity.GRAINS else "day"
    sort = request.GET.get("sort") or "name"
    key, descending = sort.lstrip("-"), sort.startswith("-")
    fmt = _export_format(request)
    result = activity.report(request.user, scope, grain, key, descending, "export" if fmt else "read")
    if fmt:
        header = [_("Department"), *[label for _key, label in ACTIVITY_COLUMNS]]
        rows = []
        for department in result.departments:
            rows += [[department.name, person.name, *[getattr(person, name) for name in activity.FIGURES]]
                     for person in department.people]  # fmt: skip
            rows.append([department.name, _("Department total"),
                         *[getattr(department, name) for name in activity.FIGURES]])  # fmt: skip
        rows.append([_("Total"), "", *[getattr(result.total, name) for name in activity.FIGURES]])
        return table_response(fmt, f"activity-{scope.period.first}-{scope.period.last}", header, rows)
    params = request.GET.copy()
    headers = []
    for column, label in ACTIVITY_COLUMNS:
        params["sort"] = f"-{column}" if column == key and not descending else column
        headers.append({"key": column, "label": label, "url": f"?{params.urlencode()}", "active": column == key,
                        "descending": descending})  # fmt: skip
    context = {"form": form, "report": result, "scope": scope, "headers": headers, "grain": grain,
               "figures": activity.FIGURES, "exports": _export_urls(request)}  # fmt: skip
    return render(request, "analytics/activity.html", context)


@login_required
def kpi_page(request):
    form = ScopeForm(request.GET, user=request.user, pipeline=False)
    scope = form.scope()
    fmt = _export_format(request)
    action = "export" if fmt else "read"
    result = kpi.kpi(request.user, scope, action)
    names = (
        ("closed", _("Closed deals")), ("won", _("Won")), ("revenue", _("Revenue")),
        ("average_deal", _("Average deal")), ("lead_conversion", _("Lead → deal conversion, %")),
        ("win_rate", _("Win rate, %")), ("cycle_days", _("Average sales cycle, days")),
        ("new_clients", _("New clients")), ("repeat_sales", _("Repeat sales")),
    )  # fmt: skip
    tenths = {"lead_conversion", "win_rate", "cycle_days"}  # the rest are counts and roubles, shown whole
    rows = [{"key": key, "label": label, "now": getattr(result.current, key), "before": getattr(result.previous, key),
             "digits": "1" if key in tenths else "0g"} for key, label in names]  # fmt: skip
    rows.append({"key": "satisfaction", "label": _("Customer satisfaction, of 5"), "digits": "1",
                 "now": _satisfaction(request.user, scope, scope.period, action),
                 "before": _satisfaction(request.user, scope, scope.period.previous(), action)})  # fmt: skip
    if fmt:
        table = [[row["label"], row["now"], row["before"]] for row in rows]
        table += [[_("Days in “%(stage)s”") % {"stage": item.stage.name}, item.days, ""] for item in result.stage_times]
        return table_response(fmt, f"kpi-{scope.period.first}-{scope.period.last}",
                              [_("Figure"), _("This period"), _("Previous period")], table)  # fmt: skip
    context = {"form": form, "kpi": result, "rows": rows, "scope": scope, "exports": _export_urls(request)}
    return render(request, "analytics/kpi.html", context)


def _satisfaction(user, scope, period, action: str) -> float | None:
    """The average customer rating (1–5) given in the period for won deals the viewer may see."""
    ratings = selectors_builder.satisfaction(user, period.start, period.end, users=people_ids(scope), action=action)
    return ratings["average"]


@login_required
def forecast_page(request):
    form = ScopeForm(request.GET, user=request.user)
    scope = form.scope()
    months = 3 if request.GET.get("months") == "3" else 6
    fmt = _export_format(request)
    result = forecast.forecast(request.user, scope, months, action="export" if fmt else "read")
    for month in result:
        month.url = deal_list_url(month.filter)
    if fmt:
        return table_response(fmt, "forecast", [_("Month"), _("Open deals"), _("Amount"), _("Expected revenue")],
                              [[m.first.isoformat(), m.count, m.amount, m.expected] for m in result])  # fmt: skip
    chart = {"labels": [m.first.isoformat() for m in result], "amount": [float(m.amount) for m in result],
             "expected": [float(m.expected) for m in result]}  # fmt: skip
    context = {"form": form, "months": result, "scope": scope, "chart": chart, "count": months,
               "exports": _export_urls(request)}  # fmt: skip
    return render(request, "analytics/forecast.html", context)


@login_required
def history_page(request):
    people = access.visible(request.user, User).filter(is_active=True).order_by("last_name", "first_name")
    person = people.filter(pk=request.GET.get("person")).first() if request.GET.get("person", "").isdigit() else None
    person = person or people.filter(pk=request.user.pk).first()
    form = ScopeForm(request.GET, user=request.user, pipeline=False)
    scope = form.scope()
    kind = request.GET.get("kind") if request.GET.get("kind") in history.KINDS else ""
    types = history.kinds_of_records(request.user)
    chosen = next((item for item in types if str(item.pk) == request.GET.get("type")), None)
    query = history.HistoryQuery(person, scope.period, kind, chosen)
    fmt = _export_format(request)
    changes = history.changes(request.user, query, "export" if fmt else "read")
    if fmt:
        rows = [[item.created_at.isoformat(), str(item.content_type.name), item.object_repr, item.get_action_display(),
                 json.dumps(item.changes, ensure_ascii=False)] for item in changes[:50_000]]  # fmt: skip
        return table_response(fmt, "history", [_("When"), _("Record type"), _("Record"), _("Action"), _("Changes")],
                              rows)  # fmt: skip
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"people": people, "person": person, "form": form, "scope": scope, "page": page, "kind": kind,
               "kinds": history.KINDS, "types": types, "chosen": chosen, "params": params.urlencode(),
               "exports": _export_urls(request)}  # fmt: skip
    return render(request, "analytics/history.html", context)


urlpatterns = [
    path("", landing, name="landing"),
    path("funnel/", funnel_page, name="funnel"),
    path("activity/", activity_page, name="activity"),
    path("kpi/", kpi_page, name="kpi"),
    path("forecast/", forecast_page, name="forecast"),
    path("history/", history_page, name="history"),
]
