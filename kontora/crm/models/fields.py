"""Custom fields (UF_CRM_*): declared per entity by administrators, stored in each record's JSON column."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.crm.choices import EntityType


class FieldDefinition(models.Model):
    class Kind(models.TextChoices):
        STRING = "string", _("String")
        TEXT = "text", _("Text")
        NUMBER = "double", _("Number")
        MONEY = "money", _("Money")
        DATE = "date", _("Date")
        DATETIME = "datetime", _("Date and time")
        BOOLEAN = "boolean", _("Yes/no")
        LIST = "enumeration", _("List")
        USER = "employee", _("Employee")
        LINK = "crm", _("Link to a CRM record")

    entity_type = models.PositiveSmallIntegerField(_("entity"), choices=EntityType)
    code = models.CharField(_("code"), max_length=50)  # UF_CRM_…
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    label_ru = models.CharField(_("label (Russian)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)
    multiple = models.BooleanField(_("multiple"), default=False)
    sort = models.PositiveIntegerField(_("sort"), default=100)
    options = models.JSONField(_("options"), default=list, blank=True)  # [{"ID": "1", "VALUE": "…"}] for lists

    class Meta:
        ordering = ["entity_type", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["entity_type", "code"], name="unique_field_code")]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.code


class SavedFilter(models.Model):
    """A list filter someone named and kept: the filter bar's parameters, shared with colleagues or not."""

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    entity_type = models.PositiveSmallIntegerField(_("entity"), choices=EntityType)
    name = models.CharField(_("name"), max_length=100)
    params = models.JSONField(_("filter"), default=dict)  # the filter bar's query parameters
    shared = models.BooleanField(_("visible to everyone"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity_type", "name", "id"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")

    def __str__(self) -> str:
        return self.name
