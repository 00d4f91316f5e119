"""Core periodic work: the one-minute sweeper of durable work."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kontora.core import durable


@db_periodic_task(crontab(minute="*"), name="kontora.sweep")
def sweep_durable_work() -> int:
    return durable.sweep()
