"""Every write about people and departments: validated, in a transaction, with history and an event."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import Department, Role, User
from kontora.core.errors import Forbidden, Invalid
from kontora.events import history

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "middle_name",
    "email",
    "position",
    "phone",
    "photo",
    "language",
    "time_zone",
)
STAFF_FIELDS = ("department", "is_active")


def _require_admin(by: User) -> None:
    from kontora.accounts.selectors import is_administrator

    if not is_administrator(by):
        raise Forbidden()


@transaction.atomic
def create_user(
    *, by: User | None, username: str, password: str | None = None, roles: list[Role] | None = None, **fields
) -> User:
    """Add an employee. `by=None` is the system (demo data, the command line)."""
    if by is not None:
        _require_admin(by)
    if User.objects.filter(username__iexact=username).exists():
        raise Invalid("DUPLICATE_LOGIN", "username", _("A user with this login already exists."))
    user = User(username=username, **fields)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise Invalid("WEAK_PASSWORD", "password", " ".join(error.messages)) from error
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if roles:
        user.roles.set(roles)
    history.record(
        user,
        by=by,
        action="create",
        changes={name: [None, value] for name, value in history.snapshot(user, fields).items()},
    )
    events.emit("accounts.user.created", user, by=by)
    return user


@transaction.atomic
def update_user(user: User, *, by: User, **changes) -> User:
    """Change a profile. Everyone may edit their own profile; department and status need an administrator."""
    if not access.can(by, "update", user):
        raise Forbidden()
    if any(name in changes for name in STAFF_FIELDS) or "roles" in changes:
        _require_admin(by)
    unknown = set(changes) - set(PROFILE_FIELDS) - set(STAFF_FIELDS) - {"roles"}
    if unknown:
        raise Invalid("UNKNOWN_FIELD", sorted(unknown)[0], _("This field cannot be changed here."))
    roles = changes.pop("roles", None)
    before = history.snapshot(user, changes)
    for name, value in changes.items():
        user._meta.get_field(name).save_form_data(user, value)
    user.save()
    diff = history.diff(before, history.snapshot(user, changes))
    if roles is not None:
        old = sorted(user.roles.values_list("pk", flat=True))
        user.roles.set(roles)
        new = sorted(role.pk for role in roles)
        if old != new:
            diff["roles"] = [old, new]
    access.forget(user)  # department, status and roles all change what the user may see
    if diff:
        history.record(user, by=by, action="update", changes=diff)
        events.emit("accounts.user.updated", user, by=by, changes=diff)
    return user


def set_language(user: User, language: str) -> None:
    if language not in User.Language.values:
        raise Invalid("UNKNOWN_LANGUAGE", "language", _("Unknown language."))
    # Everyone may choose their own interface language, whatever their role lets them edit.
    if user.is_authenticated and user.language != language:
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        history.record(user, by=user, action="update", changes={"language": [before, language]})


@transaction.atomic
def save_department(
    department: Department | None,
    *,
    by: User | None,
    name: str,
    parent: Department | None = None,
    head: User | None = None,
    sort: int = 100,
) -> Department:
    """Create or change a department; a department can never become its own ancestor. `by=None` is the system."""
    if by is not None:
        _require_admin(by)
    if not name.strip():
        raise Invalid("REQUIRED", "name", _("Enter the department's name."))
    creating = department is None
    department = department or Department()
    if not creating and parent is not None:
        tree = access.DepartmentTree.load()
        if parent.pk in tree.subtree([department.pk]):
            raise Invalid("CYCLE", "parent", _("A department cannot be placed inside itself or its sub-department."))
    fields = ("name", "parent", "head", "sort")
    before = {} if creating else history.snapshot(department, fields)
    department.name, department.parent, department.head, department.sort = name.strip(), parent, head, sort
    department.save()
    diff = history.diff(before, history.snapshot(department, fields))
    history.record(department, by=by, action="create" if creating else "update", changes=diff)
    events.emit(
        "accounts.department.created" if creating else "accounts.department.updated", department, by=by, changes=diff
    )
    return department


@transaction.atomic
def delete_department(department: Department, *, by: User) -> None:
    _require_admin(by)
    if department.children.exists() or department.members.exists():
        raise Invalid("NOT_EMPTY", None, _("Move the sub-departments and employees out of the department first."))
    history.record(department, by=by, action="delete")
    events.emit("accounts.department.deleted", department, by=by, name=department.name)
    department.delete()
