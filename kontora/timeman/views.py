"""The company absence chart: a month grid by department, the add form for those allowed, removal."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontora.accounts import access
from kontora.accounts.selectors import departments
from kontora.core.errors import Invalid, KontoraError
from kontora.timeman import selectors, services
from kontora.timeman.forms import AbsenceForm
from kontora.timeman.models import Absence, AbsenceKind


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return timezone.localdate().replace(day=1)


def _shift(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


@login_required
def absences(request):
    month = _month(request.GET.get("month", ""))
    department = None
    if request.GET.get("department", "").isdigit():
        department = departments().filter(pk=int(request.GET["department"])).first()
    people = selectors.people_for_absences(request.user)
    form = None
    if people.exists():
        form = AbsenceForm(request.POST or None, people=people, prefix="absence")
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.add_absence(data["user"], data["start"], data["end"], data["kind"], by=request.user,
                                     note=data["note"])  # fmt: skip
            except Invalid as error:
                error.add_to_form(form)
            except KontoraError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The absence is on the chart."))
                return redirect(f"{request.path}?month={data['start']:%Y-%m}")
    elif request.method == "POST":
        raise Http404
    chart = selectors.month_chart(request.user, month, department)
    shown = [absence.pk for group in chart["groups"] for row in group["rows"] for absence in row["absences"]]
    deletable = set(access.visible(request.user, Absence, "delete").filter(pk__in=shown).values_list("pk", flat=True))
    return render(request, "timeman/absences.html", {
        "chart": chart, "month": month, "previous": _shift(month, -1), "next": _shift(month, 1),
        "today": timezone.localdate(), "department": department, "departments": departments(),
        "kinds": AbsenceKind.choices, "form": form, "open_form": bool(form is not None and form.errors),
        "deletable": deletable,
    })  # fmt: skip


@login_required
@require_POST
def delete(request, pk: int):
    absence = get_object_or_404(access.visible(request.user, Absence, "delete"), pk=pk)
    services.delete_absence(absence, by=request.user)
    messages.success(request, _("The absence is removed."))
    return redirect(f"{reverse('timeman:absences')}?month={absence.start:%Y-%m}")
