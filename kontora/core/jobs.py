"""Core periodic work: the one-minute sweeper of durable work."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kontora.core import durable


@db_periodic_task(crontab(minute="*"), name="kontora.sweep")
@lock_task("kontora.sweep")  # with several worker hosts, one sweep at a time
def sweep_durable_work() -> int:
    return durable.sweep()
