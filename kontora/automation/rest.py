"""Automation REST methods: crm.automation.trigger fires a webhook trigger on a deal or a lead."""

from kontora.automation import records, triggers
from kontora.core.errors import NotFound
from kontora.crm.cards import can
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, method

TARGETS = {"DEAL": "deal", "LEAD": "lead"}


@method(
    "crm.automation.trigger", "crm",
    params={"target": "the record: DEAL_123 or LEAD_5", "code": "the code shown in the webhook trigger's settings"},
)  # fmt: skip
def automation_trigger(call: Call) -> bool:
    """Fire the webhook trigger with this code on a deal or lead the caller may change: the record moves to the
    trigger's stage when that stage is ahead of its own (triggers never move a record back)."""
    kind, _sep, pk = str(call.params.get("target") or "").strip().upper().partition("_")
    code = str(call.params.get("code") or "").strip()
    if kind not in TARGETS or not pk.isdigit():
        raise RestError("", "target: expected DEAL_<id> or LEAD_<id>.")
    if not code:
        raise RestError("", "code: the trigger's code is required.")
    record = records.load(TARGETS[kind], int(pk))
    if record is None or not can(call.user, "update", record):
        raise NotFound()
    triggers.fire_webhook(record, code)
    return True
