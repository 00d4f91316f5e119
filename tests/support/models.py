from django.conf import settings
from django.db import models


class Memo(models.Model):
    """An owned record, standing in for deals and tasks until those exist."""

    title = models.CharField(max_length=100)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
