"""Universal lists (Bitrix24 "Lists"): a list declares its fields, elements hold their values by field code."""

import builtins

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontora.core.models import SoftDeletable, TimeStamped


class FieldType(models.TextChoices):
    STRING = "string", _("String")
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOL = "bool", _("Yes / no")
    USER = "user", _("Employee")
    SELECT = "select", _("List of options")
    FILE = "file", _("File")


class AddScope(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    DEPARTMENTS = "departments", _("Chosen departments")


class UniversalList(TimeStamped):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sort = models.PositiveIntegerField(_("sort"), default=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    add_scope = models.CharField(_("who may add elements"), max_length=20, choices=AddScope, default=AddScope.EVERYONE)
    add_departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("departments that may add"), blank=True, related_name="+"
    )
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("who reads all elements"), blank=True, related_name="readable_lists"
    )

    class Meta:
        ordering = ["sort", "name"]
        verbose_name = _("list")
        verbose_name_plural = _("lists")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lists:elements", args=[self.code])


class ListField(models.Model):
    list = models.ForeignKey(UniversalList, on_delete=models.CASCADE, related_name="fields")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=FieldType, default=FieldType.STRING)
    required = models.BooleanField(_("required"), default=False)
    multiple = models.BooleanField(_("multiple"), default=False)
    sort = models.PositiveIntegerField(_("sort"), default=500)
    default = models.CharField(_("default value"), max_length=500, blank=True)
    options = models.JSONField(_("options"), default=builtins.list, blank=True)  # `list` is the field above

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = _("list field")
        verbose_name_plural = _("list fields")
        constraints = [models.UniqueConstraint(fields=["list", "code"], name="unique_list_field_code")]

    def __str__(self) -> str:
        return self.name


class ListElement(TimeStamped, SoftDeletable):
    list = models.ForeignKey(UniversalList, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=255)
    values = models.JSONField(_("values"), default=dict, blank=True)
    search_text = models.TextField(blank=True, editable=False)  # name and values as text, for the filter
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL,
        related_name="list_elements",
    )  # fmt: skip
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("list element")
        verbose_name_plural = _("list elements")
        indexes = [models.Index(fields=["list", "created_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lists:element", args=[self.list.code, self.pk])
