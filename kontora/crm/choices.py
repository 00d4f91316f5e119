"""Codes shared with Bitrix24's REST API, so that REST is a mapping and not a translation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.IntegerChoices):
    """Bitrix24's entityTypeId."""

    LEAD = 1, _("Lead")
    DEAL = 2, _("Deal")
    CONTACT = 3, _("Contact")
    COMPANY = 4, _("Company")


# Bitrix24's short codes of CRM records in links from other entities (a task's UF_CRM_TASK: "D_12", "CO_4").
CODE_PREFIX = {EntityType.LEAD: "L", EntityType.DEAL: "D", EntityType.CONTACT: "C", EntityType.COMPANY: "CO"}


class Semantics(models.TextChoices):
    PROCESS = "P", _("In progress")
    SUCCESS = "S", _("Won")
    FAILURE = "F", _("Lost")


class Dictionary(models.TextChoices):
    """crm.status ENTITY_ID values Kontora uses (deal stages of pipeline n are DEAL_STAGE_n)."""

    LEAD_STATUS = "STATUS", _("Lead statuses")
    SOURCE = "SOURCE", _("Sources")
    CONTACT_TYPE = "CONTACT_TYPE", _("Contact types")
    COMPANY_TYPE = "COMPANY_TYPE", _("Company types")
    INDUSTRY = "INDUSTRY", _("Industries")
    DEAL_TYPE = "DEAL_TYPE", _("Deal types")
    DEAL_STAGE = "DEAL_STAGE", _("Deal stages")


class MultiFieldType(models.TextChoices):
    PHONE = "PHONE", _("Phone")
    EMAIL = "EMAIL", _("Email")
    WEB = "WEB", _("Website")
    IM = "IM", _("Messenger")


class ValueType(models.TextChoices):
    WORK = "WORK", _("Work")
    MOBILE = "MOBILE", _("Mobile")
    HOME = "HOME", _("Home")
    OTHER = "OTHER", _("Other")
    TELEGRAM = "TELEGRAM", "Telegram"
    WHATSAPP = "WHATSAPP", "WhatsApp"


class ActivityType(models.IntegerChoices):
    """Bitrix24's activity TYPE_ID (a to-do is a task-typed activity)."""

    MEETING = 1, _("Meeting")
    CALL = 2, _("Call")
    TODO = 3, _("To-do")
    EMAIL = 4, _("Email")


class Direction(models.IntegerChoices):
    INCOMING = 1, _("Incoming")
    OUTGOING = 2, _("Outgoing")
