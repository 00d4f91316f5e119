"""Robot runs: durable work whose job carries the run's id; a run executes its robot's snapshot once.

The action, its result, what comes next in the chain and the run's "done" mark are one transaction, taken while
the run's lease is still ours: a worker killed mid-run leaves nothing behind and the sweeper runs it again; a run
marked done is never run again. (An email or a webhook call may go out twice if the worker dies after sending and
before the commit.)
"""

import logging
import traceback

from django.db import transaction
from django.tasks import task

from kontora.accounts.models import User
from kontora.automation import actions, engine, records
from kontora.automation.models import RobotRun
from kontora.core import durable
from kontora.core.models import WorkStatus
from kontora.events import history

logger = logging.getLogger("kontora.jobs")


@task
def run_robot(pk: int) -> bool:
    token = RobotRun.claim(pk)
    if token is None:
        return False
    row = RobotRun.objects.get(pk=pk)
    try:
        return _run(row, token)
    except Exception:
        logger.exception("robot run %s failed (attempt %s)", pk, row.attempts)
        RobotRun.fail(pk, token, traceback.format_exc())
        return False


def _actor(config: dict) -> User:
    """Robots act as their author; a deactivated or deleted author makes the run fail."""
    user = User.objects.filter(pk=config.get("created_by"), is_active=True).first()
    if user is None:
        raise PermissionError("the robot's author is no longer an active employee")
    return user


def _run(row: RobotRun, token: str) -> bool:
    try:
        with transaction.atomic():
            ours = RobotRun.objects.select_for_update().filter(pk=row.pk, lease_token=token, status=WorkStatus.RUNNING)
            if not ours.exists():  # the lease ran out and another worker took the run over
                return False
            _perform(row)
            return RobotRun.finish(row.pk, token)
    except Exception as error:
        if row.attempts >= RobotRun.max_attempts:  # the last attempt: the run is marked failed
            record = records.load(row.entity, row.record_id)
            with transaction.atomic():
                if record is not None:
                    _write(row, record, f"failed: {error}")
                engine.release_next(row)
        raise


def _perform(row: RobotRun) -> None:
    config = row.config
    record = records.load(row.entity, row.record_id)
    if record is None:
        RobotRun.objects.filter(pk=row.pk).update(result="skipped: the record is gone")
        engine.release_next(row)
        return
    if records.stage_code(record) != config.get("stage"):
        RobotRun.objects.filter(pk=row.pk).update(result="skipped: the record left the stage")
        engine.release_next(row)
        return
    text = actions.get(config.get("action", "")).run(record, config.get("params") or {}, actor=_actor(config))
    _write(row, record, text)
    if getattr(text, "hold", None):
        engine.hold(row, text.hold)
    else:
        engine.release_next(row)


def _write(row: RobotRun, record, text: str) -> None:
    RobotRun.objects.filter(pk=row.pk).update(result=str(text)[:4000])
    history.record(
        record, by=None, action="robot",
        changes={"robot": [None, row.config.get("title", "")], "result": [None, str(text)[:1000]]},
    )  # fmt: skip


durable.register(RobotRun, run_robot)
