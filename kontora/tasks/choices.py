"""Task and project dictionaries; the numbers are Bitrix24's, so REST clients read them unchanged."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.IntegerChoices):
    # A task's status agrees with "задача" (feminine) in Russian, unlike the CRM's words: hence the context.
    NEW = 1, pgettext_lazy("task status", "New")
    PENDING = 2, pgettext_lazy("task status", "Pending")
    IN_PROGRESS = 3, pgettext_lazy("task status", "In progress")
    AWAITING_CONTROL = 4, pgettext_lazy("task status", "Awaiting control")
    COMPLETED = 5, pgettext_lazy("task status", "Completed")
    DEFERRED = 6, pgettext_lazy("task status", "Deferred")
    DECLINED = 7, pgettext_lazy("task status", "Declined")


OPEN_STATUSES = (Status.NEW, Status.PENDING, Status.IN_PROGRESS, Status.DEFERRED)
CLOSED_STATUSES = (Status.COMPLETED, Status.DECLINED)


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")


class MemberRole(models.TextChoices):
    ACCOMPLICE = "A", _("Co-executor")
    AUDITOR = "U", _("Observer")


class DependencyType(models.IntegerChoices):
    """Bitrix24's task.dependence LINK_TYPE values."""

    START_START = 0, _("Start to start")
    START_FINISH = 1, _("Start to finish")
    FINISH_START = 2, _("Finish to start")
    FINISH_FINISH = 3, _("Finish to finish")


class Visibility(models.TextChoices):
    OPEN = "open", _("Open: anyone can see it and join")
    CLOSED = "closed", _("Closed: visible to all, joining needs approval")
    SECRET = "secret", _("Secret: visible to members only")


class ProjectRole(models.TextChoices):
    OWNER = "A", _("Owner")
    MODERATOR = "E", _("Moderator")
    MEMBER = "K", _("Member")
    REQUESTED = "Z", _("Asked to join")


class TimeSource(models.TextChoices):
    TIMER = "timer", _("Timer")
    MANUAL = "manual", _("Entered by hand")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")
