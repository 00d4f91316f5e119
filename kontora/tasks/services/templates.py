"""Task templates: save a task as a template, set tasks from one, and repeat them on a schedule.

Templates are personal: only their creator (or an administrator) sees and changes them. A recurrence rule
(see `TaskTemplate`) is expanded with dateutil's rrule in the creator's time zone: "every day at 09:00" stays at
09:00 local time across daylight-saving changes. The series starts at the rule's `start` date; `count` counts the
rule's dates from there, `until` ends it after that day. Months without the chosen day are skipped (rrule's,
and RFC 5545's, behaviour: "monthly on day 31" runs in January, March, May...; "yearly on 29 February" runs in
leap years only).

`run_due_templates` runs every minute in a worker. Each run of a template is an `Occurrence` row whose unique
(template, scheduled_for) key is inserted before the task is created, in the same transaction: of two workers
only one can create a given run. Missed runs (the workers were down) are each created once, at most
`CATCH_UP` per template and pass; the rest follow in the next passes.
"""

import logging
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import Level, User
from kontora.core.errors import Forbidden, Invalid, KontoraError, NotFound
from kontora.core.html import sanitize
from kontora.events import history
from kontora.tasks.choices import MemberRole, Priority
from kontora.tasks.models import ChecklistItem, Occurrence, Task, TaskMember, TaskTemplate
from kontora.tasks.services import checklist as checklists
from kontora.tasks.services.rights import rights_for
from kontora.tasks.services.tasks import _crm_codes, _project, _user, create_task

logger = logging.getLogger(__name__)

FREQUENCIES = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a leap year: 29 February is allowed
TIME = re.compile(r"(\d{1,2}):(\d{2})")
CATCH_UP = 10  # missed runs created per template and pass
BATCH = 200  # templates looked at per pass
FIELDS = (
    "title", "description", "responsible", "accomplices", "auditors", "priority", "deadline_after",
    "requires_control", "allow_change_deadline", "time_estimate", "project", "tags", "checklist", "crm_links",
)  # fmt: skip
NOT_GIVEN = object()


# ---- reads ------------------------------------------------------------------------------------------------------


def may_manage(user: User, template: TaskTemplate) -> bool:
    """Templates are personal: their creator manages them, and so do administrators."""
    if template.created_by_id == user.pk:
        return True
    ctx = access.context_for(user)
    return ctx.superuser or ctx.level(access.entity_for(Task), "update") >= Level.ALL


def my_templates(user: User) -> QuerySet[TaskTemplate]:
    """The person's own top-level templates (sub-templates are shown inside their parent)."""
    return (
        TaskTemplate.objects.filter(created_by=user, parent=None)
        .select_related("responsible", "project")
        .order_by("title", "id")
    )


def get_template(user: User, pk: int) -> TaskTemplate:
    template = TaskTemplate.objects.select_related("responsible", "project", "parent").filter(pk=pk).first()
    if template is None or not may_manage(user, template):
        raise NotFound()
    return template


def sub_templates(template: TaskTemplate) -> list[TaskTemplate]:
    return list(template.children.order_by("id"))


def _require(user: User, template: TaskTemplate) -> None:
    if not may_manage(user, template):
        raise NotFound()


# ---- writing templates ----------------------------------------------------------------------------------------


def _people(values, field: str) -> list[int]:
    return sorted({_user(value, field).pk for value in values or []})


def _checklist(groups) -> list[dict]:
    """[{"title": group, "items": [{"title", "responsible"}]}], empty items and groups dropped."""
    cleaned = []
    for group in groups or []:
        items = []
        for item in group.get("items") or []:
            title = str(item.get("title") or "").strip()[:1000]
            if title:
                responsible = item.get("responsible")
                items.append(
                    {"title": title, "responsible": _user(responsible, "checklist").pk if responsible else None}
                )
        if items:
            cleaned.append({"title": str(group.get("title") or "").strip()[:1000], "items": items})
    return cleaned


def _clean(fields: dict[str, Any], *, by: User) -> dict[str, Any]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be set on a template."))
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()[:255]
        if not cleaned["title"]:
            raise Invalid("REQUIRED", "title", _("Say what has to be done."))
    if "description" in cleaned:
        cleaned["description"] = sanitize(cleaned["description"] or "")
    if "responsible" in cleaned:
        cleaned["responsible"] = _user(cleaned["responsible"] or by, "responsible")
    for name in ("accomplices", "auditors"):
        if name in cleaned:
            cleaned[name] = _people(cleaned[name], name)
    if "priority" in cleaned and cleaned["priority"] not in Priority.values:
        raise Invalid("UNKNOWN_PRIORITY", "priority", _("Unknown priority."))
    for name in ("deadline_after", "time_estimate"):
        if name in cleaned and cleaned[name] is not None:
            try:
                cleaned[name] = max(0, int(cleaned[name]))
            except (TypeError, ValueError):
                raise Invalid("NOT_A_NUMBER", name, _("This is a number of seconds.")) from None
    if cleaned.get("deadline_after") == 0:
        cleaned["deadline_after"] = None
    if "time_estimate" in cleaned:
        cleaned["time_estimate"] = cleaned["time_estimate"] or 0
    if "project" in cleaned:
        cleaned["project"] = _project(cleaned["project"], by=by)
    if "tags" in cleaned:
        cleaned["tags"] = sorted({str(tag).strip()[:50] for tag in cleaned["tags"] or [] if str(tag).strip()})
    if "checklist" in cleaned:
        cleaned["checklist"] = _checklist(cleaned["checklist"])
    if "crm_links" in cleaned:
        cleaned["crm_links"] = _crm_codes(cleaned["crm_links"], by=by)
    return cleaned


@transaction.atomic
def create_template(
    *, by: User, title: str, parent: TaskTemplate | None = None, rule=None, **fields: Any
) -> TaskTemplate:
    """A new template (a sub-template when `parent` is given); `rule` makes it recurring."""
    if not access.can(by, "add", Task(created_by=by, responsible=by)):
        raise Forbidden()
    if parent is not None:
        _require(by, parent)
    fields = _clean({"title": title, "responsible": fields.pop("responsible", None) or by, **fields}, by=by)
    template = TaskTemplate(created_by=by, parent=parent, **fields)
    if rule and parent is None:
        _apply_rule(template, rule)
    template.save()
    history.record(template, by=by, action="create", changes={"title": [None, template.title]})
    events.emit("tasks.template.created", template, by=by)
    return template


@transaction.atomic
def update_template(template: TaskTemplate, *, by: User, rule=NOT_GIVEN, **changes: Any) -> TaskTemplate:
    """Change fields; `rule` (a dict, or None to stop repeating) replaces the recurrence when given."""
    template = _locked(template)
    _require(by, template)
    cleaned = _clean(changes, by=by)
    before = history.snapshot(template, cleaned)
    for name, value in cleaned.items():
        setattr(template, name, value)
    diff = history.diff(before, history.snapshot(template, cleaned))
    if rule is not NOT_GIVEN:
        if rule and template.parent_id is not None:
            raise Invalid("SUB_TEMPLATE", "frequency", _("A sub-template repeats with its parent."))
        old_rule = template.rule
        _apply_rule(template, rule)
        if old_rule != template.rule:
            diff["rule"] = [old_rule, template.rule]
    template.save()
    if diff:
        history.record(template, by=by, action="update", changes=diff)
    return template


@transaction.atomic
def set_recurrence(template: TaskTemplate, *, by: User, rule: dict | None) -> TaskTemplate:
    """Validate the rule, store it in its normal form and compute the next run (None stops repeating)."""
    return update_template(template, by=by, rule=rule)


@transaction.atomic
def delete_template(template: TaskTemplate, *, by: User) -> None:
    """Delete a template with its sub-templates; tasks set from it stay."""
    template = _locked(template)
    _require(by, template)
    history.record(template, by=by, action="delete")
    template.delete()


def _locked(template: TaskTemplate) -> TaskTemplate:
    fresh = TaskTemplate.objects.select_for_update().filter(pk=template.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


@transaction.atomic
def save_as_template(task: Task, *, by: User, include_subtasks: bool = True) -> TaskTemplate:
    """A template from a task someone can see: its fields, people, checklists and (recursively) subtasks."""
    if not rights_for(by, task).read:
        raise NotFound()
    if not access.can(by, "add", Task(created_by=by, responsible=by)):
        raise Forbidden()
    template = _copy_task(task, by=by, parent=None, include_subtasks=include_subtasks, seen=set())
    events.emit("tasks.template.created", template, by=by)
    return template


def _copy_task(task: Task, *, by: User, parent: TaskTemplate | None, include_subtasks: bool, seen: set[int]):
    seen.add(task.pk)
    members = TaskMember.objects.filter(task=task)
    deadline_after = None
    if task.deadline is not None:
        deadline_after = max(0, int((task.deadline - task.created_at).total_seconds()) // 60 * 60) or None
    groups = []
    for group in ChecklistItem.objects.filter(task=task, parent=None).prefetch_related("items"):
        items = [{"title": item.title, "responsible": item.responsible_id} for item in group.items.all()]
        groups.append({"title": group.title, "items": items})
    template = TaskTemplate.objects.create(
        title=task.title, description=task.description, created_by=by, responsible_id=task.responsible_id,
        accomplices=sorted(members.filter(role=MemberRole.ACCOMPLICE).values_list("user_id", flat=True)),
        auditors=sorted(members.filter(role=MemberRole.AUDITOR).values_list("user_id", flat=True)),
        priority=task.priority, deadline_after=deadline_after, requires_control=task.requires_control,
        allow_change_deadline=task.allow_change_deadline, time_estimate=task.time_estimate,
        project_id=task.project_id, tags=list(task.tags or []), checklist=_checklist(groups),
        crm_links=sorted(task.crm_links.values_list("code", flat=True)), parent=parent,
    )  # fmt: skip
    history.record(template, by=by, action="create", changes={"title": [None, template.title], "task": [None, task.pk]})
    if include_subtasks:
        for subtask in access.visible(by, Task).filter(parent=task).order_by("id"):
            if subtask.pk not in seen:
                _copy_task(subtask, by=by, parent=template, include_subtasks=True, seen=seen)
    return template


# ---- setting tasks from templates -------------------------------------------------------------------------------


@transaction.atomic
def create_from_template(template: TaskTemplate, *, by: User, scheduled_for: datetime | None = None) -> Task:
    """Set a task from the template (its sub-templates become subtasks); the deadline counts from
    `scheduled_for` (a recurring run) or now."""
    _require(by, template)
    return _create(template, by=by, base=scheduled_for or timezone.now(), parent=None)


def _create(template: TaskTemplate, *, by: User, base: datetime, parent: Task | None) -> Task:
    items = [item for group in template.checklist or [] for item in group.get("items") or []]
    people = [*template.accomplices, *template.auditors, *(item.get("responsible") for item in items)]
    active = set(User.objects.filter(pk__in=[pk for pk in people if pk], is_active=True).values_list("pk", flat=True))
    task = create_task(
        by=by, title=template.title, description=template.description, responsible=template.responsible_id,
        accomplices=[pk for pk in template.accomplices if pk in active],
        auditors=[pk for pk in template.auditors if pk in active],
        priority=template.priority, requires_control=template.requires_control,
        allow_change_deadline=template.allow_change_deadline, time_estimate=template.time_estimate,
        deadline=base + timedelta(seconds=template.deadline_after) if template.deadline_after else None,
        project=template.project, tags=template.tags, crm=template.crm_links, parent=parent,
    )  # fmt: skip
    task.template = template
    task.save(update_fields=["template"])
    for group in template.checklist or []:
        heading = checklists.add_group(task, by=by, title=group.get("title") or "")
        for item in group.get("items") or []:
            responsible = item.get("responsible") if item.get("responsible") in active else None
            checklists.add_item(task, by=by, title=item["title"], group=heading, responsible=responsible)
    for child in template.children.order_by("id"):
        _create(child, by=by, base=base, parent=task)
    return task


# ---- recurrence -------------------------------------------------------------------------------------------------


def _int(rule: dict, name: str, low: int, high: int, message: str) -> int:
    try:
        value = int(rule.get(name))
    except (TypeError, ValueError):
        raise Invalid("REQUIRED", name, message) from None
    if not low <= value <= high:
        raise Invalid("OUT_OF_RANGE", name, message)
    return value


def _date(value, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid("NOT_A_DATE", name, _("This is not a date.")) from None


def _time(value) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    match = TIME.fullmatch(str(value).strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise Invalid("NOT_A_TIME", "time", _("Write the time as HH:MM."))
    return f"{int(match[1]):02}:{match[2]}"


def validate_rule(rule: dict) -> dict:
    """The rule in its normal form, or Invalid at the field that is wrong."""
    frequency = rule.get("frequency")
    if frequency not in FREQUENCIES:
        raise Invalid("UNKNOWN_FREQUENCY", "frequency", _("Choose how often to repeat."))
    clean: dict[str, Any] = {
        "frequency": frequency,
        "interval": _int(rule, "interval", 1, 1000, _("Repeat every 1 or more days, weeks, months or years.")),
    }
    if frequency == "weekly":
        try:
            weekdays = sorted({int(day) for day in rule.get("weekdays") or []})
        except (TypeError, ValueError):
            weekdays = [-1]
        if not weekdays or not all(0 <= day <= 6 for day in weekdays):
            raise Invalid("REQUIRED", "weekdays", _("Choose the days of the week."))
        clean["weekdays"] = weekdays
    if frequency == "yearly":
        clean["month"] = _int(rule, "month", 1, 12, _("Choose a month."))
    if frequency in ("monthly", "yearly"):
        high = DAYS_IN_MONTH[clean["month"] - 1] if frequency == "yearly" else 31
        clean["day"] = _int(rule, "day", 1, high, _("There is no such day in the month."))
    clean["time"] = _time(rule.get("time") or "09:00")
    if not rule.get("start"):
        raise Invalid("REQUIRED", "start", _("Choose the first day."))
    start = _date(rule["start"], "start")
    clean["start"] = start.isoformat()
    clean["until"] = None
    clean["count"] = None
    if rule.get("until") and rule.get("count"):
        raise Invalid("BOTH_ENDS", "count", _("End the series either by a date or after a number of times."))
    if rule.get("until"):
        until = _date(rule["until"], "until")
        if until < start:
            raise Invalid("UNTIL_BEFORE_START", "until", _("The series cannot end before it starts."))
        clean["until"] = until.isoformat()
    elif rule.get("count") not in (None, ""):
        clean["count"] = _int(rule, "count", 1, 10000, _("Repeat 1 or more times."))
    return clean


def time_zone_of(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def recurrence(rule: dict, tz: ZoneInfo) -> rrule.rrule:
    """The rule as an rrule of aware datetimes in `tz` (wall-clock times: DST does not move them)."""
    at = time.fromisoformat(rule["time"])
    start = datetime.combine(date.fromisoformat(rule["start"]), at, tzinfo=tz)
    until = None
    if rule.get("until"):
        until = datetime.combine(date.fromisoformat(rule["until"]), time(23, 59, 59), tzinfo=tz)
    return rrule.rrule(
        FREQUENCIES[rule["frequency"]], dtstart=start, interval=rule["interval"], count=rule.get("count"),
        until=until, byweekday=rule.get("weekdays"), bymonthday=rule.get("day"), bymonth=rule.get("month"),
        byhour=at.hour, byminute=at.minute, bysecond=0,
    )  # fmt: skip


def next_run(template: TaskTemplate, after: datetime, *, inclusive: bool = False) -> datetime | None:
    """The template's next run after `after`, in UTC; None when the series is over or there is no rule."""
    if not template.rule:
        return None
    found = recurrence(template.rule, time_zone_of(template.created_by)).after(after, inc=inclusive)
    return found.astimezone(ZoneInfo("UTC")) if found else None


def upcoming(template: TaskTemplate, limit: int = 5) -> list[datetime]:
    """The next few runs from `next_run_at`, for showing."""
    runs: list[datetime] = []
    current = template.next_run_at
    while current is not None and len(runs) < limit:
        runs.append(current)
        current = next_run(template, current)
    return runs


def _apply_rule(template: TaskTemplate, rule: dict | None) -> None:
    """Set the rule and the first run at or after now (runs before the rule was set are not created)."""
    if not rule:
        template.rule = None
        template.next_run_at = None
        return
    template.rule = validate_rule(rule)
    template.next_run_at = next_run(template, timezone.now(), inclusive=True)
    template.active = template.next_run_at is not None


def run_due_templates(now: datetime | None = None) -> int:
    """Set the tasks of every recurring template that is due; returns how many were set."""
    now = now or timezone.now()
    due = list(
        TaskTemplate.objects.filter(active=True, parent=None, next_run_at__lte=now)
        .order_by("next_run_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    created = 0
    for pk in due:
        for _run in range(CATCH_UP):
            try:
                done = _run_once(pk, now)
            except Exception:  # one broken template must not stop the others
                logger.exception("recurring template %s failed", pk)
                break
            if done is None:
                break
            created += done
    return created


@transaction.atomic
def _run_once(pk: int, now: datetime) -> int | None:
    """Create the template's due run, if it is still due; None when there is nothing (more) to do here."""
    candidates = TaskTemplate.objects.select_related("created_by").filter(pk=pk, active=True, next_run_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    template = candidates.first()
    if template is None:  # another worker holds it, or it is no longer due
        return None
    scheduled = template.next_run_at
    following = next_run(template, scheduled)
    try:
        with transaction.atomic():
            occurrence = Occurrence.objects.create(template=template, scheduled_for=scheduled)
    except IntegrityError:  # another worker created this run already
        occurrence = None
    made = 0
    if occurrence is not None:
        occurrence.task = _create_run(template, scheduled)
        occurrence.save(update_fields=["task"])
        made = int(occurrence.task is not None)
    # Advance only from the run just handled: a stale worker cannot move the series back or count twice.
    TaskTemplate.objects.filter(pk=pk, next_run_at=scheduled).update(
        next_run_at=following, active=following is not None, occurrences=F("occurrences") + made
    )
    return made


def _create_run(template: TaskTemplate, scheduled: datetime) -> Task | None:
    """The run's task, set by the template's creator; a run that cannot be set (the creator left, the
    responsible or the project is gone) is logged and skipped rather than retried every minute."""
    try:
        with transaction.atomic():
            return _create(template, by=template.created_by, base=scheduled, parent=None)
    except KontoraError as error:
        logger.warning("recurring template %s could not set its task for %s: %s", template.pk, scheduled, error)
        return None
