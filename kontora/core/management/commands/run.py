"""`kontora run`: migrate, create the demo company on first start, start web and worker, print how to log in."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError, connection

from kontora.core import demo, env
from kontora.core.management.commands.serve import granian_command


def ensure_database() -> None:
    """Create the PostgreSQL database on first start, as SQLite creates its file."""
    try:
        connection.ensure_connection()
    except OperationalError as error:
        if connection.vendor != "postgresql" or "does not exist" not in str(error):
            raise
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{connection.settings_dict["NAME"]}"')


class Command(BaseCommand):
    help = "Set up and start Kontora: web server and background worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=env.text("KONTORA_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(env.number("KONTORA_PORT", 8000)))
        parser.add_argument("--no-demo", action="store_true", help="do not create the demo company")

    def handle(self, *args, host: str, port: int, no_demo: bool, **options) -> None:
        ensure_database()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo and demo.is_empty():
            call_command("demo")
        commands = [[sys.executable, "-m", "kontora", "worker"]]
        child_env = dict(os.environ)
        if env.is_distributed():
            ws_port = int(env.number("KONTORA_WS_PORT", port + 1))
            # Without a proxy in front, pages tell browsers to open the WebSocket on the ASGI process's port.
            child_env.setdefault("KONTORA_WS_URL", f"ws://{host}:{ws_port}/ws/")
            commands.append(granian_command("wsgi", host, port, int(env.number("KONTORA_WEB_WORKERS", 2))))
            commands.append(granian_command("asgi", host, ws_port))
        else:
            commands.append(granian_command("asgi", host, port))
        children = [subprocess.Popen(command, env=child_env) for command in commands]
        self.announce(host, port)
        self.supervise(children)

    def announce(self, host: str, port: int) -> None:
        mode = "distributed" if env.is_distributed() else "embedded"
        print(f"\nKontora ({mode} mode) is running at http://{host}:{port}/", flush=True)
        logins = settings.VAR_DIR / "demo-logins.txt"
        if logins.exists():
            print(f"Demo logins (also in {logins}):\n{logins.read_text()}", flush=True)
        print("Stop with Ctrl+C.\n", flush=True)

    def supervise(self, children: list[subprocess.Popen]) -> None:
        def stop(*_args) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            sys.exit(0)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A Kontora process exited; stopping the others.", file=sys.stderr, flush=True)
        stop()
