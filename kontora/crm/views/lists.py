"""CRM list pages: deals, leads, contacts and companies with the filter bar, presets, columns, bulk actions, export.

The filter bar's fields become a Bitrix24 filter ({"%TITLE": …, ">=DATE_CREATE": …}) parsed by
`kontora.core.filters`, the same parser REST uses. HTMX requests (filter, sorting, next page) get only `#rows`.
"""

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.crm import exports, lists, schema
from kontora.crm.choices import Semantics
from kontora.crm.services import saved_filters

PLURALS = {"deal": "deals", "lead": "leads", "contact": "contacts", "company": "companies"}
TITLES = {
    "deal": gettext_lazy("Deals"),
    "lead": gettext_lazy("Leads"),
    "contact": gettext_lazy("Contacts"),
    "company": gettext_lazy("Companies"),
}
STATUS_FIELD = {"deal": "STAGE_ID", "lead": "STATUS_ID", "contact": "TYPE_ID", "company": "COMPANY_TYPE"}
STATUS_LABEL = {
    "deal": gettext_lazy("Any stage"),
    "lead": gettext_lazy("Any status"),
    "contact": gettext_lazy("Any type"),
    "company": gettext_lazy("Any type"),
}
AMOUNT_FIELD = {"deal": "OPPORTUNITY", "lead": "OPPORTUNITY"}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    """The filter bar. `as_filter()` turns it into a Bitrix24 filter."""

    preset = forms.ChoiceField(label=gettext_lazy("Preset"), required=False, widget=forms.RadioSelect)
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Search by name")}),
    )
    responsible = forms.ModelChoiceField(
        label=gettext_lazy("Responsible"), queryset=None, required=False, empty_label=gettext_lazy("Anyone")
    )
    status = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    category = forms.TypedChoiceField(label=gettext_lazy("Pipeline"), required=False, coerce=int, empty_value=None)
    created_from = forms.DateField(label=gettext_lazy("Created from"), required=False, widget=_date_input())
    created_to = forms.DateField(label=gettext_lazy("Created to"), required=False, widget=_date_input())
    amount_from = forms.DecimalField(label=gettext_lazy("Amount from"), required=False, min_value=0)
    amount_to = forms.DecimalField(label=gettext_lazy("Amount to"), required=False, min_value=0)
    filter = forms.JSONField(required=False, widget=forms.HiddenInput)  # a Bitrix24 filter, e.g. from analytics

    def __init__(self, data, *, entity: str, user) -> None:
        super().__init__(data)
        self.entity = entity
        self.fields["preset"].choices = [("", _("All")), *lists.presets(entity)]
        self.fields["responsible"].queryset = lists.people(user)
        self.fields["status"].choices = _status_choices(entity, STATUS_LABEL[entity])
        self.fields["status"].label = schema.entity(entity).fields[STATUS_FIELD[entity]].label
        if entity == "deal":
            self.fields["category"].choices = [("", _("Any pipeline"))] + [
                (category.pk, category.name) for category in lists.categories()
            ]
        else:
            del self.fields["category"]
        if entity not in AMOUNT_FIELD:
            del self.fields["amount_from"], self.fields["amount_to"]
        for name, field in self.fields.items():
            if name != "preset":
                field.widget.attrs["aria-label"] = field.label
        if "amount_from" in self.fields:
            self.fields["amount_from"].widget.attrs["placeholder"] = _("Amount from")
            self.fields["amount_to"].widget.attrs["placeholder"] = _("Amount to")

    def as_filter(self) -> dict:
        data = self.cleaned_data
        spec = schema.entity(self.entity)
        result: dict = {}
        words = (data.get("q") or "").split()
        for number, word in enumerate(words):
            result[str(number)] = {"LOGIC": "OR", **{f"%{name}": word for name in spec.search}}
        if isinstance(data.get("filter"), dict) and data["filter"]:
            result[str(len(words))] = data["filter"]
        if data.get("responsible"):
            result["ASSIGNED_BY_ID"] = data["responsible"].pk
        if data.get("status"):
            result[STATUS_FIELD[self.entity]] = data["status"]
        if data.get("category") is not None:
            result["CATEGORY_ID"] = data["category"]
        if data.get("created_from"):
            result[">=DATE_CREATE"] = data["created_from"].isoformat()
        if data.get("created_to"):
            result["<=DATE_CREATE"] = data["created_to"].isoformat()  # a whole day: up to its end
        if data.get("amount_from") is not None:
            result[f">={AMOUNT_FIELD[self.entity]}"] = str(data["amount_from"])
        if data.get("amount_to") is not None:
            result[f"<={AMOUNT_FIELD[self.entity]}"] = str(data["amount_to"])
        return result


def _status_choices(entity: str, empty_label) -> list:
    choices: list = [("", empty_label)]
    if entity != "deal":
        return choices + [(status.status_id, status.name) for status in lists.stages(entity)]
    groups: dict = {}
    for stage in lists.stages(entity):
        groups.setdefault(stage.category.name, []).append((stage.status_id, stage.name))
    return choices + list(groups.items())


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.category.name}: {obj.name}" if obj.category_id is not None else obj.name


class BulkForm(forms.Form):
    """An action for the checked rows."""

    action = forms.ChoiceField(label=gettext_lazy("Action"))
    responsible = forms.ModelChoiceField(
        label=gettext_lazy("New responsible"), queryset=None, required=False, empty_label=gettext_lazy("Whom to")
    )
    stage = StageChoiceField(
        label=gettext_lazy("New stage"), queryset=None, required=False, empty_label=gettext_lazy("Which stage")
    )
    loss_reason = forms.ModelChoiceField(
        label=gettext_lazy("Loss reason"), queryset=None, required=False, empty_label=gettext_lazy("Why lost")
    )
    loss_comment = forms.CharField(
        label=gettext_lazy("Loss comment"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Comment on the loss")}),
    )

    def __init__(self, data, *, entity: str, user) -> None:
        super().__init__(data, auto_id="bulk_%s")
        self.entity = entity
        actions = [("", _("Choose an action")), ("responsible", _("Change responsible"))]
        if entity in ("deal", "lead"):
            actions.append(("stage", _("Change stage") if entity == "deal" else _("Change status")))
            self.fields["stage"].queryset = lists.stages(entity)
            if entity == "lead":
                self.fields["stage"].label = _("New status")
        else:
            del self.fields["stage"]
        if entity == "deal":
            self.fields["loss_reason"].queryset = lists.loss_reasons()
        else:
            del self.fields["loss_reason"], self.fields["loss_comment"]
        actions.append(("delete", _("Delete")))
        self.fields["action"].choices = actions
        self.fields["responsible"].queryset = lists.people(user)
        if entity == "lead":
            self.fields["stage"].empty_label = _("Which status")
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == "responsible" and not data.get("responsible"):
            self.add_error("responsible", _("Choose the new responsible."))
        if action == "stage":
            stage = data.get("stage")
            if stage is None:
                self.add_error("stage", _("Choose the stage."))
            elif self.entity == "deal" and stage.semantics == Semantics.FAILURE and not data.get("loss_reason"):
                self.add_error("loss_reason", _("Choose why the deals were lost."))
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        names = ("responsible", "stage", "loss_reason", "loss_comment")
        return {name: data[name] for name in names if data.get(name)}


def _column_key(entity: str) -> str:
    return f"crm.list.{entity}.columns"


def _column_choices(entity: str, fields: dict[str, schema.Field] | None = None) -> dict[str, schema.Field]:
    """Fields that can be columns; TITLE is the name column every list starts with."""
    fields = fields if fields is not None else schema.fields_of(entity)
    return {name: field for name, field in fields.items() if field.column and name != "TITLE"}


def _chosen_columns(request, entity: str, available: dict[str, schema.Field]) -> list[str]:
    saved = request.session.get(_column_key(entity))
    names = saved if isinstance(saved, list) else list(schema.entity(entity).default_columns)
    return [name for name in names if name in available]


def _cell(value) -> tuple[str, object]:
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, datetime):
        return "datetime", value
    if isinstance(value, date):
        return "date", value
    if isinstance(value, Decimal):
        return "decimal", value
    return "text", value


def _query(request, entity: str, form: FilterForm) -> lists.ListQuery:
    bitrix_filter, preset = {}, ""
    if form.is_bound:
        form.is_valid()  # a field with a bad value drops out; the others still filter
        bitrix_filter, preset = form.as_filter(), form.cleaned_data.get("preset") or ""
    return lists.ListQuery(entity, bitrix_filter, preset, request.GET.get("sort") or "-ID")


def _url(base: str, params, **changes) -> str:
    """base?params with some parameters replaced (or dropped when the new value is empty)."""
    merged = params.copy()
    for key, value in changes.items():
        merged.pop(key, None)
        if value:
            merged[key] = value
    encoded = merged.urlencode()
    return f"{base}?{encoded}" if encoded else base


def _filter_params(params) -> dict:
    """The filter bar's non-empty parameters (no sorting, no page): what a saved filter keeps."""
    found = {}
    for name in FilterForm.base_fields:
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            found[name] = values if len(values) > 1 else values[0]
    return found


def _saved_filter_links(request, entity: str, list_url: str) -> list[dict]:
    current = _filter_params(request.GET)
    links = []
    for saved in lists.saved_filters(request.user, entity):
        query = QueryDict(mutable=True)
        for name, value in saved.params.items():
            query.setlist(name, value if isinstance(value, list) else [value])
        links.append(
            {
                "filter": saved,
                "url": _url(list_url, query),
                "own": saved.owner_id == request.user.pk,
                "active": bool(current) and saved.params == current,
            }
        )
    return links


def _headers(list_url: str, params, fields: dict, chosen: list[schema.Field], sort: lists.Sort) -> list[dict]:
    """The name column then the chosen ones; a sortable header links to sorting by it, again to reverse."""
    name_field = fields["TITLE"] if "TITLE" in fields else fields["LAST_NAME"]
    headers = []
    for column in [name_field, *chosen]:
        active = sort.field.name == column.name
        descending = active and sort.descending
        target = column.name if (not active or descending) else f"-{column.name}"
        headers.append(
            {
                "label": column.label if column is not name_field else _("Name"),
                "url": _url(list_url, params, sort=target) if column.sortable else None,
                "active": active,
                "descending": descending,
            }
        )
    return headers


@login_required
def record_list(request, entity: str):
    if request.method == "POST":
        return _post(request, entity)
    spec = schema.entity(entity)
    list_url = reverse(f"crm:{entity}_list")
    form = FilterForm(request.GET or None, entity=entity, user=request.user)
    query = _query(request, entity, form)
    fields = schema.fields_of(entity)
    available = _column_choices(entity, fields)
    chosen = [available[name] for name in _chosen_columns(request, entity, available)]
    sort = lists.parse_sort(query.sort, fields)
    try:
        queryset = lists.rows(request.user, query, fields=fields)
    except Invalid as error:
        form.add_error(None, error.message)
        queryset = lists.rows(request.user, lists.ListQuery(entity, sort=query.sort), fields=fields).none()
    related = schema.related_paths(chosen)
    current = lists.page(queryset.select_related(*related) if related else queryset, sort, request.GET.get("after"))
    total, capped = lists.count_capped(queryset)
    params = request.GET.copy()
    params.pop("after", None)
    cells = [
        {
            "record": record,
            "url": reverse(f"crm:{entity}_detail", args=[record.pk]),
            "cells": [_cell(schema.display_value(record, column)) for column in chosen],
        }
        for record in current.rows
    ]
    context = {
        "entity": entity,
        "title": TITLES[entity],
        "list_url": list_url,
        "form": form,
        "sort": sort,
        "headers": _headers(list_url, params, fields, chosen, sort),
        "rows": cells,
        "total": total,
        "capped": capped,
        "next_url": _url(list_url, params, after=current.next_cursor) if current.next_cursor else None,
        "first_url": _url(list_url, params) if request.GET.get("after") else None,
        "can_export": lists.can_export(request.user, spec.model),
        "export_csv_url": _url(reverse(f"crm:{entity}_export", args=["csv"]), params),
        "export_xlsx_url": _url(reverse(f"crm:{entity}_export", args=["xlsx"]), params),
        "add_url": reverse(f"crm:{entity}_add"),
        "bulk_form": BulkForm(None, entity=entity, user=request.user),
        "column_choices": [(name, field.label, field in chosen) for name, field in available.items()],
        "saved_filters": _saved_filter_links(request, entity, list_url),
        "can_save_filter": bool(_filter_params(request.GET)),
        "can_share_filters": saved_filters.can_share(request.user),
    }
    template = "crm/list_page.html#rows" if request.htmx and not request.htmx.boosted else "crm/list_page.html"
    return render(request, template, context)


def _post(request, entity: str):
    back = request.get_full_path()
    if "save_columns" in request.POST:
        available = _column_choices(entity)
        request.session[_column_key(entity)] = [
            name for name in request.POST.getlist("columns") if name in available
        ] or list(schema.entity(entity).default_columns)
        return redirect(back)
    if {"save_filter", "delete_filter", "share_filter", "unshare_filter"} & set(request.POST):
        return _saved_filter_post(request, entity)
    form = BulkForm(request.POST, entity=entity, user=request.user)
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    if not ids:
        messages.error(request, _("Check the rows to act on first."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    result = lists.bulk_apply(request.user, entity, ids, form.cleaned_data["action"], **form.params())
    if result.done:
        messages.success(
            request,
            ngettext("%(count)d record changed.", "%(count)d records changed.", result.done) % {"count": result.done},
        )
    for reason, count in result.refused.items():
        messages.error(
            request,
            ngettext(
                "%(count)d record was not changed: %(reason)s",
                "%(count)d records were not changed: %(reason)s",
                count,
            )
            % {"count": count, "reason": reason},
        )
    return redirect(back)


def _saved_filter_post(request, entity: str):
    """Save the filter bar as it is in the address (the form posts to the current URL), or delete/share one."""
    back = request.get_full_path()
    spec = schema.entity(entity)
    try:
        if "save_filter" in request.POST:
            saved = saved_filters.save_filter(
                by=request.user,
                entity_type=spec.entity_type,
                name=request.POST.get("name", ""),
                params=_filter_params(request.GET),
                shared=bool(request.POST.get("shared")),
            )
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
            return redirect(back)
        for action in ("delete_filter", "share_filter", "unshare_filter"):
            if action in request.POST:
                pk = request.POST[action]
                saved = lists.saved_filter(request.user, entity, int(pk) if pk.isdigit() else 0)
                if action == "delete_filter":
                    saved_filters.delete_filter(saved, by=request.user)
                    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
                else:
                    saved_filters.share_filter(saved, by=request.user, shared=action == "share_filter")
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)
    except NotFound as error:
        raise Http404 from error
    return redirect(back)


@login_required
def record_export(request, entity: str, fmt: str):
    """The current list (same query string) as CSV or XLSX: only rows the user may export."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    spec = schema.entity(entity)
    if not lists.can_export(request.user, spec.model):
        raise Http404
    form = FilterForm(request.GET or None, entity=entity, user=request.user)
    query = _query(request, entity, form)
    try:
        queryset = lists.rows(request.user, query, action="export")
    except Invalid as error:
        return HttpResponseBadRequest(error.message)
    available = _column_choices(entity)
    columns = exports.export_columns(entity, _chosen_columns(request, entity, available))
    if fmt == "csv":
        return exports.csv_response(entity, queryset, columns)
    return exports.xlsx_response(entity, queryset, columns)


urlpatterns = [
    route
    for entity, plural in PLURALS.items()
    for route in (
        path(f"{plural}/", record_list, {"entity": entity}, name=f"{entity}_list"),
        path(f"{plural}/export.<slug:fmt>", record_export, {"entity": entity}, name=f"{entity}_export"),
    )
]
