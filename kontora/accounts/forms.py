"""Forms for people and departments; services do the writing, forms only parse and show errors."""

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from kontora.accounts.models import Department, Role, User
from kontora.accounts.services import PROFILE_FIELDS

TIME_ZONES = sorted(zoneinfo.available_timezones())


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("time zone"), choices=[(tz, tz) for tz in TIME_ZONES])

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)  # exactly what update_user lets a person change about themselves


class StaffForm(forms.Form):
    """What only an administrator sets on a person."""

    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.all(), required=False)
    roles = forms.ModelMultipleChoiceField(
        label=_("roles"), queryset=Role.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("active"), required=False)


class NewUserForm(forms.Form):
    username = forms.CharField(label=_("login"), max_length=150)
    first_name = forms.CharField(label=_("first name"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150)
    email = forms.EmailField(label=_("email"))
    position = forms.CharField(label=_("position"), max_length=200, required=False)
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.all(), required=False)
    roles = forms.ModelMultipleChoiceField(
        label=_("roles"), queryset=Role.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, strip=False)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("parent department"), queryset=Department.objects.all(), required=False)
    head = forms.ModelChoiceField(label=_("head"), queryset=User.objects.filter(is_active=True), required=False)
    sort = forms.IntegerField(label=_("sort"), min_value=0, initial=100)


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, position, phone or email"), "type": "search"}),
    )
    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )
