"""The add-absence form of the chart."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kontora.timeman.models import AbsenceKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AbsenceForm(forms.Form):
    user = forms.ModelChoiceField(label=_("employee"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=AbsenceKind.choices, initial=AbsenceKind.VACATION)
    start = forms.DateField(label=_("from"), widget=DateInput())
    end = forms.DateField(label=_("to"), widget=DateInput())
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda person: person.full_name
