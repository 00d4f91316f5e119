"""Durable work: rows in Kontora's tables are the truth, jobs carry ids, the sweeper re-enqueues the overdue."""

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from kontora.core.models import DurableWork, WorkStatus
from kontora.core.registry import registry

logger = logging.getLogger("kontora.jobs")

# A pending row younger than this is still expected to be picked up by the job enqueued with it.
SWEEP_GRACE = timedelta(seconds=60)


def register(model: type[DurableWork], job) -> None:
    """Declare that rows of `model` are processed by `job` (a django.tasks task taking the row's pk)."""
    registry.register("durable_work", model._meta.label, (model, job))


def schedule(row: DurableWork, job) -> None:
    """Enqueue the job for a freshly saved row, after commit, delayed until its due time."""
    if row.due_at > timezone.now():
        job.using(run_after=row.due_at).enqueue(row.pk)
    else:
        job.enqueue(row.pk)


def perform(model: type[DurableWork], pk: int, work: Callable[[DurableWork], None]) -> bool:
    """Claim the row, do the work, mark it done; a failure is recorded and retried with back-off.

    The work runs outside any transaction of ours (it may talk to slow outside systems and must not hold a
    database lock meanwhile); work that writes several rows wraps them in its own `transaction.atomic()`.
    """
    if not model.claim(pk):
        return False
    row = model.objects.get(pk=pk)
    try:
        work(row)
    except Exception:
        logger.exception("%s %s failed (attempt %s)", model._meta.label, pk, row.attempts)
        model.fail(pk, traceback.format_exc())
        return False
    model.finish(pk)
    return True


def sweep() -> int:
    """Re-enqueue every registered durable row that is overdue or whose worker's lease ran out."""
    now = timezone.now()
    count = 0
    for model, job in registry.items("durable_work").values():
        overdue = model.objects.filter(model.claimable() & ~Q(status=WorkStatus.PENDING, due_at__gt=now - SWEEP_GRACE))
        for pk in overdue.values_list("pk", flat=True)[:5000]:
            job.enqueue(pk)
            count += 1
    if count:
        logger.info("sweeper re-enqueued %s durable items", count)
    return count
