"""Trigram indexes for the CRM's case-insensitive search on PostgreSQL (SQLite has none and needs none)."""

from django.db import migrations

INDEXES = [
    ("crm_deal_title_trgm", "crm_deal", "title"),
    ("crm_lead_title_trgm", "crm_lead", "title"),
    ("crm_company_title_trgm", "crm_company", "title"),
    ("crm_contact_last_name_trgm", "crm_contact", "last_name"),
    ("crm_contact_first_name_trgm", "crm_contact", "first_name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (LOWER({column}) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_saved_filter")]

    operations = [migrations.RunPython(create, drop)]
