"""The four CRM entities. Each has a responsible person, authorship, comments, custom fields and a bin."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontora.core.models import SoftDeletable, TimeStamped
from kontora.crm.choices import EntityType, Semantics
from kontora.crm.models.dictionaries import Category, LossReason, Status


class CrmRecord(SoftDeletable, TimeStamped):
    entity_type: EntityType

    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comments = models.TextField(_("comment"), blank=True)
    opened = models.BooleanField(_("available to everyone"), default=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)  # {"UF_CRM_…": value}

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(f"crm:{self._meta.model_name}_detail", args=[self.pk])


class Company(CrmRecord):
    entity_type = EntityType.COMPANY

    title = models.CharField(_("company name"), max_length=255)
    company_type = models.ForeignKey(
        Status, verbose_name=_("company type"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    industry = models.ForeignKey(
        Status, verbose_name=_("industry"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    revenue = models.DecimalField(_("annual revenue"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    address = models.TextField(_("address"), blank=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.title


class Contact(CrmRecord):
    entity_type = EntityType.CONTACT

    honorific = models.CharField(_("salutation"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    birthdate = models.DateField(_("birthday"), null=True, blank=True)
    contact_type = models.ForeignKey(
        Status, verbose_name=_("contact type"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.ForeignKey(
        Status, verbose_name=_("source"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.TextField(_("address"), blank=True)
    companies = models.ManyToManyField(Company, verbose_name=_("companies"), blank=True, related_name="contacts")
    lead = models.ForeignKey("crm.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part) or "—"


class Lead(CrmRecord):
    entity_type = EntityType.LEAD

    title = models.CharField(_("lead name"), max_length=255)
    honorific = models.CharField(_("salutation"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_title = models.CharField(_("company name"), max_length=255, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    status = models.ForeignKey(Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(
        Status, verbose_name=_("source"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_description = models.TextField(_("source information"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    address = models.TextField(_("address"), blank=True)
    utm_source = models.CharField("UTM source", max_length=255, blank=True)
    utm_medium = models.CharField("UTM medium", max_length=255, blank=True)
    utm_campaign = models.CharField("UTM campaign", max_length=255, blank=True)
    utm_content = models.CharField("UTM content", max_length=255, blank=True)
    utm_term = models.CharField("UTM term", max_length=255, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["status", "-id"]), models.Index(fields=["responsible", "-id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_converted(self) -> bool:
        return self.status.semantics == Semantics.SUCCESS


class Deal(CrmRecord):
    entity_type = EntityType.DEAL

    title = models.CharField(_("deal name"), max_length=255)
    category = models.ForeignKey(Category, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Status, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    deal_type = models.ForeignKey(
        Status, verbose_name=_("deal type"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, default=Decimal(0))
    is_manual_amount = models.BooleanField(default=True)  # False: the amount comes from the product rows
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    probability = models.PositiveSmallIntegerField(_("probability, %"), null=True, blank=True)
    begin_date = models.DateField(_("start date"), null=True, blank=True)
    close_date = models.DateField(_("expected close date"), null=True, blank=True)
    closed = models.BooleanField(_("closed"), default=False)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    contacts = models.ManyToManyField(Contact, verbose_name=_("contacts"), blank=True, related_name="deals")
    source = models.ForeignKey(
        Status, verbose_name=_("source"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals")
    loss_reason = models.ForeignKey(
        LossReason, verbose_name=_("loss reason"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loss_comment = models.TextField(_("loss comment"), blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["category", "stage", "-id"]),
            models.Index(fields=["responsible", "-id"]),
            models.Index(fields=["closed", "-id"]),
            # The live deals of the people a viewer may see: their ids (the semi-join of stage moves) and the
            # kanban's count and sum per stage, from the index alone on PostgreSQL.
            models.Index(
                fields=["responsible", "id"],
                include=["category", "stage", "amount"],
                condition=models.Q(deleted_at=None),
                name="crm_deal_live",
            ),
            # Deals closed in a period per person (manager activity, KPIs), from the index alone on PostgreSQL.
            models.Index(
                fields=["responsible", "moved_at"],
                include=["stage", "amount", "deleted_at", "id"],
                name="crm_deal_moved",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def stage_id_code(self) -> str:
        return self.stage.status_id
