"""Start the background worker: Huey's consumer with every app's jobs and the periodic sweeper."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background job worker (Huey consumer)."

    def handle(self, *args, **options) -> None:
        call_command("run_huey")
