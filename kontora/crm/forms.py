"""Forms for CRM records, activities and comments: they parse and show errors; services do the writing."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from kontora.core.errors import Invalid
from kontora.crm import cards, custom, selectors
from kontora.crm import products as catalogue
from kontora.crm.choices import ActivityType, Dictionary, EntityType
from kontora.crm.models import Category, Company, Contact

CURRENCIES = ["RUB", "USD", "EUR", "KZT", "BYN", "CNY"]


class RepeatedInput(forms.Widget):
    """Several inputs with one name (`phones`, `phones`, …) and a button that adds another."""

    template_name = "crm/form_repeated_input.html"

    def __init__(self, input_type: str = "text", attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.input_type = input_type

    def format_value(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            return [line for line in value.splitlines() if line.strip()]
        return [str(item) for item in value]

    def get_context(self, name: str, value, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"]["input_type"] = self.input_type
        context["widget"]["values"] = [*self.format_value(value), ""]
        return context

    def value_from_datadict(self, data, files, name: str):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value] if value else []

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return name not in data


class LinesField(forms.Field):
    """A list of phones or emails, one per input or one per line."""

    widget = RepeatedInput

    def __init__(self, *, input_type: str = "text", **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", RepeatedInput(input_type=input_type))
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        entries = [value] if isinstance(value, str) else value
        lines = []
        for entry in entries:
            lines += [line.strip() for line in str(entry or "").splitlines() if line.strip()]
        return lines

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


class EmailsField(LinesField):
    def __init__(self, **kwargs) -> None:
        super().__init__(input_type="email", **kwargs)

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        for email in value:
            try:
                validate_email(email)
            except ValidationError as error:
                raise ValidationError(
                    _("%(value)s is not an email address."), code="invalid", params={"value": email}
                ) from error


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _records(queryset, *, multiple: bool = False, **kwargs):
    field = forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField
    return field(queryset=queryset, required=False, **kwargs)


def _amount(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=18, decimal_places=2, required=False)


class RecordForm(forms.Form):
    """A record's fields with choices from the gate: linked records the user may see, active people.

    `only` keeps a subset of the fields (a card's section edited in place). The entity's custom fields (UF_CRM_*)
    follow the standard ones; `cleaned_data["custom"]` holds their values in the stored format.
    """

    dictionaries: dict[str, str] = {}
    entity_type: EntityType

    def __init__(self, *args, user, only: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.partial = only is not None
        if only is not None:
            for name in list(self.fields):
                if name not in only:
                    del self.fields[name]
        self.custom_codes = []
        for code, form_field in custom.custom_form_fields(self.entity_type, user).items():
            if only is None or code in only:
                self.fields[code] = form_field
                self.custom_codes.append(code)
        for name, entity_id in self.dictionaries.items():
            if name in self.fields:
                self.fields[name].queryset = cards.dictionary(entity_id)
        if "responsible" in self.fields:
            self.fields["responsible"].queryset = cards.active_users()
            self.fields["responsible"].label_from_instance = lambda person: person.full_name
        if "companies" in self.fields:
            self.fields["companies"].queryset = selectors.visible_records(user, Company)
        if "company" in self.fields:
            self.fields["company"].queryset = selectors.visible_records(user, Company)
        if "contacts" in self.fields:
            self.fields["contacts"].queryset = selectors.visible_records(user, Contact)
        currency = self.initial.get("currency")
        if "currency" in self.fields and currency and currency not in CURRENCIES:
            self.fields["currency"].choices = [(currency, currency), *self.fields["currency"].choices]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.custom_codes:
            return cleaned
        values = {code: cleaned.pop(code) for code in self.custom_codes if code in cleaned}
        if any(code in self.errors for code in self.custom_codes):
            return cleaned
        try:
            cleaned["custom"] = custom.validate_custom(self.entity_type, values, partial=self.partial)
        except Invalid as error:
            error.add_to_form(self)
        return cleaned

    def clean_amount(self) -> Decimal:
        return self.cleaned_data.get("amount") or Decimal(0)

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "RUB").upper()


class LeadForm(RecordForm):
    entity_type = EntityType.LEAD
    dictionaries = {"status": Dictionary.LEAD_STATUS, "source": Dictionary.SOURCE}

    title = forms.CharField(
        label=_("lead name"),
        max_length=255,
        required=False,
        help_text=_("Leave empty to name the lead after the person or the company."),
    )
    first_name = forms.CharField(label=_("first name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("middle name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=100, required=False)
    company_title = forms.CharField(label=_("company name"), max_length=255, required=False)
    position = forms.CharField(label=_("position"), max_length=200, required=False)
    status = forms.ModelChoiceField(label=_("status"), queryset=cards.dictionary("").none())
    source = forms.ModelChoiceField(label=_("source"), queryset=cards.dictionary("").none(), required=False)
    amount = _amount(_("amount"))
    currency = forms.ChoiceField(label=_("currency"), choices=[(code, code) for code in CURRENCIES], initial="RUB")
    phones = LinesField(label=_("phones"), input_type="tel")
    emails = EmailsField(label=_("emails"))
    comments = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responsible = forms.ModelChoiceField(label=_("responsible"), queryset=cards.active_users().none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            # A new lead starts unprocessed; it becomes qualified only through conversion.
            statuses = self.fields["status"].queryset
            self.fields["status"].empty_label = None
            self.fields["status"].initial = statuses.filter(status_id="NEW").first() or statuses.first()


class ContactForm(RecordForm):
    entity_type = EntityType.CONTACT
    dictionaries = {"contact_type": Dictionary.CONTACT_TYPE, "source": Dictionary.SOURCE}

    first_name = forms.CharField(label=_("first name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("middle name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=100, required=False)
    position = forms.CharField(label=_("position"), max_length=200, required=False)
    birthdate = forms.DateField(label=_("birthday"), required=False, widget=DateInput())
    contact_type = forms.ModelChoiceField(label=_("contact type"), queryset=cards.dictionary("").none(), required=False)
    source = forms.ModelChoiceField(label=_("source"), queryset=cards.dictionary("").none(), required=False)
    companies = _records(Company.objects.none(), multiple=True, label=_("companies"))
    phones = LinesField(label=_("phones"), input_type="tel")
    emails = EmailsField(label=_("emails"))
    address = forms.CharField(label=_("address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    comments = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responsible = forms.ModelChoiceField(label=_("responsible"), queryset=cards.active_users().none())


class CompanyForm(RecordForm):
    entity_type = EntityType.COMPANY
    dictionaries = {"company_type": Dictionary.COMPANY_TYPE, "industry": Dictionary.INDUSTRY}

    title = forms.CharField(label=_("company name"), max_length=255)
    company_type = forms.ModelChoiceField(label=_("company type"), queryset=cards.dictionary("").none(), required=False)
    industry = forms.ModelChoiceField(label=_("industry"), queryset=cards.dictionary("").none(), required=False)
    employees = forms.IntegerField(label=_("employees"), min_value=0, required=False)
    revenue = forms.DecimalField(label=_("annual revenue"), max_digits=18, decimal_places=2, required=False)
    currency = forms.ChoiceField(label=_("currency"), choices=[(code, code) for code in CURRENCIES], initial="RUB")
    phones = LinesField(label=_("phones"), input_type="tel")
    emails = EmailsField(label=_("emails"))
    address = forms.CharField(label=_("address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    comments = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responsible = forms.ModelChoiceField(label=_("responsible"), queryset=cards.active_users().none())


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class DealForm(RecordForm):
    """A new deal, or a section of one: the pipeline and stage are chosen only when the deal is created."""

    entity_type = EntityType.DEAL
    dictionaries = {"source": Dictionary.SOURCE, "deal_type": Dictionary.DEAL_TYPE}

    title = forms.CharField(label=_("deal name"), max_length=255)
    category = forms.ModelChoiceField(label=_("pipeline"), queryset=Category.objects.none(), empty_label=None)
    stage = StageChoiceField(
        label=_("stage"),
        queryset=cards.deal_stages().none(),
        required=False,
        empty_label=_("First stage of the pipeline"),
    )
    amount = _amount(_("amount"))
    currency = forms.ChoiceField(label=_("currency"), choices=[(code, code) for code in CURRENCIES], initial="RUB")
    probability = forms.IntegerField(label=_("probability, %"), required=False)
    close_date = forms.DateField(label=_("expected close date"), required=False, widget=DateInput())
    company = _records(Company.objects.none(), label=_("company"))
    contacts = _records(Contact.objects.none(), multiple=True, label=_("contacts"))
    deal_type = forms.ModelChoiceField(label=_("deal type"), queryset=cards.dictionary("").none(), required=False)
    source = forms.ModelChoiceField(label=_("source"), queryset=cards.dictionary("").none(), required=False)
    comments = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responsible = forms.ModelChoiceField(label=_("responsible"), queryset=cards.active_users().none())

    def __init__(self, *args, user, only: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, user=user, only=only, **kwargs)
        if "category" not in self.fields:
            return
        categories = cards.categories_for(user, "add")
        self.fields["category"].queryset = categories
        chosen = self._chosen_category(categories)
        self.fields["stage"].queryset = cards.deal_stages([chosen] if chosen is not None else [])
        self.fields["category"].widget.attrs["data-reloads"] = "stage"

    def _chosen_category(self, categories) -> int | None:
        raw = self.data.get(self.add_prefix("category")) if self.is_bound else self.initial.get("category")
        raw = getattr(raw, "pk", raw)
        ids = list(categories.values_list("pk", flat=True))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value in ids:
            return value
        return 0 if 0 in ids else (ids[0] if ids else None)


class CommunicationsForm(forms.Form):
    phones = LinesField(label=_("phones"), input_type="tel")
    emails = EmailsField(label=_("emails"))


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Leave a comment…")}),
    )


class ActivityForm(forms.Form):
    type_id = forms.TypedChoiceField(
        label=_("type"), choices=ActivityType.choices, coerce=int, initial=ActivityType.CALL
    )
    subject = forms.CharField(label=_("subject"), max_length=255)
    deadline = forms.DateTimeField(label=_("deadline"), required=False, widget=DateTimeInput())
    responsible = forms.ModelChoiceField(label=_("responsible"), queryset=cards.active_users().none(), required=False)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = cards.active_users()
        self.fields["responsible"].label_from_instance = lambda person: person.full_name


class LossForm(forms.Form):
    loss_reason = forms.ModelChoiceField(label=_("loss reason"), queryset=cards.loss_reasons().none())
    loss_comment = forms.CharField(label=_("loss comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loss_reason"].queryset = cards.loss_reasons()


class ProductPicker(forms.Select):
    """Catalogue products whose options carry what choosing one fills in: name, price and VAT (the unit is the
    product's own, set by the service)."""

    FILL = (
        "const o = $el.selectedOptions[0], row = $el.closest('fieldset');"
        " const set = (n, v) => { const i = row.querySelector('[name$=\"-' + n + '\"]'); if (i) i.value = v; };"
        " if (o && o.value) { set('product_name', o.dataset.name); set('price', o.dataset.price);"
        " set('tax_rate', o.dataset.vat); const t = row.querySelector('[name$=\"-tax_included\"]');"
        " if (t) t.checked = o.dataset.vatIncluded === '1'; }"
    )

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"x-on:change": self.FILL, "data-product-picker": "", **(attrs or {})})

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None) -> dict:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        product = getattr(value, "instance", None)
        if product is not None:
            option["attrs"].update(
                {
                    "data-name": product.name,
                    "data-price": str(product.price),
                    "data-vat": "" if product.vat_rate is None else str(product.vat_rate),
                    "data-vat-included": "1" if product.vat_included else "0",
                }
            )
        return option


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} — {obj.price:.2f} {obj.currency}"


class ProductRowForm(forms.Form):
    product = ProductChoiceField(
        label=_("catalogue product"),
        queryset=catalogue.active_products().none(),
        required=False,
        empty_label=_("Not from the catalogue"),
        widget=ProductPicker(),
    )
    product_name = forms.CharField(label=_("product"), max_length=255, required=False)
    price = forms.DecimalField(label=_("price"), max_digits=18, decimal_places=2, required=False)
    quantity = forms.DecimalField(label=_("quantity"), max_digits=18, decimal_places=4, initial=1)
    discount_rate = forms.DecimalField(
        label=_("discount, %"), max_digits=5, decimal_places=2, initial=0, required=False
    )
    tax_rate = forms.DecimalField(label=_("tax, %"), max_digits=5, decimal_places=2, required=False)
    tax_included = forms.BooleanField(label=_("tax included"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = catalogue.active_products(keep=self.initial.get("product"))

    def has_changed(self) -> bool:
        """An extra row counts only once it names a product or a price; its pre-filled boxes do not."""
        names = ("product", "product_name", "price")
        filled = any((self.data.get(self.add_prefix(name)) or "").strip() for name in names)
        return filled and super().has_changed()

    def clean_discount_rate(self) -> Decimal:
        return self.cleaned_data.get("discount_rate") or Decimal(0)

    def clean(self) -> dict:
        """A row from the catalogue may leave its name and price to the product; any other row needs both."""
        data = super().clean()
        if data.get("product") is None:
            if not (data.get("product_name") or "").strip() and "product_name" not in self.errors:
                self.add_error("product_name", _("Choose a catalogue product or enter a name."))
            if data.get("price") is None and "price" not in self.errors:
                self.add_error("price", _("Enter the price."))
        return data


class BaseProductRowFormSet(forms.BaseFormSet):
    def add_error(self, field: str | None, message: str) -> None:
        """A service's complaint about the rows as a whole (rows have no field of their own to carry it)."""
        self.non_form_errors().append(message)


ProductRowFormSet = forms.formset_factory(ProductRowForm, formset=BaseProductRowFormSet, extra=1, can_delete=True)


class ActivityFilterForm(forms.Form):
    done = forms.BooleanField(label=_("Show done"), required=False)
