"""Demo processes: the built-in templates installed, a vacation request and an invoice approval under way."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kontora.accounts.models import User
from kontora.automation.processes import builtin, services
from kontora.automation.processes.models import ProcessTemplate
from kontora.crm.models import Deal


def build(password: str | None) -> list[tuple[str, str, str]]:
    people = {user.username: user for user in User.objects.filter(is_active=True)}
    admin = people.get("sergey")
    if admin is None:
        return []
    builtin.install(by=admin, accountant="pavel" if "pavel" in people else "", hr="maria" if "maria" in people else "")
    anna = people.get("anna")
    if anna is None:
        return []
    from kontora.lists import builtin as lists_builtin
    from kontora.lists import services as lists

    vacations = lists_builtin.ensure_builtin_lists()[lists_builtin.VACATION]
    today = timezone.localdate()
    lists.add_element(
        vacations, by=anna, name="Отпуск в декабре",
        values={"start": today + timedelta(days=21), "end": today + timedelta(days=34), "kind": _first_kind(vacations),
                "comment": "Дела передам Екатерине"},
    )  # fmt: skip  the template starts on creation: Oleg finds the request in his approvals
    deal = Deal.objects.filter(responsible=anna, amount__gt=Decimal("500000"), closed=False).order_by("-id").first()
    if deal is not None:
        services.start(ProcessTemplate.objects.get(code="invoice_approval"), deal, by=anna)
    return []


def _first_kind(vacations) -> str:
    field = vacations.fields.filter(code="kind").first()
    return str(field.options[0]) if field is not None and field.options else ""
