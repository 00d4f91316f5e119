"""The custom fields settings page: administrators add, change and delete UF_CRM_* fields of each entity."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontora.accounts.selectors import is_administrator
from kontora.core.errors import Forbidden, Invalid
from kontora.crm import custom
from kontora.crm.choices import EntityType
from kontora.crm.models import FieldDefinition
from kontora.crm.services import fields as services

TEMPLATE = "crm/fields_settings.html"
LINK_CHOICES = [
    ("company", gettext_lazy("Company")),
    ("contact", gettext_lazy("Contact")),
    ("deal", gettext_lazy("Deal")),
    ("lead", gettext_lazy("Lead")),
]


class EditFieldForm(forms.Form):
    label_ru = forms.CharField(label=gettext_lazy("Name in Russian"), max_length=200)
    label_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=200, required=False)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    multiple = forms.BooleanField(
        label=gettext_lazy("Multiple"),
        required=False,
        help_text=gettext_lazy("For strings, numbers, dates, lists, employees and links."),
    )
    sort = forms.IntegerField(label=gettext_lazy("Sort"), min_value=0, initial=100)
    options = forms.CharField(
        label=gettext_lazy("List options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For a list: one option per line."),
    )
    link_to = forms.ChoiceField(label=gettext_lazy("Links to"), choices=LINK_CHOICES, required=False)

    def __init__(self, *args, item: FieldDefinition | None = None, **kwargs) -> None:
        if item is not None:
            kwargs.setdefault("prefix", f"field-{item.pk}")
            kwargs.setdefault(
                "initial",
                {
                    "label_ru": item.label_ru,
                    "label_en": item.label_en,
                    "required": item.required,
                    "multiple": item.multiple,
                    "sort": item.sort,
                    "options": "\n".join(value for _id, value in custom.choices(item)),
                    "link_to": custom.link_target(item),
                },
            )
        super().__init__(*args, **kwargs)
        self.item = item
        if item is not None:
            if item.kind != FieldDefinition.Kind.LIST:
                del self.fields["options"]
            if item.kind != FieldDefinition.Kind.LINK:
                del self.fields["link_to"]
            if item.kind not in custom.MULTIPLE_KINDS:
                del self.fields["multiple"]

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        if "options" in data:
            data["options"] = [line for line in data["options"].splitlines() if line.strip()]
        return data


class AddFieldForm(EditFieldForm):
    entity_type = forms.TypedChoiceField(label=gettext_lazy("Entity"), choices=EntityType.choices, coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldDefinition.Kind.choices)
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=43,
        required=False,
        help_text=gettext_lazy("Latin letters and digits, e.g. COLOR gives UF_CRM_COLOR. Empty: UF_CRM_1, UF_CRM_2…"),
    )

    field_order = ["entity_type", "kind", "label_ru", "label_en", "code", "required", "multiple", "sort"]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)


def _admin_only(request) -> None:
    if not is_administrator(request.user):
        raise Http404


def _add(request) -> tuple[str | None, AddFieldForm]:
    form = AddFieldForm(request.POST)
    if form.is_valid():
        try:
            item = services.create_field(by=request.user, **form.changes())
        except (Invalid, Forbidden) as error:
            form.add_error(getattr(error, "field", None) if getattr(error, "field", None) in form.fields else None,
                           error.message)  # fmt: skip
        else:
            return _("Field %(code)s added.") % {"code": item.code}, form
    return None, form


def _update(request, item: FieldDefinition) -> tuple[str | None, EditFieldForm]:
    form = EditFieldForm(request.POST, item=item)
    if form.is_valid():
        try:
            services.update_field(item, by=request.user, **form.changes())
        except (Invalid, Forbidden) as error:
            form.add_error(getattr(error, "field", None) if getattr(error, "field", None) in form.fields else None,
                           error.message)  # fmt: skip
        else:
            return _("Field %(code)s saved.") % {"code": item.code}, form
    return None, form


def _item(request) -> FieldDefinition:
    try:
        pk = int(request.POST.get("id", ""))
    except ValueError:
        raise Http404 from None
    item = custom.definition(pk)
    if item is None:
        raise Http404
    return item


@login_required
def custom_fields(request):
    _admin_only(request)
    add_form, failed = None, None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            done, add_form = _add(request)
        elif action == "update":
            item = _item(request)
            done, form = _update(request, item)
            failed = (item.pk, form)
        elif action == "delete":
            item = _item(request)
            services.delete_field(item, by=request.user)
            done = _("Field %(code)s deleted.") % {"code": item.code}
        else:
            raise Http404
        if done:
            messages.success(request, done)
            return redirect("crm:custom_fields")
    groups = []
    items = list(custom.all_definitions())
    for entity_type, title in EntityType.choices:
        rows = []
        for item in items:
            if item.entity_type != entity_type:
                continue
            form = failed[1] if failed and failed[0] == item.pk else EditFieldForm(item=item)
            rows.append(
                {"item": item, "label": custom.label(item), "form": form, "open": form is not None and form.errors}
            )
        groups.append({"entity_type": entity_type, "title": title, "rows": rows})
    selected = request.GET.get("entity")
    context = {
        "groups": groups,
        "add_form": add_form or AddFieldForm(initial={"entity_type": selected} if selected else None),
        "open_add": bool(add_form is not None and add_form.errors),
    }
    return render(request, TEMPLATE, context)


urlpatterns = [path("settings/fields/", custom_fields, name="custom_fields")]
