"""Phones, emails, websites and messengers of leads, contacts and companies (Bitrix24's multi-fields)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.crm.choices import EntityType, MultiFieldType, ValueType


class MultiField(models.Model):
    entity_type = models.PositiveSmallIntegerField(choices=EntityType)
    entity_id = models.PositiveBigIntegerField()
    type_id = models.CharField(_("type"), max_length=10, choices=MultiFieldType)
    value_type = models.CharField(_("kind"), max_length=20, choices=ValueType, default=ValueType.WORK)
    value = models.CharField(_("value"), max_length=255)
    normalized = models.CharField(max_length=255, db_index=True)  # E.164 phones, lower-cased emails

    class Meta:
        ordering = ["entity_type", "entity_id", "type_id", "id"]
        indexes = [
            models.Index(fields=["entity_type", "entity_id"]),
            models.Index(fields=["type_id", "normalized"]),
        ]

    def __str__(self) -> str:
        return self.value
