"""Absences: vacations, sick leaves, business trips and days off, shown on the company absence chart."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.core.models import TimeStamped


class AbsenceKind(models.TextChoices):
    VACATION = "vacation", _("Vacation")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    BUSINESS_TRIP = "business_trip", _("Business trip")
    DAY_OFF = "day_off", _("Day off")
    OTHER = "other", _("Other")


class Absence(TimeStamped):
    """A person away from `start` to `end`, both days included, as dates of the person's own calendar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="absences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AbsenceKind, default=AbsenceKind.VACATION)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["start", "user_id"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        indexes = [models.Index(fields=["user", "start", "end"]), models.Index(fields=["start", "end"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="absence_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1
