"""The demo's analytics: this month's plans for the Moscow managers and a dashboard the department can open."""

from decimal import Decimal

from kontora.accounts import demo as people_demo
from kontora.accounts.models import User
from kontora.analytics import demo
from kontora.analytics.builder import plans
from kontora.analytics.models import Metric, PeriodKind, Plan
from kontora.analytics.selectors_builder import dashboards, reports


def test_oleg_has_set_this_months_plans_and_shared_a_dashboard_with_his_department(db):
    people_demo.build("Demo-pass-2026")
    demo.build("Demo-pass-2026")
    people = {user.username: user for user in User.objects.all()}
    month = plans.period(PeriodKind.MONTH)

    revenue = Plan.objects.filter(metric=Metric.REVENUE, period_start=month.first)
    personal = {plan.user.username: plan.target for plan in revenue.exclude(user=None)}
    assert personal == {"anna": Decimal(500_000), "ekaterina": Decimal(500_000), "elena": Decimal(500_000)}
    assert revenue.get(user=None).department == people["oleg"].department
    assert revenue.get(user=None).target == sum(personal.values())
    assert Plan.objects.filter(metric=Metric.CALLS, user=people["anna"]).get().set_by == people["oleg"]

    assert dashboards(people["anna"]).count() == 1
    assert reports(people["anna"]).count() == 2
    assert not dashboards(people["irina"]).exists()
