"""Start the web server (granian) for this mode; granian itself serves the collected static files."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def granian_command(interface: str, host: str, port: int, workers: int = 1) -> list[str]:
    target = "kontora.asgi:application" if interface == "asgi" else "kontora.wsgi:application"
    interface = "asginl" if interface == "asgi" else interface  # Channels does not speak ASGI lifespan
    static_route = "/" + settings.STATIC_URL.strip("/")
    return [
        sys.executable, "-m", "granian",
        "--interface", interface,
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--no-ws" if interface == "wsgi" else "--ws",
        "--static-path-route", static_route,
        "--static-path-mount", str(settings.STATIC_ROOT),
        target,
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Serve pages and the WebSocket with granian (ASGI), or pages only (--interface wsgi)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--interface", choices=["asgi", "wsgi"], default="asgi")
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host: str, port: int, interface: str, workers: int, **options) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        command = granian_command(interface, host, port, workers)
        os.execv(command[0], command)
