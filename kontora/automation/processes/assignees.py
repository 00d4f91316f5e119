"""Who does a user task: the rule read from the diagram resolved against the org structure and the document."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task

from kontora.accounts.models import User
from kontora.automation.processes import documents
from kontora.automation.processes.models import Approval, ProcessInstance, ProcessStep
from kontora.events import notifications


def head_of(user: User | None) -> User | None:
    """The head of the user's department, or of the nearest department above that has another head."""
    department = getattr(user, "department", None)
    while department is not None:
        if department.head_id and department.head_id != user.pk and department.head.is_active:
            return department.head
        department = department.parent
    return None


def resolve(rule: str, instance: ProcessInstance) -> list[User]:
    """The active people a rule names; the process starter when the rule names nobody (no head, say)."""
    starter = instance.started_by
    people: list[User | None]
    if rule == "starter":
        people = [starter]
    elif rule == "responsible":
        document = documents.load(instance.document_type, instance.document_id)
        people = [documents.responsible(document) if document is not None else None]
    elif rule == "head":
        people = [head_of(starter)]
    elif rule == "head_of_head":
        people = [head_of(head_of(starter) or starter)]
    else:
        logins = [item.strip() for item in rule.split(":", 1)[1].split(",") if item.strip()]
        found = User.objects.filter(username__in=logins, is_active=True)
        ids = [int(item) for item in logins if item.isdigit()]
        people = list(found) + list(User.objects.filter(pk__in=ids, is_active=True))
    unique = {person.pk: person for person in people if person is not None and person.is_active}
    return list(unique.values()) or ([starter] if starter is not None else [])


def assign(instance: ProcessInstance, task: Task) -> list[Approval]:
    """Mirror one ready user task into an approval row per assignee, and tell each of them."""
    from kontora.automation.processes import engine
    spec = task.task_spec
    config = instance.elements.get(spec.bpmn_id) or {
        "name": spec.bpmn_name or spec.bpmn_id, "kind": "approve", "assignee": "head", "voting": "any",
        "deadline": "", "fields": [], "description": "",
    }  # fmt: skip
    people = resolve(config["assignee"], instance)
    deadline = _deadline(config.get("deadline", ""))
    rows = [
        Approval.objects.create(
            instance=instance,
            task_id=str(task.id),
            element=spec.bpmn_id,
            title=config["name"][:255],
            description=config.get("description", ""),
            kind=config["kind"],
            voting=config.get("voting", "any"),
            fields=config.get("fields", []),
            assignee=person,
            deadline=deadline,
        )  # fmt: skip
        for person in people
    ]
    names = ", ".join(person.get_full_name() or person.username for person in people)
    ProcessStep.objects.create(
        instance=instance, kind=ProcessStep.Kind.ASSIGNED, element=spec.bpmn_id, title=config["name"][:255],
        text=names,
    )  # fmt: skip
    engine.approvals_changed(instance, [person.pk for person in people])
    for row in rows:
        notifications.notify(
            row.assignee,
            gettext("%(process)s: “%(task)s” is waiting for you") % {"process": instance.name, "task": row.title},
            link=f"/automation/processes/approvals/{row.pk}/",
            by=instance.started_by,
        )
    return rows


def _deadline(duration: str):
    if not duration:
        return None
    try:
        parsed = TimerEventDefinition.parse_iso_duration(duration)
        return timezone.now() + TimerEventDefinition.get_timedelta_from_start(parsed)
    except Exception:  # a bad deadline was refused when the diagram was saved; an odd one is just ignored
        return timezone.now() + timedelta(days=1)
