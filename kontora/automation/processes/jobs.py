"""Stepping instances in the background: a wake is durable work whose job steps its instance until it waits."""

from django.tasks import task

from kontora.automation.processes import engine
from kontora.automation.processes.models import ProcessWake
from kontora.core import durable


@task
def advance_process(pk: int) -> bool:
    return durable.perform(ProcessWake, pk, _advance)


def _advance(row: ProcessWake) -> None:
    engine.advance(row.instance_id, final_attempt=row.attempts >= ProcessWake.max_attempts)


durable.register(ProcessWake, advance_process)
