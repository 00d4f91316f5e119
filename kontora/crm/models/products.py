"""The product catalogue and product rows on deals and leads."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.core.models import TimeStamped
from kontora.crm.choices import EntityType


class ProductSection(models.Model):
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        verbose_name = _("product section")
        verbose_name_plural = _("product sections")

    def __str__(self) -> str:
        return self.name


class Product(TimeStamped):
    name = models.CharField(_("name"), max_length=255)
    section = models.ForeignKey(
        ProductSection,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    vat_rate = models.DecimalField(_("VAT, %"), max_digits=5, decimal_places=2, null=True, blank=True)
    vat_included = models.BooleanField(_("VAT included in price"), default=True)
    unit = models.CharField(_("unit"), max_length=30, default="шт")
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class ProductRow(models.Model):
    """A line of a deal or lead: the final price per unit is after the discount; tax may be included."""

    owner_type = models.PositiveSmallIntegerField(choices=EntityType)
    owner_id = models.PositiveBigIntegerField()
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_name = models.CharField(_("product"), max_length=255)
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=4, default=Decimal(1))
    discount_rate = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2, default=Decimal(0))
    tax_rate = models.DecimalField(_("tax, %"), max_digits=5, decimal_places=2, null=True, blank=True)
    tax_included = models.BooleanField(default=True)
    unit = models.CharField(_("unit"), max_length=30, default="шт")
    sort = models.PositiveIntegerField(default=10)

    class Meta:
        ordering = ["owner_type", "owner_id", "sort", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return self.product_name

    @property
    def final_price(self) -> Decimal:
        return (self.price * (100 - self.discount_rate) / 100).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        """The row's sum with tax: excluded tax is added on top."""
        base = self.final_price * self.quantity
        if self.tax_rate and not self.tax_included:
            base += base * self.tax_rate / 100
        return base.quantize(Decimal("0.01"))
