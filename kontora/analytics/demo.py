"""Demo analytics: Oleg's plans for this month (the sales-floor wall has something to show) and a shared dashboard."""

from datetime import timedelta
from decimal import ROUND_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from kontora.accounts.models import User
from kontora.analytics import services
from kontora.analytics.builder import plans
from kontora.analytics.models import Metric, PeriodKind
from kontora.crm.choices import Semantics
from kontora.crm.models import Deal

MANAGERS = ("anna", "ekaterina", "elena")
STEP = Decimal(100_000)


def build(password: str | None) -> list[tuple[str, str, str]]:
    people = {user.username: user for user in User.objects.filter(is_active=True)}
    head = people.get("oleg")
    managers = [people[login] for login in MANAGERS if login in people]
    if head is None or not managers:
        return []
    _plans(head, managers)
    _dashboard(head)
    return []


def _last_month_revenue(user: User) -> Decimal:
    this_month = plans.period(PeriodKind.MONTH, timezone.localdate())
    last_month = plans.period(PeriodKind.MONTH, this_month.first - timedelta(days=1))
    won = Deal.objects.filter(
        responsible=user, stage__semantics=Semantics.SUCCESS,
        moved_at__date__gte=last_month.first, moved_at__date__lt=this_month.first,
    ).aggregate(total=Sum("amount"))["total"]  # fmt: skip
    return won or Decimal(0)


def _plans(head: User, managers: list[User]) -> None:
    """A fifth above what each manager won last month, rounded up to 100,000 (at least 500,000), and the team's."""
    today = timezone.localdate()
    total = Decimal(0)
    for manager in managers:
        target = max((_last_month_revenue(manager) * Decimal("1.2") / STEP).quantize(1, ROUND_UP) * STEP, 5 * STEP)
        total += target
        services.set_plan(by=head, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today, target=target,
                          user=manager)  # fmt: skip
        for metric, target in ((Metric.DEALS_WON, 6), (Metric.CALLS, 80), (Metric.MEETINGS, 12)):
            services.set_plan(by=head, metric=metric, kind=PeriodKind.MONTH, day=today, target=Decimal(target),
                              user=manager)  # fmt: skip
    services.set_plan(by=head, metric=Metric.REVENUE, kind=PeriodKind.MONTH, day=today, target=total,
                      department=head.department)  # fmt: skip


def _dashboard(head: User) -> None:
    by_manager = services.save_report(
        None, by=head, name="Выигранные сделки по менеджерам", entity="deal",
        definition={"filter": {"STAGE_SEMANTIC_ID": "S"}, "dimensions": [{"field": "ASSIGNED_BY_ID"}],
                    "measures": [{"function": "count"}, {"function": "sum", "field": "OPPORTUNITY"}], "chart": "bar"},
    )  # fmt: skip
    by_month = services.save_report(
        None, by=head, name="Новые сделки по месяцам и воронкам", entity="deal",
        definition={"dimensions": [{"field": "DATE_CREATE", "bucket": "month"}, {"field": "CATEGORY_ID"}],
                    "measures": [{"function": "count"}], "chart": "line"},
    )  # fmt: skip
    dashboard = services.save_dashboard(None, by=head, name="Продажи: неделя")
    services.add_widget(dashboard, by_manager, by=head, wide=True)
    services.add_widget(dashboard, by_month, by=head)
    for shared in (by_manager, by_month, dashboard):
        services.share(shared, by=head, departments=[head.department])
