"""Robot runs in real worker processes: a delayed run survives a killed worker, a run killed mid-way is done once."""

import signal
import time

import pytest

from kontora.automation import services
from kontora.automation.models import RobotRun
from kontora.core.models import WorkStatus
from kontora.crm.choices import ActivityType, EntityType
from kontora.crm.models import Activity, Category, Comment
from kontora.crm.services.fields import create_field
from kontora.events.history import for_object
from tests.factories import make_contact, make_deal
from tests.support.processes import Process, forget_redis_queue, process_env, redis_available, run_command, wait_for

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

MODES = [
    "embedded",
    pytest.param(
        "distributed",
        marks=pytest.mark.skipif(not redis_available(), reason="Redis is not reachable at 127.0.0.1:6379"),
    ),
]


@pytest.fixture(params=MODES)
def processes(request, tmp_path):
    """Workers and one-off commands in one mode sharing one queue; everything started is stopped afterwards."""
    started: list[Process] = []
    base = process_env(request.param, tmp_path)

    class Launcher:
        def env(self, **extra: str) -> dict[str, str]:
            return {**base, **extra}

        def worker(self, **extra: str) -> Process:
            process = Process(["worker"], self.env(**extra), tmp_path / f"worker{len(started)}.log")
            started.append(process)
            return process

        def run(self, code: str, **extra: str) -> str:
            return run_command(self.env(**extra), code)

    yield Launcher()
    for process in started:
        process.stop()
    forget_redis_queue(base)


def _robot(org, action, params, **fields):
    return services.add_robot(
        by=org.admin, entity="deal", category=Category.objects.get(pk=0), stage="PREPARATION", title=action,
        action=action, params=params, **fields,
    )  # fmt: skip


def _move_later(deal_id: int, user_id: int, extra: str = "") -> str:
    """Python for a separate process (as the web process would be): move the deal to PREPARATION."""
    return (
        "from datetime import timedelta\nfrom django.utils import timezone\n"
        "from kontora.accounts.models import User\nfrom kontora.crm import services\n"
        "from kontora.crm.models import Deal, Status\n"
        f"deal = Deal.objects.get(pk={deal_id})\nuser = User.objects.get(pk={user_id})\n{extra}"
        "services.move_deal(deal, Status.objects.get(entity_id='DEAL_STAGE', status_id='PREPARATION'), by=user)\n"
    )


def _robot_rows(deal) -> list[dict]:
    return [change.changes for change in for_object(deal) if change.action == "robot"]


def test_a_delayed_robot_runs_after_its_delay_and_survives_a_killed_worker(org, processes):
    field = create_field(by=org.admin, entity_type=EntityType.DEAL, kind="datetime", label_ru="Перезвонить")
    _robot(org, "add_comment", {"text": "Перезвонить {{TITLE}}"}, delay={"mode": "at_field", "field": field.code})
    deal = make_deal("Отложенная", by=org.sales_rep)
    first = processes.worker()
    processes.run(
        _move_later(
            deal.pk, org.sales_rep.pk,
            f"services.update_deal(deal, by=user, custom={{'{field.code}': (timezone.now() + timedelta(seconds=20))"
            ".isoformat()})\n",
        )
    )  # fmt: skip
    run = wait_for(lambda: RobotRun.objects.first(), what="the run to be scheduled\n" + first.output())
    assert run.status == WorkStatus.PENDING
    time.sleep(2)  # the first worker has taken the delayed job into its schedule

    first.kill(signal.SIGKILL)

    run.refresh_from_db()
    assert run.status == WorkStatus.PENDING and not Comment.objects.exists()
    second = processes.worker()
    wait_for(lambda: Comment.objects.exists(), timeout=150, what="the delayed robot\n" + second.output())
    time.sleep(2)
    comment = Comment.objects.get()
    run.refresh_from_db()
    assert comment.text == "Перезвонить Отложенная" and comment.created_at >= run.due_at
    assert (run.status, run.attempts) == (WorkStatus.DONE, 1)
    assert [row["robot"][1] for row in _robot_rows(deal)] == ["add_comment"]


def test_a_run_killed_in_the_middle_is_done_exactly_once(org, processes, tmp_path):
    contact = make_contact("Клиентов", by=org.sales_rep, emails=[("client@example.test", "WORK")])
    _robot(org, "send_email", {"subject": "Счёт по {{TITLE}}", "body": "Добрый день"})
    _robot(org, "add_comment", {"text": "Письмо ушло"}, after_previous=True, sort=200)
    deal = make_deal("Счёт", by=org.sales_rep, contacts=[contact])
    mail_dir = tmp_path / "mail"
    mail = {
        "KONTORA_EMAIL_BACKEND": "tests.support.mail.SlowFileBackend",
        "KONTORA_EMAIL_FILE_PATH": str(mail_dir),
        "KONTORA_JOB_LEASE_SECONDS": "3",
    }
    doomed = processes.worker(KONTORA_TEST_MAIL_DELAY="30", **mail)
    processes.run(_move_later(deal.pk, org.sales_rep.pk), **mail)
    wait_for(
        lambda: RobotRun.objects.filter(status=WorkStatus.RUNNING).exists(),
        what="the worker to start the robot\n" + doomed.output(),
    )

    doomed.kill(signal.SIGKILL)  # while it is sending

    assert not Activity.objects.exists() and not Comment.objects.exists()
    assert not list(mail_dir.glob("*")) if mail_dir.exists() else True
    survivor = processes.worker(KONTORA_TEST_MAIL_DELAY="0", **mail)
    time.sleep(3.5)  # the dead worker's lease runs out
    swept = processes.run("from kontora.core import durable\nprint(durable.sweep())", **mail).strip()
    assert swept in {"0", "1"}  # 0 when the survivor's own minutely sweeper got there first
    wait_for(lambda: Comment.objects.exists(), what="the chain to finish\n" + survivor.output())
    assert processes.run("from kontora.core import durable\nprint(durable.sweep())", **mail).strip() == "0"
    time.sleep(1)

    assert len(list(mail_dir.glob("*.log"))) == 1
    email = Activity.objects.get()
    assert (email.type_id, email.owner_id, email.completed) == (ActivityType.EMAIL, deal.pk, True)
    first, second = RobotRun.objects.order_by("id")
    assert (first.status, first.attempts) == (WorkStatus.DONE, 2)
    assert (second.status, second.attempts) == (WorkStatus.DONE, 1)
    assert list(Comment.objects.values_list("text", flat=True)) == ["Письмо ушло"]
    assert sorted(row["robot"][1] for row in _robot_rows(deal)) == ["add_comment", "send_email"]
