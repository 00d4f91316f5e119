"""Robots hear that a record arrived at a stage and schedule their runs (durable work) with their delays."""

import logging
import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kontora.automation import records
from kontora.automation.models import Robot, RobotRun
from kontora.core import demo, durable
from kontora.core.errors import Invalid
from kontora.crm.models import CrmRecord, Status
from kontora.events.models import Event

logger = logging.getLogger("kontora.automation")

UNITS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}
DELAY_MODES = ("now", "after", "before_field", "after_field", "at_field")
WORK_START, WORK_END = time(9, 0), time(18, 0)


# Subscribers --------------------------------------------------------------------------------------------------


def on_deal_created(event: Event) -> None:
    deal = records.load("deal", int(event.object_id))
    if deal is not None:
        schedule_robots(deal, records.stage_code(deal), event.pk)


def on_deal_stage_changed(event: Event) -> None:
    deal = records.load("deal", int(event.object_id))
    if deal is not None:
        schedule_robots(deal, event.data.get("to_stage") or records.stage_code(deal), event.pk)


def on_lead_created(event: Event) -> None:
    lead = records.load("lead", int(event.object_id))
    if lead is not None:
        schedule_robots(lead, records.stage_code(lead), event.pk)


def on_lead_updated(event: Event) -> None:
    change = (event.data.get("changes") or {}).get("status")
    if not change:
        return
    lead = records.load("lead", int(event.object_id))
    if lead is None:
        return
    new = change[1] if isinstance(change, list) and len(change) > 1 else None
    status = Status.objects.filter(pk=new).first() if isinstance(new, int) else None
    schedule_robots(lead, status.status_id if status else records.stage_code(lead), event.pk)


# Scheduling ---------------------------------------------------------------------------------------------------


def robots_of(entity: str, stage: str, category_id: int | None) -> list[Robot]:
    """The active robots of a stage, in their order."""
    return list(
        Robot.objects.filter(entity=entity, stage=stage, category_id=category_id, active=True)
        .select_related("created_by")
        .order_by("sort", "id")
    )


@transaction.atomic
def schedule_robots(record: CrmRecord, stage: str, event_id: int) -> list[RobotRun]:
    """Create the runs of the stage's robots whose condition holds; one event schedules a robot once.

    A robot marked `after_previous` waits for the run scheduled before it; its delay counts from that run's end.
    The demo company's made-up history runs no robots.
    """
    if demo.building.get():
        return []
    entity = records.entity_of(record)
    runs: list[RobotRun] = []
    previous: RobotRun | None = None
    for robot in robots_of(entity, stage, records.category_id(record)):
        existing = RobotRun.objects.filter(robot=robot, event_id=event_id).first()
        if existing is not None:  # a retried delivery of the same event
            previous = existing
            continue
        try:
            if not records.matches(record, robot.condition):
                continue
        except Invalid:
            logger.warning("robot %s has a condition that no longer parses; skipped", robot.pk)
            continue
        waiting = robot.after_previous and previous is not None
        run = RobotRun.objects.create(
            robot=robot, config=robot.snapshot(), entity=entity, record_id=record.pk, event_id=event_id,
            previous=previous if waiting else None, waiting=waiting,
            due_at=timezone.now() if waiting else due_at(record, robot.delay),
        )  # fmt: skip
        if not waiting:
            schedule(run)
        runs.append(run)
        previous = run
    return runs


def schedule(run: RobotRun) -> None:
    """Enqueue the run's job once the surrounding transaction commits."""
    from kontora.automation.jobs import run_robot

    transaction.on_commit(lambda: durable.schedule(run, run_robot))


def release_next(run: RobotRun) -> None:
    """The run of a chain ended (done or given up): start the runs that waited for it, with their delays."""
    for waiting in RobotRun.objects.filter(previous=run, waiting=True):
        record = records.load(waiting.entity, waiting.record_id)
        when = due_at(record, waiting.config.get("delay")) if record is not None else timezone.now()
        updated = RobotRun.objects.filter(pk=waiting.pk, waiting=True).update(waiting=False, due_at=when)
        if updated:
            waiting.waiting, waiting.due_at = False, when
            schedule(waiting)


# Holding a chain -------------------------------------------------------------------------------------------------


def hold(run: RobotRun, what: dict) -> None:
    """The run is done but its chain waits: for the task `what["task"]` to be completed, or for every field of
    `what["fields"]` to be filled in on the record. Kept in the run's row; released at once if already so."""
    task_id, fields = what.get("task"), list(what.get("fields") or [])
    RobotRun.objects.filter(pk=run.pk).update(holding=True, hold_task_id=task_id, hold_fields=fields)
    run.holding, run.hold_task_id, run.hold_fields = True, task_id, fields
    if _hold_over(run):
        release_hold(run)


def _hold_over(run: RobotRun) -> bool:
    from kontora.automation.actions.waiting import is_filled
    from kontora.crm import schema
    from kontora.tasks.choices import Status as TaskStatus
    from kontora.tasks.models import Task

    if run.hold_task_id and Task.objects.filter(pk=run.hold_task_id, status=TaskStatus.COMPLETED).exists():
        return True
    if not run.hold_fields:
        return False
    record = records.load(run.entity, run.record_id)
    if record is None:
        return True
    fields = schema.fields_of(run.entity)
    return all(name in fields and is_filled(record, fields[name]) for name in run.hold_fields)


def release_hold(run: RobotRun) -> bool:
    """Let the chain of a holding run go on, once: the runs that waited for it start with their delays."""
    if not RobotRun.objects.filter(pk=run.pk, holding=True).update(holding=False):
        return False
    run.holding = False
    release_next(run)
    return True


def on_task_completed(event: Event) -> None:
    for run in RobotRun.objects.filter(holding=True, hold_task_id=int(event.object_id)):
        release_hold(run)


def on_record_updated(event: Event) -> None:
    """A deal or lead changed: chains waiting for its fields to be filled in may go on."""
    entity = event.name.split(".")[1]
    for run in RobotRun.objects.filter(holding=True, entity=entity, record_id=int(event.object_id)):
        if run.hold_fields and _hold_over(run):
            release_hold(run)


# Timing ---------------------------------------------------------------------------------------------------------


def due_at(record: CrmRecord, delay: dict | None, now: datetime | None = None) -> datetime:
    """When a robot with this delay should run for this record; never in the past."""
    delay = delay or {}
    now = now or timezone.now()
    mode = delay.get("mode") or "now"
    span = _span(delay)
    when = now
    if mode == "after":
        when = now + span
    elif mode in {"before_field", "after_field", "at_field"}:
        base = records.moment(record, str(delay.get("field") or ""))
        if base is not None:
            when = {"before_field": base - span, "after_field": base + span, "at_field": base}[mode]
    when = max(when, now)
    if delay.get("working_hours"):
        when = working_time(when, _zone(record))
    return when


def _span(delay: dict) -> timedelta:
    try:
        amount = max(0, int(delay.get("amount") or 0))
    except (TypeError, ValueError):
        amount = 0
    return UNITS.get(str(delay.get("unit") or "minutes"), UNITS["minutes"]) * amount


def _zone(record: CrmRecord) -> zoneinfo.ZoneInfo:
    name = getattr(getattr(record, "responsible", None), "time_zone", "") or "Europe/Moscow"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Moscow")


def working_time(when: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The moment itself if it falls in 09:00–18:00 Monday to Friday in `zone`, else the next 09:00 of a weekday."""
    local = when.astimezone(zone)
    if local.weekday() < 5 and WORK_START <= local.time() < WORK_END:
        return when
    day = local.date() if local.time() < WORK_START else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, WORK_START, tzinfo=zone)


def validate_delay(delay: dict | None) -> dict:
    """A clean copy of a delay setting, or Invalid."""
    from django.utils.translation import gettext as _

    delay = dict(delay or {})
    mode = delay.get("mode") or "now"
    if mode not in DELAY_MODES:
        raise Invalid("BAD_DELAY", "delay", _("Unknown kind of delay."))
    if str(delay.get("unit") or "minutes") not in UNITS:
        raise Invalid("BAD_DELAY", "delay", _("The delay is counted in minutes, hours or days."))
    if mode.endswith("_field") and not delay.get("field"):
        raise Invalid("BAD_DELAY", "delay", _("Choose the date field the delay is counted from."))
    delay["mode"] = mode
    return delay
