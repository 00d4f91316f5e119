"""REST errors: Bitrix24's code, description and HTTP status; core errors are mapped per method family."""

from kontora.core.errors import Forbidden, Invalid, KontoraError, NotFound


class RestError(Exception):
    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.status = status


def no_auth() -> RestError:
    return RestError("NO_AUTH_FOUND", "Wrong authorization data", 401)


def method_not_found() -> RestError:
    return RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)


def insufficient_scope() -> RestError:
    return RestError("insufficient_scope", "The request requires higher privileges than provided by the token", 403)


def from_core(error: KontoraError, family: str) -> RestError:
    """A service error in the shape the method's family uses.

    Legacy `crm.*` methods answer with an empty code and the text ("Not found", "Access denied."); `crm.item.*`
    names the code; tasks say ERROR_CORE; the rest ERROR_ARGUMENT. A rejected field is named in the text.
    """
    if isinstance(error, NotFound):
        code, text = {"crm": ("", "Not found"), "tasks": ("ERROR_CORE", "TASKS_ERROR_TASK_NOT_FOUND")}.get(
            family, ("NOT_FOUND", "Not found")
        )
        return RestError(code, text)
    if isinstance(error, Forbidden):
        return RestError({"crm": "", "tasks": "ERROR_CORE"}.get(family, "ACCESS_DENIED"), "Access denied.")
    if isinstance(error, Invalid):
        field = f"{error.field}: " if error.field and not error.message.startswith(error.field) else ""
        code = {"crm": "", "tasks": "ERROR_CORE"}.get(family, "ERROR_ARGUMENT")
        return RestError(code, f"{field}{error.message}")
    return RestError("ERROR_CORE", error.message or "Error")
