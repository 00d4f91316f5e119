"""Plans: who may set them, plan/fact figures checked against bare SQL, ranking, and the wall's refresh pushes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kontora.accounts.models import User
from kontora.analytics import services
from kontora.analytics.builder import plans
from kontora.analytics.builder.jobs import WALL_KIND, WALL_OPEN
from kontora.analytics.models import Metric, PeriodKind, WallScreen
from kontora.core.errors import Forbidden
from kontora.crm import services as crm
from kontora.crm.choices import ActivityType
from kontora.events.models import RealtimeMessage
from tests import factories

pytestmark = pytest.mark.django_db


def _won(owner, amount: int):
    deal = factories.make_deal(by=owner, amount=Decimal(amount))
    return crm.move_deal(deal, factories.stage("WON"), by=owner)


def _sql_revenue(people: list[int], current: plans.Period) -> tuple[Decimal, int]:
    marks = ", ".join(["%s"] * len(people))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(d.amount), 0), COUNT(*) FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id "
            f"WHERE d.deleted_at IS NULL AND s.semantics = 'S' AND d.moved_at >= %s AND d.moved_at < %s "
            f"AND d.responsible_id IN ({marks})",
            [current.start, current.end, *people],
        )
        total, count = cursor.fetchone()
    return Decimal(str(total)).quantize(Decimal("0.01")), count


def _sql_count(table: str, where: str, column: str, people: list[int], current: plans.Period) -> int:
    marks = ", ".join(["%s"] * len(people))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {where} AND {column} >= %s AND {column} < %s "
            f"AND responsible_id IN ({marks})",
            [current.start, current.end, *people],
        )
        return cursor.fetchone()[0]


def test_admins_and_heads_set_plans_for_their_tree_only(org):
    today = timezone.localdate()
    plan = services.set_plan(by=org.sales_head, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today,
                             target=Decimal(1000), user=org.kazan_rep)  # fmt: skip
    assert plan.period_start == today.replace(day=1)
    services.set_plan(by=org.sales_head, metric=Metric.CALLS, kind=PeriodKind.QUARTER, day=today, target=Decimal(30),
                      department=org.kazan)  # fmt: skip
    services.set_plan(by=org.admin, metric=Metric.CALLS, kind=PeriodKind.MONTH, day=today, target=Decimal(5),
                      user=org.marketing_rep)  # fmt: skip
    with pytest.raises(Forbidden):
        services.set_plan(by=org.sales_head, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today,
                          target=Decimal(1), user=org.marketing_rep)  # fmt: skip
    with pytest.raises(Forbidden):
        services.set_plan(by=org.sales_rep, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today,
                          target=Decimal(1), user=org.sales_rep)  # fmt: skip
    again = services.set_plan(by=org.sales_head, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today,
                              target=Decimal(2000), user=org.kazan_rep)  # fmt: skip
    assert again.pk == plan.pk and again.target == Decimal(2000)


@pytest.fixture
def month_data(org):
    _won(org.sales_rep, 500)
    _won(org.sales_rep, 250)
    _won(org.kazan_rep, 900)
    _won(org.marketing_rep, 4000)
    factories.make_deal(by=org.sales_rep, amount=Decimal(777))  # open: not revenue
    old = _won(org.sales_rep, 10_000)
    old.moved_at = timezone.now() - timedelta(days=70)
    old.save(update_fields=["moved_at"])
    deal = factories.make_deal(by=org.kazan_rep)
    for kind, done in ((ActivityType.CALL, True), (ActivityType.CALL, True), (ActivityType.CALL, False),
                       (ActivityType.MEETING, True)):  # fmt: skip
        activity = crm.plan_activity(deal, by=org.kazan_rep, subject="Звонок", type_id=kind)
        if done:
            crm.complete_activity(activity, by=org.kazan_rep)
    factories.make_lead(by=org.sales_rep)
    factories.make_lead(by=org.sales_rep)
    today = timezone.localdate()
    for person, target in ((org.sales_rep, 1000), (org.kazan_rep, 900), (org.marketing_rep, 8000)):
        services.set_plan(by=org.admin, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today,
                          target=Decimal(target), user=person)  # fmt: skip
    services.set_plan(by=org.admin, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today, target=Decimal(3000),
                      department=org.sales)  # fmt: skip
    for metric, target in ((Metric.CALLS, 4), (Metric.MEETINGS, 2), (Metric.DEALS_WON, 3)):
        services.set_plan(by=org.admin, metric=metric, kind=PeriodKind.MONTH, day=today, target=Decimal(target),
                          user=org.kazan_rep)  # fmt: skip
    services.set_plan(by=org.admin, metric=Metric.NEW_LEADS, kind=PeriodKind.MONTH, day=today, target=Decimal(4),
                      user=org.sales_rep)  # fmt: skip
    return plans.period(PeriodKind.MONTH, today)


def test_plan_fact_for_an_administrator_matches_bare_sql(org, month_data):
    current = month_data
    result = plans.plan_fact(org.admin, current)

    revenue = {line.name: line for line in result[Metric.REVENUE]}
    for person in (org.sales_rep, org.kazan_rep, org.marketing_rep):
        assert revenue[person.full_name].fact == _sql_revenue([person.pk], current)[0]
    tree = [org.sales_head.pk, org.sales_rep.pk, org.kazan_rep.pk, org.nobody.pk]
    assert revenue["Sales"].fact == _sql_revenue(tree, current)[0]
    assert revenue["Sales"].percent == int(_sql_revenue(tree, current)[0] * 100 / 3000)
    # ranking by the share of the plan achieved: kazan 100 %, anna 75 %, irina 50 %
    assert [(line.rank, line.name) for line in result[Metric.REVENUE] if line.rank] == [
        (1, org.kazan_rep.full_name), (2, org.sales_rep.full_name), (3, org.marketing_rep.full_name)]  # fmt: skip

    def single(metric):
        return next(line.fact for line in result[metric])

    assert single(Metric.DEALS_WON) == _sql_revenue([org.kazan_rep.pk], current)[1]
    calls = "crm_activity WHERE completed = %s AND type_id = 2 AND NOT in_bin" % ("true" if connection.vendor ==
                                                                                  "postgresql" else "1")  # fmt: skip
    table, where = calls.split(" WHERE ")
    assert single(Metric.CALLS) == _sql_count(table, where, "completed_at", [org.kazan_rep.pk], current) == 2
    assert single(Metric.MEETINGS) == _sql_count(table, where.replace("type_id = 2", "type_id = 1"), "completed_at",
                                                 [org.kazan_rep.pk], current) == 1  # fmt: skip
    assert single(Metric.NEW_LEADS) == _sql_count("crm_lead", "deleted_at IS NULL", "created_at", [org.sales_rep.pk],
                                                  current) == 2  # fmt: skip


def test_a_rep_sees_the_facts_only_his_role_allows(org, month_data):
    current = month_data
    result = plans.plan_fact(org.sales_rep, current)

    revenue = {line.name: line for line in result[Metric.REVENUE]}
    # an employee reads the deals of his own department only: Kazan's deals do not count for him
    assert set(revenue) == {"Sales", org.sales_rep.full_name, org.kazan_rep.full_name}
    sales_people = [org.sales_head.pk, org.sales_rep.pk, org.nobody.pk]
    assert revenue["Sales"].fact == _sql_revenue(sales_people, current)[0]
    assert revenue[org.kazan_rep.full_name].fact == 0
    assert plans.plan_fact(org.marketing_rep, current)[Metric.REVENUE][0].name == org.marketing_rep.full_name


def test_plans_of_another_period_are_not_mixed_in(org, month_data):
    next_month = plans.period(PeriodKind.MONTH, month_data.last + timedelta(days=1))
    assert plans.plan_fact(org.admin, next_month) == {}
    quarter = plans.period(PeriodKind.QUARTER, date(2026, 5, 17))
    assert (quarter.first, quarter.last) == (date(2026, 4, 1), date(2026, 6, 30))


def _wall_pushes() -> set[str]:
    return {message.group for message in RealtimeMessage.objects.all() if message.payload.get("kind") == WALL_KIND}


def _open_every_wall() -> None:
    for user in User.objects.all():
        services.note_wall_open(user)


def test_a_won_deal_tells_the_walls_of_those_who_may_see_it(org, django_capture_on_commit_callbacks):
    _open_every_wall()
    deal = factories.make_deal(by=org.sales_rep, amount=Decimal(100))
    RealtimeMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        crm.move_deal(deal, factories.stage("WON"), by=org.sales_rep)

    # written out from the org chart: the owner, his head, the board's head, the admin and the read-only viewer
    expected = {org.sales_rep, org.sales_head, org.director, org.admin, org.reader}
    assert _wall_pushes() == {f"user.{person.pk}" for person in expected}


def test_a_done_activity_and_a_lost_deal(org, django_capture_on_commit_callbacks):
    _open_every_wall()
    deal = factories.make_deal(by=org.marketing_rep)
    activity = crm.plan_activity(deal, by=org.marketing_rep, subject="Встреча", type_id=ActivityType.MEETING)
    RealtimeMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        crm.move_deal(deal, factories.stage("LOSE"), by=org.marketing_rep, reason_required=False)
    assert _wall_pushes() == set()
    with django_capture_on_commit_callbacks(execute=True):
        crm.complete_activity(activity, by=org.marketing_rep)
    expected = {org.marketing_rep, org.reader, org.director, org.admin}
    assert _wall_pushes() == {f"user.{person.pk}" for person in expected}


def test_only_walls_open_now_are_told(org, client, django_capture_on_commit_callbacks):
    client.force_login(org.sales_head)
    assert client.get("/analytics/plans/wall/").status_code == 200  # the head's wall is open
    services.note_wall_open(org.director)
    WallScreen.objects.filter(user=org.director).update(seen_at=timezone.now() - WALL_OPEN - timedelta(minutes=1))
    deal = factories.make_deal(by=org.sales_rep, amount=Decimal(100))
    RealtimeMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        crm.move_deal(deal, factories.stage("WON"), by=org.sales_rep)

    # the rep, the admin and the reader may see the deal but have no wall open; the director's was closed long ago
    assert _wall_pushes() == {f"user.{org.sales_head.pk}"}
