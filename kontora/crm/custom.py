"""Custom fields (UF_CRM_*) on forms and cards: typed form fields, JSON conversions, validation and display."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kontora.accounts.models import User
from kontora.core.errors import Invalid
from kontora.core.filters import parse_moment
from kontora.crm import selectors
from kontora.crm.choices import EntityType
from kontora.crm.models import FieldDefinition

Kind = FieldDefinition.Kind

# Kinds that may hold several values; the others are single by nature (a yes/no, a long text, a moment, a sum).
MULTIPLE_KINDS = frozenset({Kind.STRING, Kind.NUMBER, Kind.DATE, Kind.LIST, Kind.USER, Kind.LINK})
LINK_TARGETS = {
    "lead": EntityType.LEAD,
    "deal": EntityType.DEAL,
    "contact": EntityType.CONTACT,
    "company": EntityType.COMPANY,
}


# Reads -------------------------------------------------------------------------------------------------------


def definitions(entity_type: int) -> list[FieldDefinition]:
    """The entity's custom fields in their order."""
    return list(FieldDefinition.objects.filter(entity_type=entity_type).order_by("sort", "id"))


def all_definitions() -> QuerySet[FieldDefinition]:
    return FieldDefinition.objects.order_by("entity_type", "sort", "id")


def definition(pk: int) -> FieldDefinition | None:
    return FieldDefinition.objects.filter(pk=pk).first()


def label(item: FieldDefinition) -> str:
    """The label in the reader's language (Russian when there is no English one)."""
    if translation.get_language() == "en" and item.label_en:
        return item.label_en
    return item.label_ru or item.label_en or item.code


def link_target(item: FieldDefinition) -> str:
    """The entity a link field points to ("company"): the first entry of its options."""
    for option in item.options or []:
        if isinstance(option, str) and option in LINK_TARGETS:
            return option
    return "company"


def choices(item: FieldDefinition) -> list[tuple[str, str]]:
    """(ID, VALUE) of a list field's options."""
    return [
        (str(option.get("ID", "")), str(option.get("VALUE", "")))
        for option in (item.options or [])
        if isinstance(option, dict)
    ]


# Form fields -------------------------------------------------------------------------------------------------


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class _UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class LinesField(forms.CharField):
    """Several values of a multiple field, one per line."""

    widget = forms.Textarea

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(_plain_text(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


def _plain_text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")


def form_field(item: FieldDefinition, user: User) -> forms.Field:
    """The typed form field of one definition; `validate_custom` checks the typed values again."""
    required = item.required and item.kind != Kind.BOOLEAN  # a required yes/no need not be "yes"
    options: dict[str, Any] = {"label": label(item), "required": required}
    multiple = item.multiple and item.kind in MULTIPLE_KINDS
    if multiple and item.kind in (Kind.STRING, Kind.NUMBER, Kind.DATE):
        return LinesField(help_text=_("One value per line."), **options)
    if item.kind == Kind.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **options)
    if item.kind in (Kind.NUMBER, Kind.MONEY):
        return forms.DecimalField(max_digits=20, decimal_places=None if item.kind == Kind.NUMBER else 2, **options)
    if item.kind == Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **options)
    if item.kind == Kind.DATETIME:
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        return forms.DateTimeField(widget=widget, **options)
    if item.kind == Kind.BOOLEAN:
        return forms.BooleanField(**options)
    if item.kind == Kind.LIST:
        if multiple:
            return forms.MultipleChoiceField(choices=choices(item), **options)
        return forms.ChoiceField(choices=[("", "—"), *choices(item)], **options)
    if item.kind == Kind.USER:
        field_class = _UsersChoiceField if multiple else _UserChoiceField
        return field_class(queryset=_active_users(), **options)
    if item.kind == Kind.LINK:
        model = selectors.RECORD_MODELS[LINK_TARGETS[link_target(item)]]
        field_class = forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField
        return field_class(queryset=selectors.visible_records(user, model), **options)
    return forms.CharField(max_length=2000, **options)


def custom_form_fields(entity_type: int, user: User) -> dict[str, forms.Field]:
    """{code: form field} for every custom field of the entity, in their order."""
    return {item.code: form_field(item, user) for item in definitions(entity_type)}


# Conversions -------------------------------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple | set | QuerySet) and not len(value))


def _number(value: Any) -> int | float:
    number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    if not number.is_finite():
        raise InvalidOperation
    return int(number) if number == number.to_integral_value() else float(number)


def _date_text(value: Any) -> str:
    moment = parse_moment(value)
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    if moment is None:
        raise ValueError(value)
    return moment.isoformat()


def _datetime_text(value: Any) -> str:
    moment = parse_moment(value)
    if moment is None:
        raise ValueError(value)
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, datetime.min.time())  # noqa: DTZ001 - made aware just below
    if not timezone.is_aware(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"y", "1", "true", "yes", "on"}:
        return True
    if text in {"n", "0", "false", "no", "off", ""}:
        return False
    raise ValueError(value)


def _id(value: Any) -> int:
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool):
        raise ValueError(value)
    return int(str(pk).strip())


def _single(item: FieldDefinition, value: Any) -> Any:
    kind = item.kind
    if kind in (Kind.STRING, Kind.TEXT):
        return str(value)
    if kind in (Kind.NUMBER, Kind.MONEY):
        return _number(value)
    if kind == Kind.DATE:
        return _date_text(value)
    if kind == Kind.DATETIME:
        return _datetime_text(value)
    if kind == Kind.BOOLEAN:
        return _boolean(value)
    if kind == Kind.LIST:
        return str(value).strip()
    if kind == Kind.USER:
        return _id(value)
    if kind == Kind.LINK:
        return str(_id(value))
    return str(value)


def to_json(item: FieldDefinition, value: Any) -> Any:
    """A form's or a caller's value in the stored format (see `kontora.crm.schema`); None when empty.

    Text as text, numbers and money as JSON numbers, yes/no as true/false, dates as "YYYY-MM-DD", moments as ISO
    8601 in the company's time zone, list options by ID ("3"), people by user id (7), linked records by id ("12");
    a multiple field holds a list of those. Raises ValueError (or InvalidOperation) for a value of the wrong type.
    """
    if item.kind == Kind.BOOLEAN:
        return None if value is None else _boolean(value)
    if _is_empty(value):
        return None
    if item.multiple and item.kind in MULTIPLE_KINDS:
        values = list(value) if isinstance(value, list | tuple | set | QuerySet) else [value]
        return [_single(item, entry) for entry in values if not _is_empty(entry)] or None
    if isinstance(value, list | tuple):
        value = value[0] if len(value) == 1 else value
        if isinstance(value, list | tuple):
            raise ValueError(value)
    if item.kind in (Kind.STRING, Kind.TEXT) and not str(value).strip():
        return None
    return _single(item, value)


def _from_single(item: FieldDefinition, stored: Any) -> Any:
    kind = item.kind
    try:
        if kind in (Kind.NUMBER, Kind.MONEY):
            return Decimal(str(stored))
        if kind == Kind.DATE:
            return date.fromisoformat(str(stored))
        if kind == Kind.DATETIME:
            moment = parse_moment(stored)
            if isinstance(moment, datetime):
                return timezone.localtime(moment) if timezone.is_aware(moment) else timezone.make_aware(moment)
            return moment
        if kind in (Kind.USER, Kind.LINK):
            return int(stored)
    except (ValueError, TypeError, InvalidOperation):
        return stored
    if kind == Kind.BOOLEAN:
        return bool(stored)
    return str(stored) if kind == Kind.LIST else stored


def from_json(item: FieldDefinition, stored: Any) -> Any:
    """A stored value as form initial data: Decimal, date, aware datetime, bool, option ID, ids of people/records."""
    if stored is None:
        return [] if item.multiple and item.kind in MULTIPLE_KINDS else None
    if isinstance(stored, list):
        return [_from_single(item, entry) for entry in stored]
    value = _from_single(item, stored)
    return [value] if item.multiple and item.kind in MULTIPLE_KINDS else value


# Validation --------------------------------------------------------------------------------------------------


def _type_message(item: FieldDefinition) -> str:
    """Messages Django already has in Russian, so errors read right in either language without new strings."""
    if item.kind in (Kind.NUMBER, Kind.MONEY):
        return _("Enter a number.")
    if item.kind == Kind.DATE:
        return _("Enter a valid date.")
    if item.kind == Kind.DATETIME:
        return _("Enter a valid date/time.")
    if item.kind in (Kind.USER, Kind.LINK):
        return _("Select a valid choice. That choice is not one of the available choices.")
    return _("Enter a valid value.")


def validate_custom(entity_type: int, values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Custom values in the stored format, typed and checked; raises Invalid(code, "UF_CRM_X", message).

    `values` may hold form values or already stored ones. Every definition of the entity is checked for required
    values unless `partial` (an update of some fields only); unknown codes are refused.
    """
    known = {item.code: item for item in definitions(entity_type)}
    for code in values:
        if code not in known:
            raise Invalid("UNKNOWN_FIELD", code, _("This field cannot be changed here."))
    result: dict[str, Any] = {}
    for code, item in known.items():
        if code not in values:
            if item.required and not partial:
                raise Invalid("REQUIRED", code, _("This field is required."))
            continue
        try:
            value = to_json(item, values[code])
        except (ValueError, TypeError, InvalidOperation):
            raise Invalid("BAD_VALUE", code, _type_message(item)) from None
        if item.kind == Kind.LIST and value is not None:
            ids = {option_id for option_id, _name in choices(item)}
            for entry in value if isinstance(value, list) else [value]:
                if entry not in ids:
                    message = _("Select a valid choice. %(value)s is not one of the available choices.")
                    raise Invalid("BAD_VALUE", code, message % {"value": entry})
        if item.required and value is None:  # a yes/no always has a value
            raise Invalid("REQUIRED", code, _("This field is required."))
        result[code] = value
    return result


# Display -----------------------------------------------------------------------------------------------------


def _person_url(pk: int) -> str | None:
    return reverse("accounts:person", args=[pk])


def _number_text(value: Any, money: bool) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = 2 if money else None
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def _text(item: FieldDefinition, stored: Any) -> str:
    value = _from_single(item, stored)
    if item.kind in (Kind.NUMBER, Kind.MONEY):
        return _number_text(stored, item.kind == Kind.MONEY)
    if item.kind == Kind.BOOLEAN:
        return _("yes") if value else _("no")
    if item.kind == Kind.LIST:
        return dict(choices(item)).get(str(stored), str(stored))
    if isinstance(value, date | datetime):
        return formats.localize(value, use_l10n=True)
    return str(value)


def display(item: FieldDefinition, stored: Any, user: User) -> dict:
    """One custom value as the card shows it: {"text": …} or {"links": [(text, url), …]} (people, records)."""
    values = stored if isinstance(stored, list) else [] if stored is None or stored == "" else [stored]
    if not values:
        return {"text": _("no") if item.kind == Kind.BOOLEAN and stored is False else "—"}
    if item.kind == Kind.USER:
        ids = [pk for pk in (_from_single(item, value) for value in values) if isinstance(pk, int)]
        people = {person.pk: person for person in User.objects.filter(pk__in=ids)}
        links = []
        for pk in ids:
            if pk in people:
                links.append((people[pk].full_name, _person_url(pk)))
        return {"links": links} if links else {"text": "—"}
    if item.kind == Kind.LINK:
        model = selectors.RECORD_MODELS[LINK_TARGETS[link_target(item)]]
        ids = [pk for pk in (_from_single(item, value) for value in values) if isinstance(pk, int)]
        records = {record.pk: record for record in selectors.visible_records(user, model).filter(pk__in=ids)}
        links = [(str(records[pk]), records[pk].get_absolute_url()) for pk in ids if pk in records]
        if links:
            return {"links": links}
        return {"text": _("hidden")}
    return {"text": ", ".join(_text(item, value) for value in values)}


def card_rows(entity_type: int, record: Any, user: User) -> list[dict]:
    """The rows of a card's custom fields section."""
    stored = getattr(record, "custom", None) or {}
    return [
        {"name": item.code, "label": label(item), **display(item, stored.get(item.code), user)}
        for item in definitions(entity_type)
    ]


def initial_of(entity_type: int, record: Any, codes: Iterable[str] | None = None) -> dict[str, Any]:
    """Form initial data of a record's custom fields."""
    stored = getattr(record, "custom", None) or {}
    wanted = set(codes) if codes is not None else None
    return {
        item.code: from_json(item, stored.get(item.code))
        for item in definitions(entity_type)
        if wanted is None or item.code in wanted
    }
