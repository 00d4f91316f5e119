"""Reads about absences: who is away at a moment, absences in a period, the month chart."""

import calendar
import operator
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import reduce
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import Department, Level, User
from kontora.timeman.models import Absence


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def absent_user_ids(user_ids: Iterable[int], when: datetime) -> set[int]:
    """Which of these people are away at `when` (aware): the day is read in each person's own time zone."""
    ids = list(user_ids)
    if not ids:
        return set()
    by_day: dict[date, list[int]] = {}
    for pk, zone in User.objects.filter(pk__in=ids).values_list("pk", "time_zone"):
        by_day.setdefault(when.astimezone(_zone(zone)).date(), []).append(pk)
    condition = reduce(operator.or_, (
        Q(user_id__in=people, start__lte=day, end__gte=day) for day, people in by_day.items()
    ))  # fmt: skip
    return set(Absence.objects.filter(condition).values_list("user_id", flat=True))


def absences_between(start: date, end: date, users_qs: QuerySet[User]) -> QuerySet[Absence]:
    """Absences of these people that touch the period from `start` to `end` (both included)."""
    return (
        Absence.objects.filter(user__in=users_qs.values("pk"), start__lte=end, end__gte=start)
        .select_related("user")
        .order_by("start", "user_id")
    )


def visible_absences(user: User) -> QuerySet[Absence]:
    return access.visible(user, Absence)


def month_chart(user: User, month: date, department: Department | None = None) -> dict:
    """The absence chart of one month: people (those the user may see) grouped by department, a cell per day."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    days = [first + timedelta(days=number) for number in range((last - first).days + 1)]
    people = access.visible(user, User).filter(is_active=True).select_related("department")
    if department is not None:
        subtree = access.DepartmentTree.load().subtree([department.pk])
        people = people.filter(department_id__in=subtree)
    people = list(people.order_by("department__sort", "department__name", "last_name", "first_name"))
    absences: dict[int, list[Absence]] = {}
    visible = visible_absences(user).filter(user__in=[person.pk for person in people], start__lte=last, end__gte=first)
    for absence in visible.order_by("start"):
        absences.setdefault(absence.user_id, []).append(absence)
    groups: list[dict] = []
    for person in people:
        if not groups or groups[-1]["department"] != person.department:
            groups.append({"department": person.department, "rows": []})
        own = absences.get(person.pk, [])
        cells = []
        for day in days:
            found = next((absence for absence in own if absence.start <= day <= absence.end), None)
            cells.append({"day": day, "absence": found, "starts": found is not None and (
                found.start == day or day == first)})  # fmt: skip
        groups[-1]["rows"].append({"person": person, "cells": cells, "absences": own})
    return {"first": first, "last": last, "days": days, "groups": groups}


def people_for_absences(user: User) -> QuerySet[User]:
    """The people this user may put absences on the chart for, as the gate's "add" level reaches them."""
    ctx = access.context_for(user)
    level = ctx.level(access.entity_for(Absence), "add")
    people = User.objects.filter(is_active=True).select_related("department")
    if level == Level.ALL:
        return people
    if level == Level.NONE:
        return people.none()
    departments = ctx.department_tree if level == Level.SUBTREE else ctx.departments
    mine = Q(pk=user.pk)
    return people.filter(mine | Q(department_id__in=list(departments))) if level != Level.OWN else people.filter(mine)
