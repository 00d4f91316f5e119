"""Start Kontora's real processes (worker, web server, one-off commands) against the test database."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("KONTORA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def process_env(mode: str, workdir: Path, **extra: str) -> dict[str, str]:
    """Environment for a child process of `mode` ("embedded" or "distributed") sharing the test database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings", KONTORA_JOBS_IMMEDIATE="0", PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT)
    )
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        env["KONTORA_SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{auth}@{host}/{db['NAME']}"
    if mode == "distributed":
        env["REDIS_URL"] = REDIS_URL
        env["KONTORA_HUEY_NAME"] = f"kontora-test-{uuid.uuid4().hex[:8]}"
    else:
        env.pop("REDIS_URL", None)
        env["KONTORA_HUEY_PATH"] = str(workdir / "huey.sqlite3")
    env.update(extra)
    return env


class Process:
    """A Kontora child process in its own session, so that a kill reaches it and only it."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = open(log, "ab")  # noqa: SIM115  closed in stop()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "kontora", *args],
            env=env,
            cwd=ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=20)

    def stop(self) -> None:
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
        self._log_file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def run_command(env: dict[str, str], code: str) -> str:
    """Run Python in a separate Kontora process (as the web process would) and return what it printed."""
    command = [sys.executable, "-m", "kontora", "shell", "--no-imports", "-c", code]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_for(condition: Callable[[], object], timeout: float = 30, interval: float = 0.2, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def forget_redis_queue(env: dict[str, str]) -> None:
    import redis

    if "KONTORA_HUEY_NAME" not in env:
        return
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"*{env['KONTORA_HUEY_NAME']}*"))
    if keys:
        client.delete(*keys)
