"""Thin views for the roles editor and the “Why can I see this?” page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts import explain, roles, selectors
from kontora.accounts.models import Level, Role
from kontora.core.errors import Invalid


class RoleNameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Role name"), max_length=100)


class DeleteRoleForm(forms.Form):
    move_to = forms.ModelChoiceField(
        label=gettext_lazy("Move its employees to"), queryset=roles.roles().none(), required=False
    )

    def __init__(self, *args, role: Role, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = roles.roles().exclude(pk=role.pk)


class MatrixForm(forms.Form):
    """One level select per cell of the role's matrix; field names are "grant|entity|action|scope"."""

    def __init__(self, *args, rows: list[roles.Row], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for cell in row.cells:
                if cell is not None:
                    self.fields[cell.name] = forms.TypedChoiceField(
                        label=f"{row.label}: {roles.ACTION_LABELS[cell.action]}",
                        choices=Level.choices,
                        coerce=int,
                        initial=cell.level,
                    )

    def changed_levels(self) -> dict[tuple[str, str, str], int]:
        """Only the cells whose posted level differs from what the role gave when the page was posted."""
        return {
            (cell.entity, cell.action, cell.scope): self.cleaned_data[cell.name]
            for row in self.rows
            for cell in row.cells
            if cell is not None and self.cleaned_data[cell.name] != cell.level
        }

    def grid(self) -> list[dict]:
        return [
            {"row": row, "cells": [(cell, self[cell.name]) if cell else None for cell in row.cells]}
            for row in self.rows
        ]


def _admin_only(request) -> None:
    if not selectors.is_administrator(request.user):
        raise Http404


@login_required
def role_list(request):
    _admin_only(request)
    form = RoleNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = roles.create_role(by=request.user, name=form.cleaned_data["name"])
        except Invalid as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("Role created. Now choose what it may do."))
            return redirect("accounts:role_edit", role.pk)
    return render(request, "accounts/roles.html", {"roles": roles.roles(), "form": form})


@login_required
def role_edit(request, pk: int):
    _admin_only(request)
    role = get_object_or_404(roles.roles(), pk=pk)
    post = request.POST if request.method == "POST" else None
    matrix = MatrixForm(post if post and "save" in post else None, rows=roles.matrix(role))
    name_form = RoleNameForm(post if post and "rename" in post else None, initial={"name": role.name})
    delete_form = DeleteRoleForm(post if post and "delete" in post else None, role=role)
    if matrix.is_bound and matrix.is_valid():
        try:
            roles.set_grants(role, by=request.user, levels=matrix.changed_levels())
        except Invalid as error:
            key = getattr(error, "key", None)
            matrix.add_error("|".join(("grant", *key)) if key else None, error.message)
        else:
            messages.success(request, _("Access levels saved."))
            return redirect("accounts:role_edit", role.pk)
    elif name_form.is_bound and name_form.is_valid():
        try:
            roles.rename_role(role, by=request.user, name=name_form.cleaned_data["name"])
        except Invalid as error:
            error.add_to_form(name_form)
        else:
            messages.success(request, _("Role renamed."))
            return redirect("accounts:role_edit", role.pk)
    elif delete_form.is_bound and delete_form.is_valid():
        try:
            roles.delete_role(role, by=request.user, move_to=delete_form.cleaned_data["move_to"])
        except Invalid as error:
            error.add_to_form(delete_form)
        else:
            messages.success(request, _("Role deleted."))
            return redirect("accounts:roles")
    context = {
        "role": role,
        "matrix": matrix,
        "actions": roles.ACTION_LABELS.values(),
        "name_form": name_form,
        "delete_form": delete_form,
        "builtin": role.preset != Role.Preset.CUSTOM,
    }
    return render(request, "accounts/role_edit.html", context)


@login_required
def why(request):
    """Explain the signed-in user's access to one record; administrators may ask on behalf of someone else."""
    try:
        pk = int(request.GET.get("id", ""))
    except ValueError:
        raise Http404 from None
    entity = request.GET.get("entity", "")
    action = request.GET.get("action", "read")
    person = request.user
    if request.GET.get("user") and selectors.is_administrator(request.user):
        person = get_object_or_404(selectors.staff(), pk=request.GET["user"])
    # The asker must be able to see the record, whoever it is explained for.
    obj = explain.find(request.user, entity, pk)
    if obj is None or action not in roles.ACTION_LABELS:
        raise Http404
    context = {
        "obj": obj,
        "person": person,
        "reasons": explain.explain(person, obj, action, language=request.LANGUAGE_CODE),
        "action": action,
    }
    return render(request, "accounts/why.html", context)


urlpatterns = [
    path("settings/roles/", role_list, name="roles"),
    path("settings/roles/<int:pk>/", role_edit, name="role_edit"),
    path("settings/why/", why, name="why"),
]
