"""CRM settings of pipelines, stages, loss reasons and lead statuses; lead conversion; duplicate check and merge."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.crm import duplicates as duplicate_reads
from kontora.crm import pipelines as reads
from kontora.crm import services
from kontora.crm.choices import EntityType, MultiFieldType, Semantics
from kontora.crm.selectors import get_record
from kontora.crm.services import pipelines_extra
from kontora.crm.services.conversion import convert_lead, has_person
from kontora.crm.services.duplicates import DROP, KEEP, default_choices, merge_fields, merge_records

TEMPLATE = "crm/pipeline_settings.html"


def _admin_only(request) -> None:
    if not is_administrator(request.user):
        raise Http404


def _add_error(form: forms.Form, error: Invalid | Forbidden) -> None:
    """A service error on the form: on its field when the form has it, above the form otherwise."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)


# Pipeline settings


class NameForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)  # the service says when it is missing


class EntryForm(NameForm):
    """A stage or a lead status: name, colour, and for a new one whether it is a step or a way to lose."""

    color = forms.RegexField(
        regex=r"^#[0-9A-Fa-f]{6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("Choose a colour written like #2FC6F6.")},
    )
    semantics = forms.ChoiceField(
        choices=[(Semantics.PROCESS, gettext_lazy("In progress")), (Semantics.FAILURE, gettext_lazy("Lost"))],
        required=False,
    )


def _int(data, name: str) -> int | None:
    try:
        return int(data.get(name, ""))
    except (TypeError, ValueError):
        return None


def _ids(data) -> list[int]:
    raw = ",".join(data.getlist("order"))
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        return []


def _found(value):
    if value is None:
        raise Http404
    return value


def _clean(form_class, data) -> dict:
    form = form_class(data)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise Invalid("BAD_INPUT", field, errors[0])
    return form.cleaned_data


def _add_pipeline(request) -> str:
    services.create_category(by=request.user, name=_clean(NameForm, request.POST)["name"])
    return _("Pipeline added.")


def _rename_pipeline(request) -> str:
    category = _found(reads.category(_int(request.POST, "category")))
    pipelines_extra.rename_category(category, by=request.user, name=_clean(NameForm, request.POST)["name"])
    return _("Pipeline renamed.")


def _add_stage(request) -> str:
    category = _found(reads.category(_int(request.POST, "category")))
    data = _clean(EntryForm, request.POST)
    pipelines_extra.add_stage(
        category, by=request.user, name=data["name"], color=data["color"] or "#ACE9FB",
        semantics=data["semantics"] or Semantics.PROCESS,
    )  # fmt: skip
    return _("Stage added.")


def _update_stage(request) -> str:
    stage = _found(reads.stage(_int(request.POST, "id")))
    data = _clean(EntryForm, request.POST)
    services.update_stage(stage, by=request.user, name=data["name"], color=data["color"] or None)
    return _("Stage saved.")


def _move_stage(offset: int):
    def handler(request) -> str:
        pipelines_extra.move_stage(_found(reads.stage(_int(request.POST, "id"))), by=request.user, offset=offset)
        return ""

    return handler


def _delete_stage(request) -> str:
    stage = _found(reads.stage(_int(request.POST, "id")))
    move_to = reads.stage(_int(request.POST, "move_to")) if request.POST.get("move_to") else None
    moved = services.delete_stage(stage, by=request.user, move_to=move_to)
    if moved:
        return _("Stage deleted; its deals moved to “%(stage)s”.") % {"stage": move_to.name}
    return _("Stage deleted.")


def _reorder_stages(request) -> str:
    category = _found(reads.category(_int(request.POST, "category")))
    services.reorder_stages(category, _ids(request.POST), by=request.user)
    return ""


def _add_reason(request) -> str:
    pipelines_extra.create_loss_reason(by=request.user, name=_clean(NameForm, request.POST)["name"])
    return _("Loss reason added.")


def _update_reason(request) -> str:
    reason = _found(reads.loss_reason(_int(request.POST, "id")))
    pipelines_extra.update_loss_reason(reason, by=request.user, name=_clean(NameForm, request.POST)["name"])
    return _("Loss reason saved.")


def _toggle_reason(active: bool):
    def handler(request) -> str:
        reason = _found(reads.loss_reason(_int(request.POST, "id")))
        pipelines_extra.update_loss_reason(reason, by=request.user, active=active)
        return _("Loss reason is offered again.") if active else _("Loss reason is no longer offered.")

    return handler


def _add_status(request) -> str:
    data = _clean(EntryForm, request.POST)
    pipelines_extra.create_lead_status(
        by=request.user, name=data["name"], color=data["color"] or "#ACE9FB",
        semantics=data["semantics"] or Semantics.PROCESS,
    )  # fmt: skip
    return _("Lead status added.")


def _update_status(request) -> str:
    status = _found(reads.lead_status(_int(request.POST, "id")))
    data = _clean(EntryForm, request.POST)
    pipelines_extra.update_lead_status(status, by=request.user, name=data["name"], color=data["color"] or None)
    return _("Lead status saved.")


def _move_status(offset: int):
    def handler(request) -> str:
        status = _found(reads.lead_status(_int(request.POST, "id")))
        pipelines_extra.move_lead_status(status, by=request.user, offset=offset)
        return ""

    return handler


def _delete_status(request) -> str:
    status = _found(reads.lead_status(_int(request.POST, "id")))
    move_to = reads.lead_status(_int(request.POST, "move_to")) if request.POST.get("move_to") else None
    moved = pipelines_extra.delete_lead_status(status, by=request.user, move_to=move_to)
    if moved:
        return _("Lead status deleted; its leads moved to “%(status)s”.") % {"status": move_to.name}
    return _("Lead status deleted.")


def _reorder_statuses(request) -> str:
    pipelines_extra.reorder_lead_statuses(_ids(request.POST), by=request.user)
    return ""


ACTIONS = {
    "add_pipeline": _add_pipeline,
    "rename_pipeline": _rename_pipeline,
    "add_stage": _add_stage,
    "update_stage": _update_stage,
    "stage_up": _move_stage(-1),
    "stage_down": _move_stage(1),
    "delete_stage": _delete_stage,
    "reorder_stages": _reorder_stages,
    "add_reason": _add_reason,
    "update_reason": _update_reason,
    "deactivate_reason": _toggle_reason(False),
    "activate_reason": _toggle_reason(True),
    "add_status": _add_status,
    "update_status": _update_status,
    "status_up": _move_status(-1),
    "status_down": _move_status(1),
    "delete_status": _delete_status,
    "reorder_statuses": _reorder_statuses,
}


def _anchor(request, action: str) -> str:
    if action.endswith("status") or action.endswith("statuses") or action.startswith("status_"):
        return "#lead-statuses"
    if action.endswith("reason"):
        return "#loss-reasons"
    if request.POST.get("category"):
        return f"#pipeline-{_int(request.POST, 'category')}"
    return ""


def _settings_context() -> dict:
    return {
        "pipelines": reads.pipelines_with_stages(),
        "reasons": reads.loss_reasons(),
        "statuses": reads.lead_statuses(),
    }


def _reordered(request, action: str, error: str) -> HttpResponse:
    """The HTMX answer to a drag: the card re-rendered from the database, with the error if the order was refused."""
    if action == "reorder_stages":
        category = _found(reads.pipeline_with_stages(_int(request.POST, "category") or 0))
        return render(request, f"{TEMPLATE}#pipeline", {"category": category, "error": error})
    return render(request, f"{TEMPLATE}#statuses", {"statuses": reads.lead_statuses(), "error": error})


@login_required
def pipeline_settings(request):
    _admin_only(request)
    if request.method != "POST":
        return render(request, TEMPLATE, _settings_context())
    action = request.POST.get("action", "")
    handler = ACTIONS.get(action)
    if handler is None:
        return HttpResponseBadRequest()
    error = message = ""
    try:
        message = handler(request)
    except (Invalid, Forbidden) as failure:
        error = failure.message
    if request.htmx and action in {"reorder_stages", "reorder_statuses"}:
        return _reordered(request, action, error)
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(reverse("crm:pipeline_settings") + _anchor(request, action))


# Lead conversion


def _choice_label(record) -> str:
    """Like "Link to Иван Петров, director (#12) — same phone": enough to tell two look-alikes apart."""
    reasons = {"phone": _("same phone"), "email": _("same email"), "name": _("same name")}
    matched = ", ".join(str(reasons[reason]) for reason in getattr(record, "duplicate_reasons", []))
    position = getattr(record, "position", "")
    described = f"{record}, {position} (#{record.pk})" if position else f"{record} (#{record.pk})"
    if matched:
        return _("Link to %(record)s — %(matched)s") % {"record": described, "matched": matched}
    return _("Link to %(record)s") % {"record": described}


class ConvertForm(forms.Form):
    contact = forms.ChoiceField(label=gettext_lazy("Contact"), widget=forms.RadioSelect)
    company = forms.ChoiceField(label=gettext_lazy("Company"), widget=forms.RadioSelect)
    create_deal = forms.BooleanField(label=gettext_lazy("Create a deal"), required=False, initial=True)
    category = forms.TypedChoiceField(label=gettext_lazy("Pipeline"), coerce=int, required=False)

    def __init__(self, *args, lead, contacts, companies, categories, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {str(record.pk): record for record in contacts}
        self.companies = {str(record.pk): record for record in companies}
        person = " ".join(part for part in (lead.first_name, lead.middle_name, lead.last_name) if part)
        contact_choices = [("new", _("Create a contact: %(name)s") % {"name": person})] if has_person(lead) else []
        contact_choices += [(pk, _choice_label(record)) for pk, record in self.contacts.items()]
        contact_choices.append(("none", _("No contact")))
        company_choices = (
            [("new", _("Create a company: %(title)s") % {"title": lead.company_title})] if lead.company_title else []
        )
        company_choices += [(pk, _choice_label(record)) for pk, record in self.companies.items()]
        company_choices.append(("none", _("No company")))
        self.fields["contact"].choices = contact_choices
        self.fields["company"].choices = company_choices
        self.fields["contact"].initial = contact_choices[0][0]
        self.fields["company"].initial = company_choices[0][0]
        self.fields["category"].choices = [(item.pk, item.name) for item in categories]
        self.fields["category"].initial = categories[0].pk if categories else None
        if not categories:
            self.fields["create_deal"].initial = False
            self.fields["create_deal"].disabled = True

    def arguments(self, categories) -> dict:
        data = self.cleaned_data
        contact, company = data["contact"], data["company"]
        return {
            "create_contact": contact == "new",
            "contact": self.contacts.get(contact),
            "create_company": company == "new",
            "company": self.companies.get(company),
            "create_deal": bool(data["create_deal"]),
            "category": next((item for item in categories if item.pk == data["category"]), None),
        }


def _candidates(user, lead) -> tuple[list, list]:
    """Existing contacts and companies the lead may be: the ones it is linked to, then look-alikes."""
    rows = reads.lead_communications(lead)
    phones = [row.value for row in rows if row.type_id == MultiFieldType.PHONE]
    emails = [row.value for row in rows if row.type_id == MultiFieldType.EMAIL]
    person = " ".join(part for part in (lead.first_name, lead.middle_name, lead.last_name) if part)
    contacts = duplicate_reads.find_duplicates(user, EntityType.CONTACT, phones, emails, name=person)
    companies = duplicate_reads.find_duplicates(
        user, EntityType.COMPANY, phones, emails, company_title=lead.company_title
    )
    for linked, found, entity_type in (
        (lead.contact_id, contacts, EntityType.CONTACT),
        (lead.company_id, companies, EntityType.COMPANY),
    ):
        if linked and all(record.pk != linked for record in found):
            record = get_record(user, entity_type, linked)
            if record is not None:
                found.insert(0, record)
    return contacts, companies


@login_required
def lead_convert(request, pk: int):
    lead = _found(reads.lead_to_convert(request.user, pk))
    context = {"lead": lead, "communications": reads.lead_communications(lead)}
    if lead.is_converted:
        return render(request, "crm/convert_lead.html", {**context, "produced": reads.produced_by(lead)})
    contacts, companies = _candidates(request.user, lead)
    categories = reads.categories_for_new_deals(request.user)
    form = ConvertForm(request.POST or None, lead=lead, contacts=contacts, companies=companies, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            result = convert_lead(lead, by=request.user, **form.arguments(categories))
        except (Invalid, Forbidden) as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The lead is converted."))
            target = result.deal or result.contact or result.company
            return redirect(target.get_absolute_url())
    return render(
        request,
        "crm/convert_lead.html",
        {**context, "form": form, "product_rows": reads.lead_product_rows(lead), "categories": categories},
    )


# Duplicates


def _values(request, *names: str) -> list[str]:
    """Every value of these parameters, also when one field holds several separated by commas or lines."""
    found = []
    for name in names:
        for value in request.GET.getlist(name):
            found += [part.strip() for part in value.replace(";", ",").replace("\n", ",").split(",") if part.strip()]
    return found


@login_required
@require_GET
def duplicates_check(request):
    """HTMX: the "possible duplicates" warning for a create or edit form (empty when there are none)."""
    try:
        entity_type = duplicate_reads.entity_type_of(request.GET.get("entity", ""))
    except LookupError:
        return HttpResponseBadRequest()
    name = request.GET.get("name") or " ".join(
        request.GET.get(part, "").strip() for part in ("first_name", "middle_name", "last_name")
    )
    company_title = request.GET.get("company_title", "")
    if entity_type == EntityType.COMPANY:
        company_title = company_title or request.GET.get("title", "")
    exclude_id = _int(request.GET, "exclude")
    found = duplicate_reads.find_possible_duplicates(
        request.user, entity_type, _values(request, "phones", "phone"), _values(request, "emails", "email"),
        name=name, company_title=company_title, exclude_id=exclude_id,
    )  # fmt: skip
    entity = next(key for key, value in duplicate_reads.ENTITY_NAMES.items() if value == entity_type)
    items = [
        {
            "record": record,
            "kind": EntityType(record.entity_type).label,
            "reasons": record.duplicate_reasons,
            "entity": record._meta.model_name,
            "mergeable": exclude_id is not None and record.entity_type == entity_type,
        }
        for record in found
    ]
    return render(request, "crm/duplicates_check.html", {"items": items, "entity": entity, "exclude_id": exclude_id})


# Merge


def _shown(record, name: str) -> str:
    value = getattr(record, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    display = getattr(record, f"get_{name}_display", None)
    return str(display()) if display else str(value)


class MergeForm(forms.Form):
    def __init__(self, *args, keep, drop, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        initial = default_choices(keep, drop)
        self.rows = []
        for name in merge_fields(type(keep)):
            ours, theirs = _shown(keep, name), _shown(drop, name)
            row = {"name": name, "label": keep._meta.get_field(name).verbose_name, "keep": ours, "drop": theirs}
            if ours != theirs:
                self.fields[name] = forms.ChoiceField(
                    choices=[(KEEP, ours), (DROP, theirs)], initial=initial[name], widget=forms.RadioSelect
                )
                row["field"] = name
            self.rows.append(row)


@login_required
def merge(request, entity: str, keep_id: int, drop_id: int):
    try:
        entity_type = duplicate_reads.entity_type_of(entity)
    except LookupError:
        raise Http404 from None
    keep = _found(get_record(request.user, entity_type, keep_id, "update"))
    drop = _found(get_record(request.user, entity_type, drop_id, "delete"))
    if keep.pk == drop.pk:
        raise Http404
    form = MergeForm(request.POST or None, keep=keep, drop=drop)
    if request.method == "POST" and form.is_valid():
        try:
            merge_records(keep, drop, by=request.user, choices=form.cleaned_data)
        except (Invalid, Forbidden) as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Records merged; the duplicate is in the recycle bin."))
            return redirect(keep.get_absolute_url())
    rows = [{**row, "bound": form[row["field"]] if "field" in row else None} for row in form.rows]
    return render(
        request,
        "crm/merge_records.html",
        {
            "keep": keep,
            "drop": drop,
            "entity": entity,
            "kind": EntityType(entity_type).label,
            "form": form,
            "rows": rows,
            "keep_communications": duplicate_reads.communications_of(keep),
            "drop_communications": duplicate_reads.communications_of(drop),
            "keep_links": duplicate_reads.links_of(keep),
            "drop_links": duplicate_reads.links_of(drop),
        },
    )


urlpatterns = [
    path("settings/pipelines/", pipeline_settings, name="pipeline_settings"),
    path("leads/<int:pk>/convert/", lead_convert, name="lead_convert"),
    path("duplicates/check/", duplicates_check, name="duplicates_check"),
    path("merge/<str:entity>/<int:keep_id>/<int:drop_id>/", merge, name="merge"),
]
