"""The filter bar every sales report shares: period, pipeline, person, department, source."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy

from kontora.accounts import access
from kontora.accounts.models import Department, User
from kontora.analytics.selectors.scope import Period, Scope, month_period
from kontora.crm.choices import Dictionary
from kontora.crm.models import Category, Status


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopeForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=_date())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=_date())
    category = forms.ModelChoiceField(label=gettext_lazy("Pipeline"), queryset=Category.objects.none(),
                                      required=False, empty_label=None)  # fmt: skip
    person = forms.ModelChoiceField(label=gettext_lazy("Responsible"), queryset=User.objects.none(), required=False,
                                    empty_label=gettext_lazy("Anyone"))  # fmt: skip
    department = forms.ModelChoiceField(label=gettext_lazy("Department"), queryset=Department.objects.none(),
                                        required=False, empty_label=gettext_lazy("Any department"))  # fmt: skip
    source = forms.ModelChoiceField(label=gettext_lazy("Source"), queryset=Status.objects.none(), required=False,
                                    empty_label=gettext_lazy("Any source"))  # fmt: skip

    def __init__(self, data, *, user, pipeline: bool = True, months: int = 1, today: date | None = None) -> None:
        """`months`: the default period, that many calendar months up to the current one's end."""
        super().__init__(data or None)
        self.today = today
        self.months = months
        self.fields["person"].queryset = (
            access.visible(user, User).filter(is_active=True).order_by("last_name", "first_name")
        )
        self.fields["department"].queryset = Department.objects.order_by("sort", "name")
        self.fields["source"].queryset = Status.objects.filter(entity_id=Dictionary.SOURCE).order_by("sort", "id")
        if pipeline:
            self.fields["category"].queryset = Category.objects.order_by("sort", "id")
        else:
            del self.fields["category"]

    def scope(self) -> Scope:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = Period(month_period(self.today, 1 - self.months).first, month_period(self.today).last)
        if data.get("date_from") and data.get("date_to"):
            period = Period(*sorted((data["date_from"], data["date_to"])))
        category = data.get("category")
        if "category" in self.fields and category is None:
            category = self.fields["category"].queryset.first()
        return Scope(period, category, data.get("person"), data.get("department"), data.get("source"))
