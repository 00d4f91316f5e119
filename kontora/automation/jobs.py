"""Robot runs: durable work whose job carries the run's id; a run executes its robot's snapshot once."""

from django.db import transaction
from django.tasks import task

from kontora.accounts.models import User
from kontora.automation import actions, engine, records
from kontora.automation.models import RobotRun
from kontora.core import durable
from kontora.events import history


@task
def run_robot(pk: int) -> bool:
    return durable.perform(RobotRun, pk, _run)


def _actor(config: dict) -> User:
    """Robots act as their author; a deactivated or deleted author makes the run fail."""
    user = User.objects.filter(pk=config.get("created_by"), is_active=True).first()
    if user is None:
        raise PermissionError("the robot's author is no longer an active employee")
    return user


def _run(row: RobotRun) -> None:
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
    try:
        text = actions.get(config.get("action", "")).run(record, config.get("params") or {}, actor=_actor(config))
    except Exception as error:
        if row.attempts >= RobotRun.max_attempts:  # the last attempt: durable.perform marks the row failed
            _write(row, record, f"failed: {error}")
            engine.release_next(row)
        raise
    _write(row, record, text)
    engine.release_next(row)


def _write(row: RobotRun, record, text: str) -> None:
    with transaction.atomic():
        RobotRun.objects.filter(pk=row.pk).update(result=text[:4000])
        history.record(
            record, by=None, action="robot",
            changes={"robot": [None, row.config.get("title", "")], "result": [None, text[:1000]]},
        )  # fmt: skip


durable.register(RobotRun, run_robot)
