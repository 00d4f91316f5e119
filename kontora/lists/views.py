"""Pages of universal lists: the directory, list settings (administrators), elements, the element form and card."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.core.errors import Invalid, KontoraError
from kontora.core.registry import registry
from kontora.lists import exports, selectors, services
from kontora.lists import values as typed
from kontora.lists.forms import FieldForm, ListForm, element_form_class, initial_values, submitted_values
from kontora.lists.models import FieldType, ListElement, UniversalList

PAGE = 50


def _list(request, code: str) -> UniversalList:
    lst = selectors.get_list(request.user, code)
    if lst is None:
        raise Http404
    return lst


def _configured(request, code: str) -> UniversalList:
    lst = _list(request, code)
    if not services.may_configure(request.user, lst):
        raise Http404
    return lst


def _element(request, lst: UniversalList, pk: int, action: str = "read") -> ListElement:
    element = selectors.get_element(request.user, lst, pk, action)
    if element is None:
        raise Http404
    return element


def _fail(form, error: KontoraError) -> None:
    if isinstance(error, Invalid):
        error.add_to_form(form)
    else:
        form.add_error(None, error.message)


@login_required
def directory(request):
    return render(request, "lists/directory.html", {
        "rows": selectors.directory(request.user), "may_configure": services.may_configure(request.user),
    })  # fmt: skip


@login_required
def list_new(request):
    if not services.may_configure(request.user):
        raise Http404
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lst = services.create_list(by=request.user, **form.cleaned_data)
        except KontoraError as error:
            _fail(form, error)
        else:
            return redirect("lists:settings", lst.code)
    return render(request, "lists/list_form.html", {"form": form})


@login_required
def list_settings(request, code: str):
    lst = _configured(request, code)
    list_form = ListForm(editing=lst, initial={
        "name": lst.name, "description": lst.description, "sort": lst.sort, "add_scope": lst.add_scope,
        "add_departments": lst.add_departments.all(), "readers": lst.readers.all(),
    })  # fmt: skip
    field_form = FieldForm(prefix="field")
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            if action == "save_list":
                list_form = ListForm(request.POST, editing=lst)
                if list_form.is_valid():
                    data = {key: value for key, value in list_form.cleaned_data.items() if key != "code"}
                    services.update_list(lst, by=request.user, **data)
                    messages.success(request, _("The list is saved."))
                    return redirect("lists:settings", lst.code)
            elif action == "add_field":
                field_form = FieldForm(request.POST, prefix="field")
                if field_form.is_valid():
                    services.add_field(lst, by=request.user, code=field_form.cleaned_data["code"],
                                       **field_form.settings())  # fmt: skip
                    messages.success(request, _("The field is added."))
                    return redirect("lists:settings", lst.code)
            elif action in ("up", "down", "delete_field"):
                fields = list(lst.fields.all())
                field = next((item for item in fields if str(item.pk) == request.POST.get("field")), None)
                if field is None:
                    raise Http404
                if action == "delete_field":
                    services.delete_field(field, by=request.user)
                else:
                    codes = [item.code for item in fields]
                    index = codes.index(field.code)
                    other = index - 1 if action == "up" else index + 1
                    if 0 <= other < len(codes):
                        codes[index], codes[other] = codes[other], codes[index]
                    services.reorder_fields(lst, codes, by=request.user)
                return redirect("lists:settings", lst.code)
            elif action == "delete_list":
                services.delete_list(lst, by=request.user)
                messages.success(request, _("The list is deleted."))
                return redirect("lists:directory")
        except KontoraError as error:
            _fail(list_form if action == "save_list" else field_form, error)
    return render(request, "lists/settings.html", {
        "lst": lst, "list_form": list_form, "field_form": field_form, "fields": list(lst.fields.all()),
        "open_field_form": bool(field_form.errors),
    })  # fmt: skip


@login_required
def field_edit(request, code: str, pk: int):
    lst = _configured(request, code)
    field = lst.fields.filter(pk=pk).first()
    if field is None:
        raise Http404
    form = FieldForm(request.POST or None, editing=field, initial={
        "code": field.code, "name": field.name, "type": field.type, "required": field.required,
        "multiple": field.multiple, "default": field.default, "options": "\n".join(field.options),
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.update_field(field, by=request.user, **form.settings())
        except KontoraError as error:
            _fail(form, error)
        else:
            messages.success(request, _("The field is saved."))
            return redirect("lists:settings", lst.code)
    return render(request, "lists/field_form.html", {"lst": lst, "field": field, "form": form})


def _date(value: str):
    try:
        return parse_date(value or "")
    except ValueError:
        return None


@login_required
def elements(request, code: str):
    lst = _list(request, code)
    text = request.GET.get("q", "").strip()
    author = request.GET.get("author", "")
    filters = {
        "text": text, "author": int(author) if author.isdigit() else None,
        "since": _date(request.GET.get("since", "")), "until": _date(request.GET.get("until", "")),
    }  # fmt: skip
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        rows = selectors.elements_of(request.user, lst, action="export", **filters)
        return exports.csv_response(lst, rows) if export == "csv" else exports.xlsx_response(lst, rows)
    fields = list(lst.fields.all())
    shown = fields[:6]
    queryset = selectors.elements_of(request.user, lst, **filters)
    total = queryset.count()
    page = max(1, int(request.GET["page"])) if request.GET.get("page", "").isdigit() else 1
    rows = list(queryset[(page - 1) * PAGE : page * PAGE])
    people = selectors.people_in(shown, rows)
    table = [{"element": element, "cells": [typed.display(field, element.values.get(field.code), people)
                                            for field in shown]} for element in rows]  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "lists/elements.html", {
        "lst": lst, "fields": shown, "table": table, "total": total, "page": page,
        "has_next": page * PAGE < total, "filters": filters, "authors": selectors.authors(request.user, lst),
        "query": query.urlencode(), "may_add": services.may_add_element(request.user, lst),
        "may_configure": services.may_configure(request.user, lst),
    })  # fmt: skip


def _people(user):
    return access.visible(user, User).filter(is_active=True).order_by("last_name", "first_name")


def _save_element(request, lst: UniversalList, element: ListElement | None):
    fields = list(lst.fields.all())
    form_class = element_form_class(fields, _people(request.user))
    if element is None:
        initial = {"name": lst.name, **{field.code: field.default for field in fields if field.default}}
    else:
        initial = {"name": element.name, **initial_values(fields, element.values)}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = submitted_values(form, fields, element.values if element else None)
        try:
            if element is None:
                element = services.add_element(lst, by=request.user, name=form.cleaned_data["name"], values=values)
            else:
                services.update_element(element, by=request.user, name=form.cleaned_data["name"], values=values)
        except KontoraError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(element.get_absolute_url())
    return render(request, "lists/element_form.html", {"lst": lst, "element": element, "form": form})


@login_required
def element_new(request, code: str):
    lst = _list(request, code)
    if not services.may_add_element(request.user, lst):
        raise Http404
    return _save_element(request, lst, None)


@login_required
def element_edit(request, code: str, pk: int):
    lst = _list(request, code)
    return _save_element(request, lst, _element(request, lst, pk, "update"))


@login_required
def element(request, code: str, pk: int):
    lst = _list(request, code)
    element = _element(request, lst, pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        element = _element(request, lst, pk, "delete")
        services.delete_element(element, by=request.user)
        messages.success(request, _("The element is deleted."))
        return redirect("lists:elements", lst.code)
    fields = list(lst.fields.all())
    people = selectors.people_in(fields, [element])
    rows = []
    for field in fields:
        value = element.values.get(field.code)
        files = []
        if field.type == FieldType.FILE and value:
            files = [(item.get("name", ""), reverse("lists:file", args=[lst.code, element.pk, field.code, index]))
                     for index, item in enumerate(value if isinstance(value, list) else [value])]  # fmt: skip
        rows.append({"field": field, "text": typed.display(field, value, people), "files": files})
    panels = [panel(request.user, "list_element", element) for panel in registry.items("record_panels").values()]
    return render(request, "lists/element.html", {
        "lst": lst, "element": element, "rows": rows, "panels": [panel for panel in panels if panel],
        "may_update": access.can(request.user, "update", element),
        "may_delete": access.can(request.user, "delete", element),
    })  # fmt: skip


@login_required
def element_file(request, code: str, pk: int, field_code: str, index: int):
    lst = _list(request, code)
    element = _element(request, lst, pk)
    field = lst.fields.filter(code=field_code, type=FieldType.FILE).first()
    value = element.values.get(field_code) if field else None
    items = value if isinstance(value, list) else [value] if value else []
    if index >= len(items) or not default_storage.exists(items[index]["path"]):
        raise Http404
    item = items[index]
    return FileResponse(default_storage.open(item["path"], "rb"), as_attachment=True, filename=item["name"])
