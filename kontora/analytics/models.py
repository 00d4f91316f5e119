"""Analytics data: plans, saved reports and dashboards, channel spend, customer ratings and open walls."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kontora.core.models import DurableWork, TimeStamped


class Metric(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    DEALS_WON = "deals_won", _("Deals won")
    CALLS = "calls", _("Calls")
    MEETINGS = "meetings", _("Meetings")
    NEW_LEADS = "new_leads", _("New leads")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Plan(TimeStamped):
    """A target for one person or one department (with its sub-departments) over a month or a quarter."""

    metric = models.CharField(_("metric"), max_length=20, choices=Metric)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind, default=PeriodKind.MONTH)
    period_start = models.DateField(_("period start"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2, default=Decimal(0))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["period_start", "metric", "id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, department__isnull=True)
                | Q(user__isnull=True, department__isnull=False),
                name="analytics_plan_one_subject",
            ),
            models.UniqueConstraint(
                fields=["metric", "period_kind", "period_start", "user"], condition=Q(user__isnull=False),
                name="analytics_plan_unique_user",
            ),
            models.UniqueConstraint(
                fields=["metric", "period_kind", "period_start", "department"], condition=Q(department__isnull=False),
                name="analytics_plan_unique_department",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.period_start}: {self.target}"


class Report(TimeStamped):
    """A saved report-builder definition: entity, filter, groupings, measures and chart, shared with readers."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(_("entity"), max_length=20)
    definition = models.JSONField(default=dict)  # {"filter": {}, "dimensions": [...], "measures": [...], "chart": …}
    shared_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    shared_departments = models.ManyToManyField("accounts.Department", blank=True, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.name


class Dashboard(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    shared_departments = models.ManyToManyField("accounts.Department", blank=True, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")

    def __str__(self) -> str:
        return self.name


class Widget(models.Model):
    """A report placed on a dashboard; widgets are shown in `position` order, half or full width."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="widgets")
    position = models.PositiveIntegerField(default=0)
    wide = models.BooleanField(_("full width"), default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.dashboard_id}#{self.position}: {self.report_id}"


class ChannelKind(models.TextChoices):
    SOURCE = "source", _("Source")
    UTM_SOURCE = "utm_source", _("UTM source")
    UTM_CAMPAIGN = "utm_campaign", _("UTM campaign")


class ChannelSpend(TimeStamped):
    """Money spent on one channel (a source code or a UTM value) over a period of local dates, both included."""

    kind = models.CharField(_("channel type"), max_length=20, choices=ChannelKind, default=ChannelKind.SOURCE)
    channel = models.CharField(_("channel"), max_length=255)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    amount = models.DecimalField(_("spend"), max_digits=18, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-first_day", "kind", "channel", "id"]
        verbose_name = _("channel spend")
        verbose_name_plural = _("channel spend")
        indexes = [models.Index(fields=["kind", "channel", "first_day"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.first_day}–{self.last_day}: {self.amount}"


class RatingRequest(DurableWork, TimeStamped):
    """A won deal's customer is asked for 1–5 stars; the answer counts for the deal's responsible at the win.

    The row is also the durable work of e-mailing the request (`jobs.send_rating_request`)."""  # fmt: skip

    deal = models.OneToOneField("crm.Deal", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta(DurableWork.Meta):
        ordering = ["-id"]
        indexes = [*DurableWork.Meta.indexes, models.Index(fields=["responsible", "rated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="analytics_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.rating or '—'}"


class WallScreen(models.Model):
    """A person's plan/fact wall seen open lately: the screen re-fetches its figures at least every few minutes, and
    only these people are told when a deal is won or an activity done (not every employee of the company)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.seen_at:%Y-%m-%d %H:%M}"
