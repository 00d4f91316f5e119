"""Durable work: claimed by one worker only, leased, swept when overdue, never done twice."""

from datetime import timedelta

from django.utils import timezone

from kontora.core import durable
from kontora.events import notifications
from kontora.events.models import NotificationEmail


def make_row(org, **fields) -> NotificationEmail:
    notification = notifications.notify(org.sales_rep, "hello", email=False)
    return NotificationEmail.objects.create(notification=notification, **fields)


def test_only_one_claim_wins(org):
    row = make_row(org)

    assert NotificationEmail.claim(row.pk) is not None
    assert NotificationEmail.claim(row.pk) is None


def test_expired_lease_can_be_claimed_again(org):
    row = make_row(org, status="running", lease_until=timezone.now() - timedelta(seconds=1))

    assert NotificationEmail.claim(row.pk) is not None


def test_done_work_is_never_claimed(org):
    row = make_row(org, status="done")

    assert NotificationEmail.claim(row.pk) is None


def test_future_work_is_not_claimed_early(org):
    row = make_row(org, due_at=timezone.now() + timedelta(hours=1))

    assert NotificationEmail.claim(row.pk) is None


def test_sweep_reenqueues_overdue_and_abandoned_work_only(org, mailoutbox, django_capture_on_commit_callbacks):
    fresh = make_row(org)
    overdue = make_row(org, due_at=timezone.now() - timedelta(minutes=5))
    abandoned = make_row(org, status="running", lease_until=timezone.now() - timedelta(seconds=5))
    held = make_row(org, status="running", lease_until=timezone.now() + timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert durable.sweep() == 2  # jobs run inline in this test process

    states = dict(NotificationEmail.objects.values_list("pk", "status"))
    assert states[overdue.pk] == states[abandoned.pk] == "done"
    assert states[fresh.pk] == "pending"  # its own job is still on the way
    assert states[held.pk] == "running"
    assert len(mailoutbox) == 2


def test_sweep_does_not_flood_a_backed_up_queue(org, django_capture_on_commit_callbacks):
    make_row(org, due_at=timezone.now() - timedelta(minutes=5))
    durable_job = durable.registry.items("durable_work")["events.NotificationEmail"]
    durable.registry.register("durable_work", "events.NotificationEmail", (NotificationEmail, NeverRuns))
    try:
        first, second = durable.sweep(), durable.sweep()
    finally:
        durable.registry.register("durable_work", "events.NotificationEmail", durable_job)

    assert (first, second) == (1, 0)


def test_finish_needs_the_current_lease(org):
    row = make_row(org)
    stale = NotificationEmail.claim(row.pk)
    NotificationEmail.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    current = NotificationEmail.claim(row.pk)

    assert NotificationEmail.finish(row.pk, stale) is False
    assert NotificationEmail.finish(row.pk, current) is True


class NeverRuns:
    """A queue so backed up that nothing it is given runs during the test."""

    @staticmethod
    def enqueue(pk: int) -> None:
        pass
