"""Duplicate search: leads, contacts and companies sharing a phone (any format), an email, or a name."""

from collections.abc import Iterable

from django.db.models import Q

from kontora.crm.choices import EntityType, MultiFieldType
from kontora.crm.communications import normalize
from kontora.crm.models import Activity, Comment, Company, Contact, CrmRecord, Deal, Lead, MultiField
from kontora.crm.selectors import RECORD_MODELS, visible_records

ENTITY_NAMES = {
    "lead": EntityType.LEAD,
    "deal": EntityType.DEAL,
    "contact": EntityType.CONTACT,
    "company": EntityType.COMPANY,
}
# Where a new record of each kind may already exist: a lead may be a known contact or company, and so on.
RELATED_TYPES = {
    EntityType.LEAD: (EntityType.LEAD, EntityType.CONTACT, EntityType.COMPANY),
    EntityType.CONTACT: (EntityType.CONTACT, EntityType.LEAD),
    EntityType.COMPANY: (EntityType.COMPANY, EntityType.LEAD),
}
PERSON_FIELDS = ("first_name", "middle_name", "last_name")
# Words shorter than this in a person's name are initials; matching on them alone finds everyone.
MIN_NAME_WORDS = 2


def entity_type_of(value: int | str) -> EntityType:
    """EntityType from its number or its name ("lead", "contact"…); LookupError when it is neither."""
    if isinstance(value, str) and not value.isdigit():
        try:
            return ENTITY_NAMES[value.strip().lower()]
        except KeyError:
            raise LookupError(value) from None
    try:
        return EntityType(int(value))
    except ValueError:
        raise LookupError(value) from None


def _normalized(type_id: str, values: Iterable[str]) -> set[str]:
    return {normalized for value in values if (normalized := normalize(type_id, value))}


def _by_communications(entity_type: int, phones: set[str], emails: set[str]) -> dict[int, set[str]]:
    """Record ids of one kind with any of these normalized phones or emails, with what matched."""
    condition = Q(pk__in=[])
    if phones:
        condition |= Q(type_id=MultiFieldType.PHONE, normalized__in=phones)
    if emails:
        condition |= Q(type_id=MultiFieldType.EMAIL, normalized__in=emails)
    found: dict[int, set[str]] = {}
    rows = MultiField.objects.filter(condition, entity_type=entity_type).values_list("entity_id", "type_id")
    for entity_id, type_id in rows[:1000]:
        found.setdefault(entity_id, set()).add("phone" if type_id == MultiFieldType.PHONE else "email")
    return found


def _person_condition(words: list[str]) -> Q:
    """Every word of the name is one of the record's first, middle or last name (case-insensitive)."""
    condition = Q()
    for word in words:
        condition &= Q(first_name__lower=word) | Q(middle_name__lower=word) | Q(last_name__lower=word)
    return condition


def _by_name(model: type[CrmRecord], name: str | None, company_title: str | None) -> Q | None:
    """The name rule of each kind: a company by its title; a person by full name, at that company when given."""
    words = [word.lower() for word in (name or "").split()]
    title = (company_title or "").strip().lower()
    has_person = len(words) >= MIN_NAME_WORDS
    if model is Company:
        return Q(title__lower=title) if title else None
    if model is Contact:
        if not has_person:
            return None
        condition = _person_condition(words)
        return condition & Q(companies__title__lower=title) if title else condition
    if model is Lead:
        if has_person:
            condition = _person_condition(words)
            return condition & Q(company_title__lower=title) if title else condition
        return Q(company_title__lower=title) if title else None
    return None


def find_duplicates(
    user,
    entity_type: int | str,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    name: str | None = None,
    company_title: str | None = None,
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[CrmRecord]:
    """Records of one kind the user may see that look like the described one, newest first.

    A record matches by a phone in any format, by an email in any case, or by name: a company by its title, a
    contact by a full name (two words or more, at the given company if any), a lead by full name and company.
    Each record found carries `duplicate_reasons`, a sorted list of "phone", "email" and "name".
    """
    entity_type = entity_type_of(entity_type)
    model = RECORD_MODELS[entity_type]
    if model is Deal:
        return []
    reasons = _by_communications(
        entity_type, _normalized(MultiFieldType.PHONE, phones), _normalized(MultiFieldType.EMAIL, emails)
    )
    condition = Q(pk__in=list(reasons))
    name_condition = _by_name(model, name, company_title)
    if name_condition is not None:
        condition |= name_condition
    if not reasons and name_condition is None:
        return []
    queryset = visible_records(user, model).filter(condition)
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    records = list(queryset.distinct().order_by("-id")[:limit])
    by_name = (
        set(model.objects.filter(name_condition, pk__in=[r.pk for r in records]).values_list("pk", flat=True))
        if name_condition is not None
        else set()
    )
    for record in records:
        record.duplicate_reasons = sorted(reasons.get(record.pk, set()) | ({"name"} if record.pk in by_name else set()))
    return records


def find_possible_duplicates(
    user,
    entity_type: int | str,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    name: str | None = None,
    company_title: str | None = None,
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[CrmRecord]:
    """What the create and edit forms warn about: duplicates among every kind a new record may repeat."""
    entity_type = entity_type_of(entity_type)
    phones, emails = list(phones), list(emails)
    found: list[CrmRecord] = []
    for kind in RELATED_TYPES.get(entity_type, ()):
        found += find_duplicates(
            user, kind, phones, emails, name=name, company_title=company_title,
            exclude_id=exclude_id if kind == entity_type else None, limit=limit,
        )  # fmt: skip
    return found[:limit]


def communications_of(record: CrmRecord) -> list[MultiField]:
    """Phones, emails, websites and messengers of a record, for the merge screen."""
    return list(
        MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk).order_by("type_id", "id")
    )


def links_of(record: CrmRecord) -> dict[str, int]:
    """How much hangs on a record (deals, leads, contacts, activities, comments), shown before a merge."""
    counts = {
        "activities": Activity.objects.filter(owner_type=record.entity_type, owner_id=record.pk).count(),
        "comments": Comment.objects.filter(entity_type=record.entity_type, entity_id=record.pk).count(),
    }
    if isinstance(record, Company):
        counts["deals"] = Deal.objects.filter(company=record).count()
        counts["contacts"] = record.contacts.count()
    elif isinstance(record, Contact):
        counts["deals"] = record.deals.count()
        counts["companies"] = record.companies.count()
    elif isinstance(record, Lead):
        counts["deals"] = Deal.objects.filter(lead=record).count()
    elif isinstance(record, Deal):
        counts["contacts"] = record.contacts.count()
    return counts
