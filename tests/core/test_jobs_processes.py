"""Background jobs in real worker processes, in both modes: run elsewhere, survive restarts and SIGKILL."""

import signal
import time

import pytest

from kontora.events.models import NotificationEmail
from tests import factories
from tests.support.processes import (
    Process,
    forget_redis_queue,
    process_env,
    redis_available,
    run_command,
    wait_for,
)

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

MODES = [
    "embedded",
    pytest.param(
        "distributed",
        marks=pytest.mark.skipif(not redis_available(), reason="Redis is not reachable at 127.0.0.1:6379"),
    ),
]


@pytest.fixture(params=MODES)
def mode(request) -> str:
    return request.param


@pytest.fixture
def processes(mode, tmp_path):
    """Start workers and run commands in `mode`; everything started is stopped afterwards."""
    started: list[Process] = []
    envs: list[dict] = []

    class Launcher:
        def env(self, **extra: str) -> dict[str, str]:
            env = process_env(mode, tmp_path, **extra)
            if envs:  # every process of one test shares one queue
                env = {
                    **env,
                    **{key: envs[0][key] for key in ("KONTORA_HUEY_NAME", "KONTORA_HUEY_PATH") if key in envs[0]},
                }
            envs.append(env)
            return env

        def worker(self, **extra: str) -> Process:
            process = Process(["worker"], self.env(**extra), tmp_path / f"worker{len(started)}.log")
            started.append(process)
            return process

        def run(self, code: str, **extra: str) -> str:
            return run_command(self.env(**extra), code)

    yield Launcher()
    for process in started:
        process.stop()
    if envs:
        forget_redis_queue(envs[0])


def trace_lines(path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def test_job_runs_in_a_separate_worker_process(processes, tmp_path):
    trace = tmp_path / "trace.txt"
    worker = processes.worker()

    producer_pid = processes.run(
        "import os\nfrom tests.support.jobs import record_run\n"
        f"record_run.enqueue({str(trace)!r}, 'now')\nprint(os.getpid())"
    ).strip()

    lines = wait_for(lambda: trace_lines(trace), what="the job to run\n" + worker.output())
    assert lines == [["now", str(worker.pid)]]
    assert str(worker.pid) != producer_pid


def test_delayed_job_survives_a_worker_restart(processes, tmp_path):
    trace = tmp_path / "trace.txt"
    first = processes.worker()
    processes.run(
        "from datetime import timedelta\nfrom django.utils import timezone\n"
        "from tests.support.jobs import record_run\n"
        f"record_run.using(run_after=timezone.now() + timedelta(seconds=5)).enqueue({str(trace)!r}, 'later')"
    )
    time.sleep(2)  # the first worker has seen the job and holds it in the schedule
    first.kill(signal.SIGTERM)
    assert trace_lines(trace) == []

    second = processes.worker()

    lines = wait_for(lambda: trace_lines(trace), timeout=30, what="the delayed job\n" + second.output())
    time.sleep(2)
    assert trace_lines(trace) == lines == [["later", str(second.pid)]]


def test_sigkilled_worker_leaves_work_the_sweeper_completes_exactly_once(processes, tmp_path):
    factories.make_user("anna", email="anna@example.test")
    mail_dir = tmp_path / "mail"
    mail = {
        "KONTORA_EMAIL_BACKEND": "tests.support.mail.SlowFileBackend",
        "KONTORA_EMAIL_FILE_PATH": str(mail_dir),
        "KONTORA_JOB_LEASE_SECONDS": "3",
    }
    doomed = processes.worker(KONTORA_TEST_MAIL_DELAY="30", **mail)
    processes.run(
        "from kontora.accounts.models import User\nfrom kontora.events.notifications import notify\n"
        "notify(User.objects.get(username='anna'), 'Contract signed', link='/')",
        **mail,
    )
    wait_for(
        lambda: NotificationEmail.objects.filter(status="running").exists(),
        what="the worker to start sending\n" + doomed.output(),
    )

    doomed.kill(signal.SIGKILL)  # in the middle of sending

    assert not list(mail_dir.glob("*")) if mail_dir.exists() else True
    row = NotificationEmail.objects.get()
    assert row.status == "running"
    survivor = processes.worker(KONTORA_TEST_MAIL_DELAY="0", **mail)
    time.sleep(3.5)  # the dead worker's lease runs out
    assert processes.run("from kontora.core import durable\nprint(durable.sweep())", **mail).strip() == "1"
    wait_for(
        lambda: NotificationEmail.objects.filter(status="done").exists(),
        what="the sweeper's job to finish\n" + survivor.output(),
    )
    assert processes.run("from kontora.core import durable\nprint(durable.sweep())", **mail).strip() == "0"
    time.sleep(1)
    assert len(list(mail_dir.glob("*.log"))) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("done", 2)
