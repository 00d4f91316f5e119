"""Template helpers for showing change sets to people."""

from django import template
from django.core.exceptions import FieldDoesNotExist

from kontora.events.models import ChangeSet

register = template.Library()


@register.filter
def changed_fields(change: ChangeSet) -> str:
    """The changed fields' labels in the reader's language ("position, phone")."""
    model = change.content_type.model_class()
    labels = []
    for name in change.changes:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            labels.append(name)
    return ", ".join(labels)
