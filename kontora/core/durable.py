"""Durable work: rows in Kontora's tables are the truth, jobs carry ids, the sweeper re-enqueues the overdue."""

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.db.models import F, Q
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
    type(row).objects.filter(pk=row.pk).update(enqueued_at=timezone.now())
    if row.due_at > timezone.now():
        job.using(run_after=row.due_at).enqueue(row.pk)
    else:
        job.enqueue(row.pk)


def perform(model: type[DurableWork], pk: int, work: Callable[[DurableWork], None]) -> bool:
    """Claim the row, do the work, mark it done; a failure is recorded and retried with back-off.

    The work runs outside any transaction of ours (it may talk to slow outside systems and must not hold a
    database lock meanwhile); work that writes several rows wraps them in its own `transaction.atomic()`.
    """
    token = model.claim(pk)
    if token is None:
        return False
    row = model.objects.get(pk=pk)
    try:
        work(row)
    except Exception:
        logger.exception("%s %s failed (attempt %s)", model._meta.label, pk, row.attempts)
        model.fail(pk, token, traceback.format_exc())
        return False
    return model.finish(pk, token)


def sweep() -> int:
    """Re-enqueue registered durable rows that are overdue or whose worker's lease ran out.

    A row enqueued within the grace period is left alone, so a backed-up queue is not flooded with copies.
    """
    now = timezone.now()
    count = 0
    for model, job in registry.items("durable_work").values():
        young = Q(status=WorkStatus.PENDING, due_at__gt=now - SWEEP_GRACE)
        not_enqueued_lately = (
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=now - SWEEP_GRACE)
            | Q(status=WorkStatus.RUNNING, enqueued_at__lt=F("lease_until"))  # not since its worker died
        )
        overdue = model.objects.filter(model.claimable() & not_enqueued_lately & ~young)
        pks = list(overdue.values_list("pk", flat=True)[:5000])
        model.objects.filter(pk__in=pks).update(enqueued_at=now)
        for pk in pks:
            job.enqueue(pk)
        count += len(pks)
    if count:
        logger.info("sweeper re-enqueued %s durable items", count)
    return count
