"""Forms of universal lists: the list and field settings, and an element form built from the list's fields."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontora.accounts.models import Department, User
from kontora.lists.models import AddScope, FieldType, ListField, UniversalList


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        single = super().clean
        return [single(item, initial) for item in data] if isinstance(data, (list, tuple)) else single(data, initial)


def _person(person: User) -> str:
    return person.full_name


class ListForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=50, help_text=_("Latin letters, digits and _; processes and "
                                                                      "REST find the list by it."))  # fmt: skip
    name = forms.CharField(label=_("name"), max_length=200)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sort = forms.IntegerField(label=_("sort"), min_value=0, initial=500)
    add_scope = forms.ChoiceField(label=_("who may add elements"), choices=AddScope.choices)
    add_departments = forms.ModelMultipleChoiceField(label=_("departments that may add"), required=False,
                                                     queryset=Department.objects.all())  # fmt: skip
    readers = forms.ModelMultipleChoiceField(label=_("who reads all elements"), required=False, queryset=None,
                                             help_text=_("Administrators read everything; an employee always sees "
                                                         "his own elements, a head his departments'."))  # fmt: skip

    def __init__(self, *args, editing: UniversalList | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = User.objects.filter(is_active=True)
        self.fields["readers"].label_from_instance = _person
        if editing is not None:
            self.fields["code"].disabled = True
            self.fields["code"].initial = editing.code


class FieldForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=50)
    name = forms.CharField(label=_("name"), max_length=200)
    type = forms.ChoiceField(label=_("type"), choices=FieldType.choices)
    required = forms.BooleanField(label=_("required"), required=False)
    multiple = forms.BooleanField(label=_("multiple"), required=False)
    default = forms.CharField(label=_("default value"), required=False, max_length=500)
    options = forms.CharField(label=_("options"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("For a list of options: one option a line."))  # fmt: skip

    def __init__(self, *args, editing: ListField | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing is not None:
            self.fields["code"].disabled = True

    def settings(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["options"] = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        data.pop("code", None)
        return data


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def element_form_class(fields: list[ListField], people) -> type[forms.Form]:
    """A form with the element's name and one input per field, named by the field's code."""
    attrs: dict[str, Any] = {"name": forms.CharField(label=_("name"), max_length=255, required=False)}
    for field in fields:
        options = {"label": field.name, "required": False}
        if field.type == FieldType.SELECT:
            choices = [(option, option) for option in field.options]
            form_field = (forms.MultipleChoiceField(choices=choices, **options) if field.multiple
                          else forms.ChoiceField(choices=[("", "—"), *choices], **options))  # fmt: skip
        elif field.type == FieldType.USER:
            form_field = (forms.ModelMultipleChoiceField(queryset=people, **options) if field.multiple
                          else forms.ModelChoiceField(queryset=people, **options))  # fmt: skip
            form_field.label_from_instance = _person
        elif field.type == FieldType.BOOL:
            form_field = forms.BooleanField(**options)
        elif field.type == FieldType.FILE:
            form_field = (MultipleFileField(widget=MultipleFileInput(), **options) if field.multiple
                          else forms.FileField(**options))  # fmt: skip
        elif field.multiple:
            form_field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                         help_text=_("One value a line."), **options)  # fmt: skip
        elif field.type == FieldType.TEXT:
            form_field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **options)
        elif field.type == FieldType.NUMBER:
            form_field = forms.DecimalField(**options)
        elif field.type == FieldType.DATE:
            form_field = forms.DateField(widget=DateInput(), **options)
        elif field.type == FieldType.DATETIME:
            form_field = forms.DateTimeField(widget=DateTimeInput(), **options)
        else:
            form_field = forms.CharField(max_length=500, **options)
        if field.required and field.type != FieldType.BOOL:
            form_field.widget.attrs["data-required"] = "1"
            form_field.label = f"{field.name} *"
        attrs[field.code] = form_field
    return type("ElementForm", (forms.Form,), attrs)


def submitted_values(form: forms.Form, fields: list[ListField], old: dict[str, Any] | None) -> dict[str, Any]:
    """The form's data as service input; a file field left empty keeps the file it had."""
    result: dict[str, Any] = {}
    for field in fields:
        value = form.cleaned_data.get(field.code)
        if field.type == FieldType.FILE:
            if not value:
                continue
        elif field.type == FieldType.USER:
            value = [person.pk for person in value] if field.multiple and value is not None else (
                value.pk if value is not None else None)  # fmt: skip
        elif field.multiple and field.type not in (FieldType.SELECT, FieldType.BOOL):
            value = _lines(value)
        result[field.code] = value
    return result


def initial_values(fields: list[ListField], stored: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for field in fields:
        value = stored.get(field.code)
        if value is None or field.type == FieldType.FILE:
            continue
        if field.multiple and field.type not in (FieldType.SELECT, FieldType.USER):
            value = "\n".join(str(item) for item in value)
        elif field.type == FieldType.DATETIME:
            value = timezone.localtime(datetime.fromisoformat(value))
        initial[field.code] = value
    return initial
