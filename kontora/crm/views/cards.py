"""CRM record cards (fields edited in place, stage bar, timeline), create forms, "My activities" and the bin."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from kontora.accounts import access
from kontora.accounts.models import Level
from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.core.registry import registry
from kontora.crm import cards, custom, selectors, services
from kontora.crm.choices import CODE_PREFIX, EntityType, MultiFieldType, Semantics
from kontora.crm.forms import (
    ActivityFilterForm,
    ActivityForm,
    CommentForm,
    CommunicationsForm,
    CompanyForm,
    ContactForm,
    DealForm,
    LeadForm,
    LossForm,
    ProductRowFormSet,
)
from kontora.crm.models import CrmRecord, Deal, Lead

CHANGED = "crm-record-changed"  # the client event after which the card's timeline reloads itself


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...] = ()
    kind: str = "fields"  # "fields", "communications", "products" or "custom" (the UF_CRM_* fields)


@dataclass(frozen=True)
class Kind:
    """How one entity's card and create form look and which services write it."""

    entity_type: EntityType
    slug: str
    form: type
    create: Callable
    update: Callable
    sections: tuple[Section, ...]
    new_title: str
    list_name: str
    related: tuple[str, ...] = field(default=())


COMMUNICATIONS = Section("communications", gettext_lazy("Phones and emails"), kind="communications")
CUSTOM = Section("custom", gettext_lazy("Custom fields"), kind="custom")

KINDS = {
    EntityType.DEAL: Kind(
        EntityType.DEAL,
        "deal",
        DealForm,
        services.create_deal,
        services.update_deal,
        (
            Section(
                "main",
                gettext_lazy("About the deal"),
                ("title", "amount", "currency", "probability", "close_date", "deal_type", "source", "responsible"),
            ),
            Section("client", gettext_lazy("Client"), ("company", "contacts")),
            Section("products", gettext_lazy("Products"), kind="products"),
            CUSTOM,
            Section("more", gettext_lazy("More"), ("comments",)),
        ),
        gettext_lazy("New deal"),
        "crm:deal_list",
        ("leads",),
    ),
    EntityType.LEAD: Kind(
        EntityType.LEAD,
        "lead",
        LeadForm,
        services.create_lead,
        services.update_lead,
        (
            Section(
                "main",
                gettext_lazy("About the lead"),
                ("title", "status", "source", "amount", "currency", "responsible"),
            ),
            Section(
                "person",
                gettext_lazy("Client"),
                ("first_name", "middle_name", "last_name", "company_title", "position"),
            ),
            COMMUNICATIONS,
            CUSTOM,
            Section("more", gettext_lazy("More"), ("comments",)),
        ),
        gettext_lazy("New lead"),
        "crm:lead_list",
        ("companies", "contacts", "deals"),
    ),
    EntityType.CONTACT: Kind(
        EntityType.CONTACT,
        "contact",
        ContactForm,
        services.create_contact,
        services.update_contact,
        (
            Section(
                "main",
                gettext_lazy("About the contact"),
                ("first_name", "middle_name", "last_name", "position", "birthdate", "contact_type", "source"),
            ),
            COMMUNICATIONS,
            Section("companies", gettext_lazy("Companies"), ("companies",)),
            CUSTOM,
            Section("more", gettext_lazy("More"), ("responsible", "address", "comments")),
        ),
        gettext_lazy("New contact"),
        "crm:contact_list",
        ("companies", "deals", "leads"),
    ),
    EntityType.COMPANY: Kind(
        EntityType.COMPANY,
        "company",
        CompanyForm,
        services.create_company,
        services.update_company,
        (
            Section(
                "main",
                gettext_lazy("About the company"),
                ("title", "company_type", "industry", "employees", "revenue", "currency"),
            ),
            COMMUNICATIONS,
            CUSTOM,
            Section("more", gettext_lazy("More"), ("responsible", "address", "comments")),
        ),
        gettext_lazy("New company"),
        "crm:company_list",
        ("contacts", "deals", "leads"),
    ),
}
RELATED_TITLES = {
    "companies": gettext_lazy("Companies"),
    "contacts": gettext_lazy("Contacts"),
    "deals": gettext_lazy("Deals"),
    "leads": gettext_lazy("Leads"),
}
RELATED_ADD = {
    (EntityType.COMPANY, "contacts"): ("crm:contact_add", "companies"),
    (EntityType.COMPANY, "deals"): ("crm:deal_add", "company"),
    (EntityType.CONTACT, "deals"): ("crm:deal_add", "contacts"),
}


def _form_error(form, error: Invalid) -> None:
    """A service's complaint goes next to its field when the form shows that field, above the form otherwise."""
    fields = getattr(form, "fields", {})  # a formset has none
    form.add_error(error.field if error.field in fields else None, error.message)


def _is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _record_or_404(request, entity_type: int, pk: int) -> CrmRecord:
    record = cards.record_for(request.user, entity_type, pk)
    if record is None:
        raise Http404
    return record


def _list_url(kind: Kind) -> str:
    return reverse(kind.list_name)


# The card: what it shows ------------------------------------------------------------------------------------


def _display(record: CrmRecord, name: str, related: dict[str, list]) -> dict:
    """One field as the card shows it: text, or links to people and records the viewer may open."""
    if name in {"contacts", "companies"}:
        return {"links": [(str(item), item.get_absolute_url()) for item in related.get(name, [])]}
    value = getattr(record, name)
    if name == "responsible":
        return {"links": [(value.full_name, reverse("accounts:person", args=[value.pk]))]}
    if name == "company":
        visible = [item for item in related.get("companies", []) if item.pk == record.company_id]
        if visible:
            return {"links": [(str(visible[0]), visible[0].get_absolute_url())]}
        return {"text": _("hidden") if value is not None else "—"}
    if value is None or value == "":
        return {"text": "—"}
    if isinstance(value, bool):
        return {"text": _("yes") if value else _("no")}
    if isinstance(value, models.Model):
        return {"text": str(value)}
    if isinstance(value, Decimal):
        text = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    else:
        text = formats.localize(value, use_l10n=True)
    return {"text": f"{text} %" if name == "probability" else text}


def _section_context(
    request, kind: Kind, record: CrmRecord, section: Section, related: dict, can_update: bool, form=None
) -> dict:
    labels = kind.form.base_fields
    context = {"key": section.key, "title": section.title, "kind": section.kind, "editable": can_update, "form": form}
    if section.kind == "fields":
        context["rows"] = [
            {"name": name, "label": labels[name].label, **_display(record, name, related)} for name in section.fields
        ]
    elif section.kind == "custom":
        context["rows"] = custom.card_rows(kind.entity_type, record, request.user)
    elif section.kind == "communications":
        fields = selectors.multifields_of(record)
        context["phones"] = fields.get(MultiFieldType.PHONE, [])
        context["emails"] = fields.get(MultiFieldType.EMAIL, [])
    else:
        rows = cards.product_rows(record)
        context["rows"] = rows
        context["total"] = sum((row.total for row in rows), 0)
    return context


def _edit_form(request, kind: Kind, record: CrmRecord, section: Section, data=None):
    """The inline form of one section, filled with the record's current values."""
    if section.kind == "communications":
        fields = selectors.multifields_of(record)
        initial = {
            "phones": [item.value for item in fields.get(MultiFieldType.PHONE, [])],
            "emails": [item.value for item in fields.get(MultiFieldType.EMAIL, [])],
        }
        return CommunicationsForm(data, initial=initial, prefix=section.key)
    if section.kind == "products":
        initial = [
            {
                "product": row.product_id,
                "product_name": row.product_name,
                "price": row.price,
                "quantity": row.quantity_text,
                "discount_rate": row.discount_rate,
                "tax_rate": row.tax_rate,
                "tax_included": row.tax_included,
            }
            for row in cards.product_rows(record)
        ]
        return ProductRowFormSet(data, initial=initial, prefix=section.key)
    if section.kind == "custom":
        initial = custom.initial_of(kind.entity_type, record)
        return kind.form(data, initial=initial, user=request.user, only=list(initial), prefix=section.key)
    only = list(section.fields)
    hidden = cards.hidden_links(request.user, record)
    if hidden.get("company"):
        only.remove("company")  # a company the editor cannot see stays as it is
    initial = {name: getattr(record, name) for name in only if name not in {"contacts", "companies"}}
    initial.update({name: ids for name, ids in cards.linked_ids(record).items() if name in only})
    return kind.form(data, initial=initial, user=request.user, only=only, prefix=section.key)


def _save_section(request, kind: Kind, record: CrmRecord, section: Section, form) -> bool:
    """Parse a section's form and call the service; errors land on the form."""
    if not form.is_valid():
        return False
    try:
        if section.kind == "communications":
            with transaction.atomic():
                for type_id, name in ((MultiFieldType.PHONE, "phones"), (MultiFieldType.EMAIL, "emails")):
                    if name in form.changed_data:
                        services.set_multifields(
                            record, by=request.user, type_id=type_id, values=form.cleaned_data[name]
                        )
        elif section.kind == "products":
            rows = [row for row in form.cleaned_data if row and not row.get("DELETE")]
            for row in rows:
                row.pop("DELETE", None)
                for name in ("tax_rate", "price"):  # a catalogue product supplies what is left empty
                    if row.get(name) is None:
                        row.pop(name, None)
            services.set_product_rows(record, rows, by=request.user)
        elif section.kind == "custom":
            if form.changed_data:
                values = {**(record.custom or {}), **form.cleaned_data.get("custom", {})}
                kind.update(record, by=request.user, custom=values)
        else:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            hidden = cards.hidden_links(request.user, record)
            for name in ("contacts", "companies"):
                if name in changes:
                    changes[name] = [*changes[name], *hidden.get(name, [])]
            if changes:
                kind.update(record, by=request.user, **changes)
    except Invalid as error:
        _form_error(form, error)
        return False
    except Forbidden as error:
        form.add_error(None, error.message)
        return False
    return True


def _stage_bar(record: Deal, lose: int | None = None, loss_form=None, error: str | None = None) -> dict:
    stages = cards.stages_of(record.category)
    current = next((index for index, item in enumerate(stages) if item.pk == record.stage_id), 0)
    process = [item for item in stages if item.semantics == Semantics.PROCESS]
    finals = [item for item in stages if item.semantics != Semantics.PROCESS]
    steps = []
    for item in process:
        passed = record.stage.semantics != Semantics.PROCESS or stages.index(item) <= current
        steps.append({"stage": item, "passed": passed, "current": item.pk == record.stage_id})
    losing = None
    if lose is not None:
        losing = next((item for item in finals if item.pk == lose and item.semantics == Semantics.FAILURE), None)
    return {
        "steps": steps,
        "finals": [{"stage": item, "current": item.pk == record.stage_id} for item in finals],
        "losing": losing,
        "loss_form": loss_form if loss_form is not None else (LossForm() if losing else None),
        "error": error,
    }


def _timeline(request, record: CrmRecord, comment_form=None, activity_form=None, can_update: bool = False) -> dict:
    return {
        "items": cards.card_timeline(request.user, record),
        "comment_form": comment_form or CommentForm(prefix="comment"),
        "activity_form": (activity_form or ActivityForm(prefix="activity", initial={"responsible": request.user}))
        if can_update
        else None,
        "open_activity_form": activity_form is not None and bool(activity_form.errors),
    }


def _linked(user, record: CrmRecord) -> list[dict]:
    """What other apps link to this record (its tasks...), as each app registered under "record_links"."""
    code = f"{CODE_PREFIX[record.entity_type]}_{record.pk}"
    return [
        {"key": links.key, "title": links.title, "items": links.items(user, code), "add_url": links.add_url(code)}
        for links in registry.items("record_links").values()
    ]


def _card_context(request, kind: Kind, record: CrmRecord, **parts) -> dict:
    user = request.user
    can_update = cards.can(user, "update", record)
    related = cards.related_records(user, record)
    editing = parts.get("editing")
    sections = []
    for section in kind.sections:
        form = None
        if can_update and editing is not None and editing[0] == section.key:
            form = editing[1]
        context = _section_context(request, kind, record, section, related, can_update, form)
        if section.kind == "custom" and not context["rows"]:
            continue  # the entity has no custom fields
        sections.append(context)
    if isinstance(record, Deal):
        communications = cards.communications_of([*related.get("contacts", []), *related.get("companies", [])])
    else:
        communications = cards.communications_of([record])
    return {
        "kind": kind,
        "record": record,
        "card_url": record.get_absolute_url(),
        "can_update": can_update,
        "can_delete": cards.can(user, "delete", record),
        "sections": sections,
        "related": [
            {
                "key": key,
                "title": RELATED_TITLES[key],
                "items": related.get(key, []),
                "add_url": _add_url(key, kind, record),
            }
            for key in kind.related
        ],
        "linked": _linked(user, record),
        "convert_url": _convert_url(record) if can_update else None,
        "phone": next(iter(communications["PHONE"]), None),
        "email": next(iter(communications["EMAIL"]), None),
        "stagebar": _stage_bar(record, parts.get("lose"), parts.get("loss_form"), parts.get("stage_error"))
        if isinstance(record, Deal)
        else None,
        "timeline": _timeline(request, record, parts.get("comment_form"), parts.get("activity_form"), can_update),
    }


def _convert_url(record: CrmRecord) -> str | None:
    """The lead conversion page (the pipelines team's), for a lead that is not converted yet."""
    if not isinstance(record, Lead) or record.is_converted:
        return None
    return reverse("crm:lead_convert", args=[record.pk])


def _add_url(key: str, kind: Kind, record: CrmRecord) -> str | None:
    """ "+ add" next to a related list: a new contact of this company, a new deal of this company or contact."""
    target = RELATED_ADD.get((kind.entity_type, key))
    if target is None:
        return None
    url_name, parameter = target
    return f"{reverse(url_name)}?{parameter}={record.pk}"


def _section_by_key(kind: Kind, key: str | None) -> Section:
    for section in kind.sections:
        if section.key == key:
            return section
    raise Http404


def _render_card(request, kind: Kind, record: CrmRecord, status: int = 200, **parts) -> HttpResponse:
    return render(request, "crm/card_record.html", _card_context(request, kind, record, **parts), status=status)


# The card: the page and its actions -------------------------------------------------------------------------


@login_required
def record_card(request, entity_type: int, pk: int):
    kind = KINDS[entity_type]
    record = _record_or_404(request, entity_type, pk)
    if request.method == "POST":
        return _card_action(request, kind, record)
    can_update = cards.can(request.user, "update", record)
    part = request.GET.get("part")
    edit = request.GET.get("edit")
    lose = _int(request.GET.get("lose"))
    if _is_htmx(request) and part == "timeline":
        context = {"record": record, "card_url": record.get_absolute_url(), "can_update": can_update}
        context["timeline"] = _timeline(request, record, can_update=can_update)
        return render(request, "crm/card_record.html#timeline", context)
    if _is_htmx(request) and part == "stages" and isinstance(record, Deal):
        context = {"record": record, "card_url": record.get_absolute_url(), "can_update": can_update}
        context["stagebar"] = _stage_bar(record, lose)
        return render(request, "crm/card_record.html#stages", context)
    if _is_htmx(request) and part == "section":
        section = _section_by_key(kind, request.GET.get("section"))
        form = _edit_form(request, kind, record, section) if edit and can_update else None
        return _render_section(request, kind, record, section, form)
    editing = None
    if edit and can_update:
        section = _section_by_key(kind, edit)
        editing = (section.key, _edit_form(request, kind, record, section))
    return _render_card(request, kind, record, editing=editing, lose=lose)


def _render_section(request, kind: Kind, record: CrmRecord, section: Section, form=None) -> HttpResponse:
    can_update = cards.can(request.user, "update", record)
    related = cards.related_records(request.user, record)
    context = {
        "kind": kind,
        "record": record,
        "card_url": record.get_absolute_url(),
        "section": _section_context(request, kind, record, section, related, can_update, form),
    }
    return render(request, "crm/card_record.html#section", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _card_action(request, kind: Kind, record: CrmRecord) -> HttpResponse:
    """A card's POST actions, told apart by the `action` field."""
    action = request.POST.get("action", "")
    handlers = {
        "save": _action_save,
        "comment": _action_comment,
        "plan": _action_plan,
        "complete": _action_complete,
        "move": _action_move,
        "delete": _action_delete,
    }
    if action not in handlers:
        return HttpResponse(_("Unknown action."), status=400)
    return handlers[action](request, kind, record)


def _nudge(response: HttpResponse, changed: bool = True) -> HttpResponse:
    """After a write, tell the page so that the card's timeline reloads itself."""
    if changed:
        trigger_client_event(response, CHANGED)
    return response


def _require_update(request, record: CrmRecord) -> None:
    if not cards.can(request.user, "update", record):
        raise Http404


def _action_save(request, kind: Kind, record: CrmRecord) -> HttpResponse:
    _require_update(request, record)
    section = _section_by_key(kind, request.POST.get("section"))
    form = _edit_form(request, kind, record, section, data=request.POST)
    saved = _save_section(request, kind, record, section, form)
    record = _record_or_404(request, kind.entity_type, record.pk)  # fresh values, and still visible
    if _is_htmx(request):
        response = _render_section(request, kind, record, section, None if saved else form)
        return _nudge(response, changed=saved)
    if saved:
        return redirect(record)
    return _render_card(request, kind, record, status=200, editing=(section.key, form))


def _action_comment(request, kind: Kind, record: CrmRecord) -> HttpResponse:
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.add_comment(record, by=request.user, text=form.cleaned_data["text"])
        except Invalid as error:
            _form_error(form, error)
        else:
            form = None
    return _timeline_response(request, kind, record, comment_form=form)


def _action_plan(request, kind: Kind, record: CrmRecord) -> HttpResponse:
    _require_update(request, record)
    form = ActivityForm(request.POST, prefix="activity")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_activity(
                record,
                by=request.user,
                subject=data["subject"],
                type_id=data["type_id"],
                deadline=data["deadline"],
                responsible=data["responsible"],
                description=data["description"],
            )
        except Invalid as error:
            _form_error(form, error)
        else:
            form = None
    return _timeline_response(request, kind, record, activity_form=form)


def _action_complete(request, kind: Kind, record: CrmRecord) -> HttpResponse:
    activity = cards.activity_on(request.user, record, _int(request.POST.get("activity")) or 0)
    if activity is None:
        raise Http404
    services.complete_activity(activity, by=request.user, done="1" in request.POST.getlist("done"))
    return _timeline_response(request, kind, record)


def _timeline_response(request, kind: Kind, record: CrmRecord, comment_form=None, activity_form=None) -> HttpResponse:
    failed = (comment_form is not None and comment_form.errors) or (activity_form is not None and activity_form.errors)
    if not _is_htmx(request):
        if failed:
            return _render_card(request, kind, record, comment_form=comment_form, activity_form=activity_form)
        return redirect(record)
    can_update = cards.can(request.user, "update", record)
    context = {
        "record": record,
        "card_url": record.get_absolute_url(),
        "can_update": can_update,
        "timeline": _timeline(request, record, comment_form, activity_form, can_update),
    }
    return render(request, "crm/card_record.html#timeline", context)


def _action_move(request, kind: Kind, record: CrmRecord) -> HttpResponse:
    _require_update(request, record)
    if not isinstance(record, Deal):
        raise Http404
    target = cards.stage(record.category, _int(request.POST.get("stage")) or 0)
    if target is None:
        raise Http404
    loss_form = LossForm(request.POST) if target.semantics == Semantics.FAILURE else None
    if loss_form is not None and not loss_form.is_valid():
        return _stage_response(request, kind, record, lose=target.pk, loss_form=loss_form)
    try:
        services.move_deal(
            record,
            target,
            by=request.user,
            loss_reason=loss_form.cleaned_data["loss_reason"] if loss_form else None,
            loss_comment=loss_form.cleaned_data["loss_comment"] if loss_form else "",
        )
    except (Invalid, Forbidden) as error:
        if loss_form is not None:
            loss_form.add_error(None, error.message)
            return _stage_response(request, kind, record, lose=target.pk, loss_form=loss_form)
        return _stage_response(request, kind, record, error=error.message)
    record = _record_or_404(request, kind.entity_type, record.pk)
    if not _is_htmx(request):
        return redirect(record)
    return _nudge(_stage_response(request, kind, record))


def _stage_response(
    request, kind: Kind, record: Deal, *, lose: int | None = None, loss_form=None, error: str | None = None
) -> HttpResponse:
    if not _is_htmx(request):
        return _render_card(request, kind, record, lose=lose, loss_form=loss_form, stage_error=error)
    context = {
        "record": record,
        "card_url": record.get_absolute_url(),
        "can_update": True,
        "stagebar": _stage_bar(record, lose, loss_form, error),
    }
    return render(request, "crm/card_record.html#stages", context)


def _action_delete(request, kind: Kind, record: CrmRecord) -> HttpResponse:
    if not cards.can(request.user, "delete", record):
        raise Http404
    try:
        services.delete_record(record, by=request.user)
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)
        return redirect(record)
    messages.success(request, _("%(record)s was moved to the recycle bin.") % {"record": record})
    target = _list_url(kind)
    return HttpResponseClientRedirect(target) if _is_htmx(request) else redirect(target)


# Create pages -----------------------------------------------------------------------------------------------


def _may_add(user, kind: Kind) -> bool:
    if kind.entity_type == EntityType.DEAL:
        return cards.categories_for(user, "add").exists()
    model = selectors.RECORD_MODELS[kind.entity_type]
    return access.context_for(user).level(access.entity_for(model), "add") != Level.NONE


def _initial(request, form_class: type) -> dict:
    """Prefill from the query string (?company=5 from a company's card, or the pipeline just picked)."""
    initial: dict = {"responsible": request.user}
    for name, form_field in form_class.base_fields.items():
        if name not in request.GET:
            continue
        multiple = isinstance(form_field.widget, forms.SelectMultiple) or name in {"phones", "emails"}
        initial[name] = request.GET.getlist(name) if multiple else request.GET.get(name)
    return initial


@login_required
def record_add(request, entity_type: int):
    kind = KINDS[entity_type]
    if not _may_add(request.user, kind):
        raise Http404
    if request.method == "POST":
        form = kind.form(request.POST, user=request.user)
        if form.is_valid():
            try:
                record = kind.create(by=request.user, **form.cleaned_data)
            except Invalid as error:
                _form_error(form, error)
            except Forbidden:
                form.add_error("responsible", _("You may not add records for this person."))
            else:
                messages.success(request, _("%(record)s was created.") % {"record": record})
                return redirect(record)
    else:
        form = kind.form(initial=_initial(request, kind.form), user=request.user)
    context = {"form": form, "kind": kind, "title": kind.new_title, "form_id": f"{kind.slug}-form"}
    template = "crm/form_record.html#form" if _is_htmx(request) and request.method == "GET" else "crm/form_record.html"
    return render(request, template, context)


# My activities ----------------------------------------------------------------------------------------------


@login_required
def activities(request):
    source = request.POST if request.method == "POST" else request.GET
    filters = ActivityFilterForm(source)
    include_done = bool(filters.is_valid() and filters.cleaned_data["done"])
    if request.method == "POST":
        activity = cards.my_activity(request.user, _int(request.POST.get("activity")) or 0)
        if activity is None:
            raise Http404
        try:
            services.complete_activity(activity, by=request.user, done="1" in request.POST.getlist("complete"))
        except Forbidden as error:
            messages.error(request, error.message)
        if not _is_htmx(request):
            url = reverse("crm:activities")
            return redirect(f"{url}?done=on" if include_done else url)
    context = {
        "groups": _labelled(cards.activity_groups(request.user, include_done)),
        "filters": filters,
        "include_done": include_done,
    }
    template = "crm/activities.html#groups" if _is_htmx(request) else "crm/activities.html"
    return render(request, template, context)


GROUP_TITLES = {
    "overdue": gettext_lazy("Overdue"),
    "today": gettext_lazy("Today"),
    "later": gettext_lazy("Later"),
    "none": gettext_lazy("Without deadline"),
    "done": gettext_lazy("Done"),
}


def _labelled(groups: list[dict]) -> list[dict]:
    return [{**group, "title": GROUP_TITLES[group["key"]]} for group in groups if group["items"]]


# The recycle bin --------------------------------------------------------------------------------------------


@login_required
def recycle_bin(request):
    if request.method == "POST":
        _bin_action(request)
        return redirect("crm:bin")
    return render(
        request,
        "crm/bin.html",
        {"records": cards.bin_contents(request.user), "can_purge": is_administrator(request.user)},
    )


def _bin_action(request) -> None:
    """Restore a record, or (administrators) delete it for good."""
    entity_type = _int(request.POST.get("entity_type"))
    if entity_type not in selectors.RECORD_MODELS:
        raise Http404
    record = cards.binned_record(request.user, entity_type, _int(request.POST.get("pk")) or 0)
    action = request.POST.get("action")
    if record is None or action not in {"restore", "purge"}:
        raise Http404
    if action == "purge" and not is_administrator(request.user):
        raise Http404
    try:
        if action == "restore":
            services.restore_record(record, by=request.user)
            messages.success(request, _("%(record)s was restored.") % {"record": record})
        else:
            services.purge_record(record, by=request.user)
            messages.success(request, _("%(record)s was deleted for good.") % {"record": record})
    except (Invalid, Forbidden) as error:
        messages.error(request, error.message)


def _card_patterns() -> list:
    patterns = []
    for kind in KINDS.values():
        plural = "companies" if kind.slug == "company" else f"{kind.slug}s"
        patterns += [
            path(f"{plural}/add/", record_add, {"entity_type": kind.entity_type}, name=f"{kind.slug}_add"),
            path(f"{plural}/<int:pk>/", record_card, {"entity_type": kind.entity_type}, name=f"{kind.slug}_detail"),
        ]
    return patterns


urlpatterns = [
    *_card_patterns(),
    path("activities/", activities, name="activities"),
    path("bin/", recycle_bin, name="bin"),
]
