"""Thin views for people, the org chart and the company settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontora.accounts import access, selectors, services
from kontora.accounts.forms import DepartmentForm, NewUserForm, PeopleFilterForm, ProfileForm, StaffForm
from kontora.accounts.models import User
from kontora.core.errors import Forbidden, Invalid
from kontora.events import history


def _visible_person(request, pk: int) -> User:
    return get_object_or_404(access.visible(request.user, User).select_related("department"), pk=pk)


def _admin_only(request) -> None:
    if not selectors.is_administrator(request.user):
        raise Http404


@login_required
def org_chart(request):
    return render(request, "accounts/org_chart.html", {"tree": selectors.org_tree(request.user)})


@login_required
def people(request):
    form = PeopleFilterForm(request.GET or None)
    query, department = "", None
    if form.is_valid():
        query, department = form.cleaned_data["q"] or "", form.cleaned_data["department"]
    found = selectors.people(request.user, query, department)
    template = "accounts/people.html#rows" if request.htmx else "accounts/people.html"
    return render(request, template, {"form": form, "people": found[:200], "total": found.count()})


@login_required
def person(request, pk: int):
    target = _visible_person(request, pk)
    return render(
        request,
        "accounts/person.html",
        {
            "person": target,
            "can_edit": access.can(request.user, "update", target),
            "changes": history.for_object(target)[:20] if access.can(request.user, "update", target) else [],
            "headed": target.headed_departments.all(),
        },
    )


@login_required
def person_edit(request, pk: int):
    target = _visible_person(request, pk)
    if not access.can(request.user, "update", target):
        raise Http404
    is_admin = selectors.is_administrator(request.user)
    staff_initial = {"department": target.department, "roles": target.roles.all(), "is_active": target.is_active}
    form = ProfileForm(request.POST or None, request.FILES or None, instance=target)
    staff = StaffForm(request.POST or None, initial=staff_initial, prefix="staff") if is_admin else None
    if request.method == "POST" and form.is_valid() and (staff is None or staff.is_valid()):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if staff is not None:
            changes.update({name: staff.cleaned_data[name] for name in staff.changed_data})
        try:
            services.update_user(_visible_person(request, pk), by=request.user, **changes)
        except Invalid as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Profile saved."))
            return redirect(target)
    return render(request, "accounts/person_edit.html", {"person": target, "form": form, "staff": staff})


@login_required
def settings_home(request):
    _admin_only(request)
    return render(
        request,
        "accounts/settings.html",
        {
            "departments": selectors.departments(),
            "users": selectors.staff(),
        },
    )


@login_required
def user_add(request):
    _admin_only(request)
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = list(data.pop("roles"))
        try:
            user = services.create_user(by=request.user, roles=roles, **data)
        except Invalid as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Employee %(name)s added.") % {"name": user.full_name})
            return redirect(user)
    return render(request, "accounts/form_page.html", {"form": form, "title": _("New employee")})


@login_required
def department_edit(request, pk: int | None = None):
    _admin_only(request)
    department = get_object_or_404(selectors.departments(), pk=pk) if pk else None
    initial = (
        {"name": department.name, "parent": department.parent, "head": department.head, "sort": department.sort}
        if department
        else {}
    )
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_department(department, by=request.user, **form.cleaned_data)
        except Invalid as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Department saved."))
            return redirect("accounts:settings")
    title = department.name if department else _("New department")
    return render(request, "accounts/form_page.html", {"form": form, "title": title, "department": department})


@login_required
@require_POST
def department_delete(request, pk: int):
    _admin_only(request)
    department = get_object_or_404(selectors.departments(), pk=pk)
    try:
        services.delete_department(department, by=request.user)
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Department deleted."))
    return redirect("accounts:settings")
