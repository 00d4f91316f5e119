"""Reads for the template administration and the designer: templates with their running counts, lists, people."""

from django.db.models import Count, Q, QuerySet

from kontora.accounts.selectors import people
from kontora.automation.processes.models import ProcessInstance, ProcessTemplate
from kontora.lists.models import UniversalList


def templates() -> QuerySet[ProcessTemplate]:
    """Every template with `running`: how many of its instances run now."""
    return ProcessTemplate.objects.annotate(
        running=Count("instances", filter=Q(instances__status=ProcessInstance.Status.RUNNING))
    ).order_by("name", "pk")


def template(pk: int) -> ProcessTemplate | None:
    return ProcessTemplate.objects.filter(pk=pk).first()


def universal_lists() -> list[tuple[str, str]]:
    return [(item.code, item.name) for item in UniversalList.objects.order_by("sort", "name")]


def employees(user) -> list[tuple[str, str]]:
    """(login, full name) of the active colleagues the user may see, for assignee and installer pickers."""
    return [(person.username, person.full_name or person.username) for person in people(user)]
