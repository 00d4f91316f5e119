"""`kontora config export DIR` and `kontora config apply DIR [--yes] [--dry-run] [--as LOGIN]`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kontora.configuration import apply, diff, export
from kontora.configuration.sections import ConfigErrors


class Command(BaseCommand):
    help = "Export the configuration (pipelines, dictionaries, fields, roles, robots…) to a folder, or apply one."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        out = actions.add_parser("export", help="write the configuration into DIR as YAML (and BPMN) files")
        out.add_argument("directory")
        into = actions.add_parser("apply", help="show what DIR would change here, then change it in one transaction")
        into.add_argument("directory")
        into.add_argument("--yes", action="store_true", help="apply without asking")
        into.add_argument("--dry-run", action="store_true", help="only show the difference")
        into.add_argument("--as", dest="login", help="the administrator the changes are recorded as")

    def handle(self, *args, action: str, directory: str, **options) -> None:
        if action == "export":
            names = export.export(directory)
            self.stdout.write(f"Exported {len(names)} files to {directory}.")
            return
        by = self._actor(options.get("login"))
        try:
            bundle = apply.load(directory)
            changes = apply.plan(bundle, by=by)
            self.stdout.write(diff.render(changes), ending="")
            if not changes or options["dry_run"]:
                return
            if not options["yes"] and input("Apply these changes? [y/N] ").strip().lower() not in ("y", "yes"):
                self.stdout.write("Nothing was changed.")
                return
            apply.apply(bundle, by=by)
        except ConfigErrors as errors:
            for error in errors.errors:
                self.stderr.write(str(error))
            raise CommandError("Nothing was changed.") from errors
        self.stdout.write("Applied.")

    def _actor(self, login: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if login:
            user = users.filter(username=login).first()
            if user is None:
                raise CommandError(f"There is no active user {login!r}.")
            return user
        user = (
            users.filter(is_superuser=True).order_by("pk").first()
            or users.filter(roles__preset="administrator").order_by("pk").first()
        )
        if user is None:
            raise CommandError("There is no administrator to apply the changes as; name one with --as.")
        return user
