"""What the actions share: how a result may hold a chain, and reading their parameters."""

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext

from kontora.accounts.models import User
from kontora.core.errors import Invalid
from kontora.crm.models import CrmRecord

UNITS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}


class Outcome(str):
    """A result text that also asks the robot's chain to wait: `hold` = {"task": id} and/or {"fields": [names]}.

    It is a plain `str` to every caller that does not care (process service tasks read it as text)."""

    hold: dict

    def __new__(cls, text: str, hold: dict | None = None) -> "Outcome":
        value = super().__new__(cls, text)
        value.hold = hold or {}
        return value


def span(params: dict, prefix: str) -> timedelta | None:
    amount = params.get(f"{prefix}_amount")
    if amount in (None, ""):
        return None
    return UNITS.get(str(params.get(f"{prefix}_unit") or "days"), UNITS["days"]) * int(amount)


def person(value: Any, record: CrmRecord) -> User:
    """The record's responsible for "responsible" or nothing; otherwise the active user with this id."""
    if value in (None, "", "responsible"):
        return record.responsible
    user = User.objects.filter(pk=int(value), is_active=True).first() if str(value).isdigit() else None
    if user is None:
        raise Invalid("UNKNOWN_USER", "responsible", gettext("There is no such active employee."))
    return user


def lines(value: Any) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    return [str(item).strip() for item in items if str(item).strip()]


def flag(value: Any, default: bool = False) -> bool:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"y", "1", "true", "yes", "on"}


def crm_services():
    from kontora.crm import services

    return services
