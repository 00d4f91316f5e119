"""Case-insensitive "contains" that works for Cyrillic on SQLite too.

SQLite's LIKE and lower() fold only ASCII letters, so "иванова" would not find "Иванова". Kontora replaces SQLite's
lower() and upper() with Python's Unicode-aware ones on every connection, and searches compare lowered text:
`contains_ci(["first_name", "last_name"], "иванова")` gives a Q that behaves the same on SQLite and PostgreSQL.
"""

from collections.abc import Iterable

from django.db.models import CharField, EmailField, Q, TextField
from django.db.models.functions import Lower


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def unicode_case_on_sqlite(sender, connection, **kwargs) -> None:
    """connection_created receiver: make SQLite's lower()/upper() Unicode-aware."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("lower", 1, _lower, deterministic=True)
        connection.connection.create_function("upper", 1, _upper, deterministic=True)


def register_lookups() -> None:
    for field in (CharField, TextField, EmailField):
        field.register_lookup(Lower)


def contains_ci(fields: Iterable[str], text: str) -> Q:
    """Any of `fields` contains `text`, ignoring case in any alphabet."""
    query = Q()
    for field in fields:
        query |= Q(**{f"{field}__lower__contains": text.lower()})
    return query
