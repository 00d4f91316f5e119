"""Task and project dictionaries; the numbers are Bitrix24's, so REST clients read them unchanged."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.IntegerChoices):
    NEW = 1, _("New")
    PENDING = 2, _("Pending")
    IN_PROGRESS = 3, _("In progress")
    AWAITING_CONTROL = 4, _("Awaiting control")
    COMPLETED = 5, _("Completed")
    DEFERRED = 6, _("Deferred")
    DECLINED = 7, _("Declined")


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
