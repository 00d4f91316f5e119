"""Process templates (BPMN 2.0 diagrams), their running instances, each instance's history and the approvals it asks.

An instance is a row holding SpiffWorkflow's serialized workflow (which carries its own copy of the diagram, so editing
a template never changes a running instance), its status and the next timer's time; it is locked while it steps
(DESIGN §13). Ready user tasks are mirrored into `Approval` rows, which inboxes, counters and permissions read.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kontora.core.models import DurableWork, TimeStamped


class DocumentType(models.TextChoices):
    """What a process runs on: a CRM record or an element of a universal list (`list:<code>`)."""

    DEAL = "deal", _("Deal")
    LEAD = "lead", _("Lead")
    CONTACT = "contact", _("Contact")
    COMPANY = "company", _("Company")
    LIST = "list", _("Universal list element")


class ProcessTemplate(TimeStamped):
    """A BPMN diagram bound to a document type, with how it starts and which parameters it asks at start.

    `elements` is what Kontora read from the diagram beside the engine: per user task its kind, assignee rule,
    voting, deadline and fields (see `processes.elements`). `parameters`: [{"code", "name", "type", "required"}].
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    document_type = models.CharField(_("document type"), max_length=16, choices=DocumentType)
    list_code = models.CharField(_("list"), max_length=64, blank=True)
    bpmn = models.TextField(_("BPMN diagram"))
    process_id = models.CharField(_("process id"), max_length=255)
    elements = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(_("start parameters"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    start_manually = models.BooleanField(_("start manually"), default=True)
    start_on_create = models.BooleanField(_("start on creation"), default=False)
    start_on_change = models.BooleanField(_("start on change"), default=False)
    start_condition = models.JSONField(_("start condition"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["document_type", "list_code"])]
        verbose_name = _("process template")
        verbose_name_plural = _("process templates")

    def __str__(self) -> str:
        return self.name


class ProcessInstance(TimeStamped):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")
        FAILED = "failed", _("Failed")

    template = models.ForeignKey(ProcessTemplate, on_delete=models.PROTECT, related_name="instances")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    document_type = models.CharField(max_length=16, choices=DocumentType)
    document_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=16, choices=Status, default=Status.RUNNING)
    state = models.TextField(blank=True)
    elements = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    current = models.JSONField(default=list, blank=True)  # bpmn ids of the elements it waits at now
    next_timer_at = models.DateTimeField(null=True, blank=True)
    steps = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["document_type", "document_id"]),
            models.Index(fields=["status", "next_timer_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class ProcessStep(models.Model):
    """One line of an instance's history: what happened at which element, by whom, with which comment."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        TASK = "task", _("Step done")
        SERVICE = "service", _("Action")
        ASSIGNED = "assigned", _("Assigned")
        DECIDED = "decided", _("Decided")
        TIMER = "timer", _("Timer")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")
        FAILED = "failed", _("Failed")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=16, choices=Kind)
    element = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.title}"


class Approval(models.Model):
    """A ready user task as one person's to-do: approve/reject, acknowledge, or fill in fields.

    A task given to a group has one row per member sharing `task_id`; `voting` says when the group has decided.
    """

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approve or reject")
        ACKNOWLEDGE = "acknowledge", _("Acknowledge")
        FILL = "fill", _("Fill in fields")

    class Voting(models.TextChoices):
        ANY = "any", _("Any one of them")
        ALL = "all", _("All of them")
        MAJORITY = "majority", _("The majority")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("No longer needed")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="approvals")
    task_id = models.CharField(max_length=36)
    element = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.APPROVE)
    voting = models.CharField(max_length=16, choices=Voting, default=Voting.ANY)
    fields = models.JSONField(default=list, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approvals")
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    comment = models.TextField(blank=True)
    values = models.JSONField(default=dict, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["assignee", "status"]), models.Index(fields=["task_id"])]
        constraints = [
            models.UniqueConstraint(fields=["task_id", "assignee"], name="processes_approval_once_per_person")
        ]

    def __str__(self) -> str:
        return self.title


class ProcessWake(DurableWork):
    """ "Step this instance at or after `due_at`": at start, after a decision, at its next timer. The truth for
    resuming after a killed worker — the step in flight was rolled back with its effects, the row is re-run."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="wakes")

    class Meta(DurableWork.Meta):
        pass
