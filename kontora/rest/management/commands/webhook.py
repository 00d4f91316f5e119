"""`kontora webhook create --user LOGIN --scopes crm,task,user,department`: print a new inbound webhook's URL."""

from django.core.management.base import BaseCommand, CommandError

from kontora.accounts.models import User
from kontora.core.errors import KontoraError
from kontora.rest import services


class Command(BaseCommand):
    help = "Create an inbound REST webhook for a user and print its URL (the code is shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--user", required=True, help="the login the calls run as")
        parser.add_argument("--scopes", required=True, help="comma-separated: crm,task,user,department,…")
        parser.add_argument("--title", default="", help="a name to tell the webhook apart")

    def handle(self, *args, action: str, user: str, scopes: str, title: str, **options) -> None:
        person = User.objects.filter(username=user, is_active=True).first()
        if person is None:
            raise CommandError(f"No active user with the login {user!r}.")
        try:
            webhook, code = services.create_webhook(person, by=person, scopes=scopes.split(","), title=title)
        except KontoraError as error:
            raise CommandError(error.message) from None
        self.stdout.write(services.webhook_url(person.pk, code))
