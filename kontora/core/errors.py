"""Errors raised by services once and rendered per transport (form errors in pages, Bitrix24 errors in REST)."""

from django.utils.translation import gettext_lazy as _


class KontoraError(Exception):
    code = "ERROR"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(KontoraError):
    """Missing and forbidden look the same from outside."""

    code = "NOT_FOUND"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or str(_("Not found")))


class Forbidden(KontoraError):
    code = "ACCESS_DENIED"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or str(_("Access denied")))


class Invalid(KontoraError):
    """Bad input: which field and why, in the user's language."""

    code = "INVALID"

    def __init__(self, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field

    def add_to_form(self, form) -> None:
        """Show the error at its field, or above the form when the form has no such field."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
