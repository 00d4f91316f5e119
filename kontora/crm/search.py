"""Global search over the CRM: names and titles, or a phone in any format, or an email; only what the user sees."""

from kontora.core.textsearch import contains_ci
from kontora.crm.choices import EntityType
from kontora.crm.communications import looks_like_phone
from kontora.crm.selectors import RECORD_MODELS, records_by_communication, visible_records

TEXT_FIELDS = {
    EntityType.LEAD: ("title", "first_name", "last_name", "company_title"),
    EntityType.DEAL: ("title",),
    EntityType.CONTACT: ("first_name", "last_name", "middle_name"),
    EntityType.COMPANY: ("title",),
}


def search(user, query: str, limit: int) -> list[dict]:
    query = query.strip()
    if len(query) < 2:
        return []
    hits = []
    if looks_like_phone(query) or "@" in query:
        hits = [_hit(record) for records in records_by_communication(user, query, limit).values() for record in records]
        if hits:
            return hits[:limit]
    for entity_type, fields in TEXT_FIELDS.items():
        model = RECORD_MODELS[entity_type]
        queryset = visible_records(user, model)
        for word in query.split():
            queryset = queryset.filter(contains_ci(fields, word))
        hits += [_hit(record) for record in queryset.order_by("-id")[:limit]]
    return hits[:limit]


def _hit(record) -> dict:
    return {
        "title": str(record),
        "subtitle": str(record._meta.verbose_name).capitalize(),
        "url": record.get_absolute_url(),
    }
