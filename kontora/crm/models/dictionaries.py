"""Pipelines (crm.category), editable dictionaries and stages (crm.status), loss reasons."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.core.models import TimeStamped
from kontora.crm.choices import Semantics


class Category(TimeStamped):
    """A deal pipeline. The default one has id 0, as in Bitrix24."""

    id = models.IntegerField(primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    sort = models.PositiveIntegerField(_("sort"), default=100)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name

    @property
    def stage_entity(self) -> str:
        return "DEAL_STAGE" if self.id == 0 else f"DEAL_STAGE_{self.id}"

    @property
    def stage_prefix(self) -> str:
        return "" if self.id == 0 else f"C{self.id}:"


class Status(models.Model):
    """One row of a crm.status dictionary: a lead status, a deal stage, a source, an industry..."""

    entity_id = models.CharField(_("dictionary"), max_length=50)
    status_id = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    sort = models.PositiveIntegerField(_("sort"), default=100)
    color = models.CharField(_("colour"), max_length=7, blank=True)
    semantics = models.CharField(_("semantics"), max_length=1, choices=Semantics, default=Semantics.PROCESS)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="stages")
    system = models.BooleanField(default=False)

    class Meta:
        ordering = ["entity_id", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["entity_id", "status_id"], name="unique_status_code")]
        verbose_name = _("dictionary entry")
        verbose_name_plural = _("dictionary entries")

    def __str__(self) -> str:
        return self.name

    @property
    def is_final(self) -> bool:
        return self.semantics != Semantics.PROCESS


class LossReason(models.Model):
    name = models.CharField(_("name"), max_length=200)
    sort = models.PositiveIntegerField(_("sort"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort", "name"]
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")

    def __str__(self) -> str:
        return self.name
