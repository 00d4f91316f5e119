"""A person's history of actions: their change sets in the period, only on records the viewer may see."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kontora.analytics.selectors import history
from kontora.analytics.selectors.scope import Period
from kontora.crm import services as crm
from tests import factories


def today_period() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=6), today)


@pytest.fixture
def work(org):
    """Anna creates two deals, moves one, plans a call; Irina (another department) changes her own deal."""
    anna, irina = org.sales_rep, org.marketing_rep
    first = factories.make_deal("Кластер PostgreSQL", by=anna)
    factories.make_deal("Кластер Redis", by=anna)
    crm.move_deal(first, factories.stage("PREPARATION"), by=anna)
    crm.plan_activity(first, by=anna, subject="Позвонить")
    theirs = factories.make_deal("Мебель", by=irina)
    crm.update_deal(theirs, by=irina, title="Мебель для офиса")
    return first


def sql_change_ids(actor: int, period: Period, owners: list[int] | None = None) -> set[int]:
    """Change sets by the actor in the period; with owners, only those on deals of these responsibles."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.id, t.app_label, t.model, c.object_id FROM events_changeset c
               JOIN django_content_type t ON t.id = c.content_type_id
               WHERE c.actor_id = %s AND c.created_at >= %s AND c.created_at < %s""",
            [actor, connection.ops.adapt_datetimefield_value(period.start),
             connection.ops.adapt_datetimefield_value(period.end)],
        )  # fmt: skip
        rows = cursor.fetchall()
        cursor.execute("SELECT id, responsible_id FROM crm_deal")
        deal_owner = {str(pk): owner for pk, owner in cursor.fetchall()}
    return {
        pk for pk, app, model, object_id in rows
        if owners is None or (app, model) != ("crm", "deal") or deal_owner.get(object_id) in owners
    }  # fmt: skip


def test_an_admin_sees_every_change_set_of_the_person_in_the_period(work, org, admin):
    found = history.changes(admin, history.HistoryQuery(org.sales_rep, today_period()))
    assert {item.pk for item in found} == sql_change_ids(org.sales_rep.pk, today_period())
    assert found.count() >= 4
    stages = history.changes(admin, history.HistoryQuery(org.sales_rep, today_period(), kind="stage"))
    assert [item.changes["stage"][1] for item in stages] == [factories.stage("PREPARATION").pk]
    created = history.changes(admin, history.HistoryQuery(org.sales_rep, today_period(), kind="create"))
    assert all(item.action == "create" for item in created) and created.count() >= 2


def test_a_rep_of_another_department_sees_none_of_annas_deal_changes(work, org):
    seen = history.changes(org.marketing_rep, history.HistoryQuery(org.sales_rep, today_period()))
    assert not [item for item in seen if item.content_type.model == "deal"]
    head = history.changes(org.sales_head, history.HistoryQuery(org.marketing_rep, today_period()))
    assert not [item for item in head if item.content_type.model == "deal"]
    own = history.changes(org.marketing_rep, history.HistoryQuery(org.marketing_rep, today_period()))
    assert {item.pk for item in own if item.content_type.model == "deal"} == {
        pk for pk in sql_change_ids(org.marketing_rep.pk, today_period()) if pk in {item.pk for item in own}
    }


def test_an_earlier_period_has_nothing(work, org, admin):
    today = timezone.localdate()
    earlier = Period(today - timedelta(days=30), today - timedelta(days=20))
    assert not history.changes(admin, history.HistoryQuery(org.sales_rep, earlier)).exists()
