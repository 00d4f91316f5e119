"""`kontora demo`: create the demo company and print its logins once."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kontora.core import demo


class Command(BaseCommand):
    help = "Create a believable demo company (departments, employees, roles) and print the logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", help="one password for every demo user (default: a random one each)")

    def handle(self, *args, password: str | None, **options) -> None:
        if not demo.is_empty():
            raise CommandError("The database already has users; the demo company is only created in an empty one.")
        logins = demo.build(password)
        width = max(len(login) for login, _, _ in logins)
        text = "\n".join(f"  {login:<{width}}  {secret}  {about}" for login, secret, about in logins) + "\n"
        target = settings.VAR_DIR / "demo-logins.txt"
        target.write_text(text)
        target.chmod(0o600)
        print(f"Demo company created. Logins (login, password, who):\n{text}")
