"""Time tracking: one running timer per person, manual entries, elapsed totals."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kontora.core.errors import Forbidden, Invalid
from kontora.tasks.models import TimeEntry
from kontora.tasks.services import status, timing
from tests.factories import make_task


def test_starting_a_timer_on_another_task_stops_the_first(org):
    first = make_task(by=org.sales_head, responsible=org.sales_rep)
    second = make_task(by=org.sales_head, responsible=org.sales_rep)

    running = timing.start_timer(first, by=org.sales_rep)
    again = timing.start_timer(first, by=org.sales_rep)
    other = timing.start_timer(second, by=org.sales_rep)

    running.refresh_from_db()
    assert again.pk == running.pk and running.stopped_at is not None
    assert timing.running_timer(org.sales_rep) == other
    assert TimeEntry.objects.filter(user=org.sales_rep, stopped_at__isnull=True).count() == 1


def test_database_refuses_a_second_running_timer(org):
    first = make_task(by=org.sales_head, responsible=org.sales_rep)
    second = make_task(by=org.sales_head, responsible=org.sales_rep)
    timing.start_timer(first, by=org.sales_rep)

    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(task=second, user=org.sales_rep)

    assert TimeEntry.objects.filter(user=org.sales_rep).count() == 1


def test_other_people_run_their_own_timers_on_the_same_task(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep, accomplices=[org.kazan_rep])

    timing.start_timer(task, by=org.sales_rep)
    timing.start_timer(task, by=org.kazan_rep)

    assert TimeEntry.objects.filter(task=task, stopped_at__isnull=True).count() == 2


def test_stopping_counts_the_seconds_and_elapsed_sums_everything(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    entry = timing.start_timer(task, by=org.sales_rep)
    TimeEntry.objects.filter(pk=entry.pk).update(started_at=timezone.now() - timedelta(minutes=10))

    stopped = timing.stop_timer(by=org.sales_rep, comment="Звонок")
    timing.add_time(task, by=org.sales_rep, seconds=1800)

    assert 599 <= stopped.seconds <= 601 and stopped.comment == "Звонок"
    assert 2399 <= timing.elapsed(task) <= 2401
    assert timing.stop_timer(by=org.sales_rep) is None


def test_elapsed_includes_the_running_timer(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    entry = timing.start_timer(task, by=org.sales_rep)
    TimeEntry.objects.filter(pk=entry.pk).update(started_at=timezone.now() - timedelta(seconds=90))

    assert 89 <= timing.elapsed(task) <= 92


@pytest.mark.parametrize("seconds", [0, -5, 8 * 24 * 3600, "много"])
def test_manual_entries_must_be_between_a_second_and_a_week(org, seconds):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)

    with pytest.raises(Invalid) as error:
        timing.add_time(task, by=org.sales_rep, seconds=seconds)

    assert error.value.field == "seconds" and not TimeEntry.objects.exists()


def test_observers_cannot_track_time_and_completion_stops_timers(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep, auditors=[org.kazan_rep])
    with pytest.raises(Forbidden):
        timing.start_timer(task, by=org.kazan_rep)

    timing.start_timer(task, by=org.sales_rep)
    status.complete_task(task, by=org.sales_rep)

    assert timing.running_timer(org.sales_rep) is None
