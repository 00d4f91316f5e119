"""Read-only SQL views for BI tools (Superset, Metabase, Power BI); see docs/dev/analytics-bi.md.

Plain SELECTs that SQLite and PostgreSQL both accept; records in the recycle bin are left out, passwords never in.
"""

from django.db import migrations

VIEWS = {
    "bi_deals": """
        SELECT d.id, d.title, d.category_id AS pipeline_id, c.name AS pipeline, s.status_id AS stage_code,
               s.name AS stage, s.semantics AS stage_semantics, d.amount, d.currency, d.probability, d.closed,
               src.status_id AS source_code, src.name AS source, d.lead_id, d.company_id, d.responsible_id,
               d.created_by_id, d.created_at, d.updated_at, d.moved_at, d.begin_date, d.close_date
        FROM crm_deal d
        JOIN crm_category c ON c.id = d.category_id
        JOIN crm_status s ON s.id = d.stage_id
        LEFT JOIN crm_status src ON src.id = d.source_id
        WHERE d.deleted_at IS NULL""",
    "bi_stage_history": """
        SELECT h.id, h.entity_id AS deal_id, h.category_id AS pipeline_id, fs.status_id AS from_stage_code,
               ts.status_id AS to_stage_code, ts.name AS to_stage, h.semantics, h.moved_at, h.moved_by_id,
               h.responsible_id, h.seconds_in_previous
        FROM crm_stagehistory h
        JOIN crm_status ts ON ts.id = h.to_stage_id
        LEFT JOIN crm_status fs ON fs.id = h.from_stage_id
        WHERE h.entity_type = 2""",
    "bi_activities": """
        SELECT a.id, a.owner_type, a.owner_id, a.type_id, a.subject, a.direction, a.completed, a.deadline,
               a.completed_at, a.responsible_id, a.author_id, a.created_at
        FROM crm_activity a
        WHERE NOT a.in_bin""",
    "bi_tasks": """
        SELECT t.id, t.title, t.status, t.priority, t.responsible_id, t.created_by_id, t.project_id, t.parent_id,
               t.deadline, t.created_at, t.date_start, t.closed_at, t.time_estimate, t.requires_control
        FROM tasks_task t
        WHERE t.deleted_at IS NULL""",
    "bi_users": """
        SELECT u.id, u.username, u.first_name, u.last_name, u.email, u.position, u.is_active, u.department_id,
               dep.name AS department, dep.parent_id AS parent_department_id
        FROM accounts_user u
        LEFT JOIN accounts_department dep ON dep.id = u.department_id""",
}


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("accounts", "0002_builtin_roles"),
        ("crm", "0003_trigram_search_indexes"),
        ("tasks", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(sql=f"CREATE VIEW {name} AS {query}", reverse_sql=f"DROP VIEW IF EXISTS {name}")
        for name, query in VIEWS.items()
    ]
