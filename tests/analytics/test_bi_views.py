"""The read-only SQL views for BI tools exist on both databases and agree with the tables behind them."""

from decimal import Decimal

import pytest
from django.db import connection

from kontora.crm import services as crm
from kontora.crm.models import Deal, StageHistory
from tests import factories

pytestmark = pytest.mark.django_db

VIEWS = ("bi_deals", "bi_stage_history", "bi_activities", "bi_tasks", "bi_users")


def _rows(query: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


def _columns(view: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {view} WHERE 1 = 0")  # noqa: S608  a fixed view name
        return [column[0] for column in cursor.description]


def test_views_show_live_records_with_names_and_no_secrets(org):
    won = factories.make_deal(by=org.sales_rep, amount=Decimal(1500))
    crm.move_deal(won, factories.stage("WON"), by=org.sales_rep)
    binned = factories.make_deal(by=org.sales_rep, amount=Decimal(7))
    crm.delete_record(binned, by=org.sales_rep)
    crm.plan_activity(won, by=org.sales_rep, subject="Позвонить", type_id=2)
    factories.make_task("Отчёт", by=org.sales_rep)

    assert _rows("SELECT id, stage_code, stage_semantics, amount FROM bi_deals ORDER BY id") == [
        (won.pk, "WON", "S", _rows(f"SELECT amount FROM crm_deal WHERE id = {won.pk}")[0][0])]  # fmt: skip
    assert Deal.all_objects.count() == 2
    history = _rows(f"SELECT to_stage_code, from_stage_code FROM bi_stage_history WHERE deal_id = {won.pk} "
                    "ORDER BY moved_at, id")  # fmt: skip
    assert history == [("NEW", None), ("WON", "NEW")]
    assert len(history) == StageHistory.objects.filter(entity_id=won.pk, entity_type=2).count()
    assert _rows("SELECT subject, completed FROM bi_activities")[0][0] == "Позвонить"
    assert _rows("SELECT title FROM bi_tasks") == [("Отчёт",)]
    users = _rows("SELECT username, department FROM bi_users ORDER BY username")
    assert ("anna", "Sales") in users and len(users) == len(org.people())
    assert "password" not in _columns("bi_users")
    for view in VIEWS:
        assert _columns(view)
