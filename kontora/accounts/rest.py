"""Users and departments REST methods: user.get|current|search|fields|add|update, department.get|add|update|delete|
fields. Rows as Bitrix24 writes them (IDs as strings, ACTIVE a real boolean, UF_DEPARTMENT a list of ints)."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from kontora.accounts import access, selectors, services
from kontora.accounts.models import Department, Role, User
from kontora.core import filters
from kontora.core.errors import Invalid, NotFound
from kontora.core.filters import Field, FieldType
from kontora.core.textsearch import contains_ci
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.runner import page
from kontora.rest.values import link, moment, read_flag, upper_keys

_INT, _DATE = FieldType.INTEGER, FieldType.DATETIME
USER_FIELDS: dict[str, Field] = {
    "ID": Field(path="pk", type=_INT),
    "ACTIVE": Field(path="is_active", type=FieldType.BOOLEAN),
    "NAME": Field(path="first_name"),
    "LAST_NAME": Field(path="last_name"),
    "SECOND_NAME": Field(path="middle_name"),
    "EMAIL": Field(path="email"),
    "LOGIN": Field(path="username"),
    "WORK_POSITION": Field(path="position"),
    "WORK_PHONE": Field(path="phone"),
    "PERSONAL_MOBILE": Field(path="phone"),
    "UF_DEPARTMENT": Field(path="department_id", type=_INT),
    "UF_DEPARTMENT_NAME": Field(path="department__name"),
    "LAST_LOGIN": Field(path="last_login", type=_DATE),
    "DATE_REGISTER": Field(path="date_joined", type=_DATE),
    "TIME_ZONE": Field(path="time_zone"),
}
USER_TITLES = {
    "ID": "ID", "XML_ID": "External ID", "ACTIVE": "Active", "NAME": "First name", "LAST_NAME": "Last name",
    "SECOND_NAME": "Second name", "EMAIL": "E-mail", "LAST_LOGIN": "Last login", "DATE_REGISTER": "Registered",
    "IS_ONLINE": "Online", "TIME_ZONE": "Time zone", "TIME_ZONE_OFFSET": "Time zone offset",
    "PERSONAL_GENDER": "Gender", "PERSONAL_BIRTHDAY": "Birthday", "PERSONAL_PHOTO": "Photo",
    "PERSONAL_MOBILE": "Mobile phone", "WORK_PHONE": "Work phone", "WORK_POSITION": "Position",
    "UF_DEPARTMENT": "Departments", "UF_PHONE_INNER": "Extension", "USER_TYPE": "User type",
}  # fmt: skip
# Keys of user.get that are not filter conditions (a filter may also come as the top-level parameters).
_NOT_FILTER = {"sort", "order", "start", "admin_mode", "auth", "filter", "select", "find"}
USER_TYPES = ("employee", "extranet", "email")


def user_row(user: User) -> dict[str, Any]:
    return {
        "ID": str(user.pk), "XML_ID": "", "ACTIVE": bool(user.is_active), "NAME": user.first_name,
        "LAST_NAME": user.last_name, "SECOND_NAME": user.middle_name, "EMAIL": user.email,
        "LAST_LOGIN": moment(user.last_login), "DATE_REGISTER": moment(user.date_joined), "IS_ONLINE": "N",
        "TIME_ZONE": user.time_zone or "", "PERSONAL_GENDER": "", "PERSONAL_BIRTHDAY": "",
        "PERSONAL_PHOTO": user.photo.url if user.photo else "", "PERSONAL_MOBILE": user.phone,
        "WORK_PHONE": user.phone, "WORK_POSITION": user.position,
        "UF_DEPARTMENT": [user.department_id] if user.department_id else [], "UF_PHONE_INNER": "",
        "USER_TYPE": "employee",
    }  # fmt: skip


def _user_filter(call: Call) -> dict[str, Any]:
    given = call.params.get("filter")
    if isinstance(given, Mapping):
        return dict(given)
    return {key: value for key, value in call.params.data.items()
            if str(key).lower() not in _NOT_FILTER and not str(key).startswith("_")}  # fmt: skip


def users(call: Call, conditions: Mapping[str, Any]) -> QuerySet[User]:
    """The people the caller may see, filtered as user.get filters (NAME_SEARCH, USER_TYPE, IS_ONLINE besides
    the fields)."""
    queryset = access.visible(call.user, User).select_related("department")
    plain = {}
    for key, value in conditions.items():
        name = str(key).strip().upper()
        if name in ("NAME_SEARCH", "FIND"):
            for word in str(value or "").split():
                queryset = queryset.filter(contains_ci(selectors.SEARCHED_FIELDS, word))
        elif name == "USER_TYPE":
            wanted = [str(item).lower() for item in (value if isinstance(value, list) else [value])]
            if "employee" not in wanted:
                queryset = queryset.none()  # Kontora has employees only
        elif name == "IS_ONLINE":
            if read_flag(value):
                queryset = queryset.none()  # presence is not tracked: nobody is reported online
        elif name.lstrip("!=<>@%") in USER_FIELDS:
            plain[key] = value
        elif name != "" and call.params.get("filter") is not None:
            raise Invalid("UNKNOWN_FIELD", name, f"There is no field {name} to filter by.")
    return filters.apply(queryset, plain, USER_FIELDS)


def _user_order(call: Call) -> list:
    order = call.params.get("order")
    if isinstance(order, Mapping):
        return filters.ordering(upper_keys(order), USER_FIELDS)
    sort = call.params.get("sort")
    if sort:
        return filters.ordering({str(sort).upper(): str(order or "ASC")}, USER_FIELDS)
    return filters.ordering(None, USER_FIELDS)


@method("user.get", "user")
def user_get(call: Call) -> ListResult:
    """People: FILTER (or the filter's keys at the top level), sort + order (or order as a map), start."""
    queryset = users(call, _user_filter(call)).order_by(*_user_order(call), "pk")
    return page(queryset, call, user_row)


@method("user.search", "user")
def user_search(call: Call) -> ListResult:
    """People by FILTER{NAME, LAST_NAME, WORK_POSITION, UF_DEPARTMENT_NAME, USER_TYPE} or FIND (any of the names)."""
    conditions = dict(call.params.map("filter"))
    if call.params.get("find"):
        conditions["FIND"] = call.params.get("find")
    for name in ("NAME", "LAST_NAME", "WORK_POSITION", "UF_DEPARTMENT_NAME"):
        if name in {str(key).upper() for key in conditions}:
            key = next(key for key in conditions if str(key).upper() == name)
            conditions[f"%{name}"] = conditions.pop(key)
    queryset = users(call, conditions).order_by(*_user_order(call), "pk")
    return page(queryset, call, user_row)


@method("user.current", "user")
def user_current(call: Call) -> dict[str, Any]:
    return user_row(call.user)


@method("user.fields", "user")
def user_fields(call: Call) -> dict[str, str]:
    return dict(USER_TITLES)


def _department(value: Any, name: str) -> Department | None:
    if value in (None, "", 0, "0", [], [""]):
        return None
    if isinstance(value, list):
        value = value[0]
    department = selectors.departments().filter(pk=_integer(value, name)).first()
    if department is None:
        raise Invalid("UNKNOWN_DEPARTMENT", name, "There is no such department.")
    return department


def _profile(fields: Mapping[str, Any]) -> dict[str, Any]:
    names = {"NAME": "first_name", "LAST_NAME": "last_name", "SECOND_NAME": "middle_name", "EMAIL": "email",
             "WORK_POSITION": "position", "WORK_PHONE": "phone", "PERSONAL_MOBILE": "phone",
             "TIME_ZONE": "time_zone"}  # fmt: skip
    result = {names[key]: str(value or "") for key, value in fields.items() if key in names}
    if "UF_DEPARTMENT" in fields:
        result["department"] = _department(fields["UF_DEPARTMENT"], "UF_DEPARTMENT")
    if "ACTIVE" in fields:
        result["is_active"] = read_flag(fields["ACTIVE"])
    return result


@method("user.add", "user")
def user_add(call: Call) -> int:
    """Add an employee (administrators): EMAIL required, the login is the e-mail. Returns the new ID."""
    fields = upper_keys({key: value for key, value in call.params.data.items() if key.lower() != "auth"})
    fields.update(upper_keys(call.params.map("fields")))
    email = str(fields.get("EMAIL") or "").strip()
    if not email:
        raise RestError("ERROR_ARGUMENT", "EMAIL is required.")
    profile = _profile(fields)
    profile.pop("is_active", None)
    profile["email"] = email
    user = services.create_user(by=call.user, username=email, roles=[Role.objects.builtin(Role.Preset.EMPLOYEE)],
                                **profile)  # fmt: skip
    return user.pk


@method("user.update", "user")
def user_update(call: Call) -> bool:
    """Change a profile: ID and the fields (top level or in FIELDS); department and ACTIVE need an administrator."""
    pk = call.params.integer("id", required=True)
    user = access.visible(call.user, User).filter(pk=pk).first()
    if user is None:
        raise NotFound()
    fields = upper_keys({key: value for key, value in call.params.data.items() if key.lower() not in ("auth", "id")})
    fields.update(upper_keys(call.params.map("fields")))
    services.update_user(user, by=call.user, **_profile(fields))
    return True


# ---- departments ------------------------------------------------------------------------------------------

DEPARTMENT_FIELDS: dict[str, Field] = {
    "ID": Field(path="pk", type=_INT),
    "NAME": Field(path="name"),
    "SORT": Field(path="sort", type=_INT),
    "PARENT": Field(path="parent_id", type=_INT, zero_is_empty=True),
    "UF_HEAD": Field(path="head_id", type=_INT, zero_is_empty=True),
}


def department_row(department: Department) -> dict[str, Any]:
    row: dict[str, Any] = {"ID": str(department.pk), "NAME": department.name, "SORT": department.sort}
    if department.parent_id:
        row["PARENT"] = str(department.parent_id)
    row["UF_HEAD"] = link(department.head_id) or "0"
    return row


@method("department.get", "department")
def department_get(call: Call) -> ListResult:
    """Departments (open to everyone): the filter's keys at the top level (or FILTER), sort + order, start."""
    given = call.params.get("filter")  # top-level `sort` names the order's field; SORT filters only inside FILTER
    conditions = dict(given) if isinstance(given, Mapping) else {
        key: value for key, value in call.params.data.items()
        if str(key).lower() not in _NOT_FILTER and str(key).lstrip("!=<>@%").upper() in DEPARTMENT_FIELDS
    }  # fmt: skip
    order = call.params.get("order")
    if isinstance(order, Mapping):
        ordering = filters.ordering(upper_keys(order), DEPARTMENT_FIELDS)
    else:
        sort = call.params.get("sort")
        ordering = filters.ordering({str(sort).upper(): str(order or "ASC")} if sort else None, DEPARTMENT_FIELDS)
    queryset = filters.apply(selectors.departments(), conditions, DEPARTMENT_FIELDS).order_by(*ordering, "pk")
    return page(queryset, call, department_row)


@method("department.fields", "department")
def department_fields(call: Call) -> dict[str, str]:
    return {"ID": "ID", "NAME": "Name", "SORT": "Sort", "PARENT": "Parent department", "UF_HEAD": "Head"}


def _department_values(call: Call, department: Department | None) -> dict[str, Any]:
    fields = upper_keys({key: value for key, value in call.params.data.items() if key.lower() != "auth"})
    fields.update(upper_keys(call.params.map("fields")))
    values: dict[str, Any] = {
        "name": str(fields.get("NAME", department.name if department else "") or ""),
        "parent": department.parent if department else None,
        "head": department.head if department else None,
        "sort": department.sort if department else 100,
    }
    if "PARENT" in fields:
        values["parent"] = _department(fields["PARENT"], "PARENT")
    if "UF_HEAD" in fields:
        head = fields["UF_HEAD"]
        values["head"] = None
        if head not in (None, "", 0, "0"):
            people = access.visible(call.user, User).filter(is_active=True)
            values["head"] = people.filter(pk=_integer(head, "UF_HEAD")).first()
            if values["head"] is None:
                raise Invalid("UNKNOWN_USER", "UF_HEAD", "There is no such active employee.")
    if "SORT" in fields:
        values["sort"] = max(0, _integer(fields["SORT"] or 0, "SORT"))
    return values


@method("department.add", "department")
def department_add(call: Call) -> int:
    """Add a department (administrators): NAME and PARENT required. Returns the new ID."""
    values = _department_values(call, None)
    if values["parent"] is None:
        raise RestError("ERROR_ARGUMENT", "PARENT is required.")
    return services.save_department(None, by=call.user, **values).pk


def _found_department(call: Call) -> Department:
    department = selectors.departments().filter(pk=call.params.integer("id", required=True)).first()
    if department is None:
        raise NotFound()
    return department


@method("department.update", "department")
def department_update(call: Call) -> bool:
    department = _found_department(call)
    services.save_department(department, by=call.user, **_department_values(call, department))
    return True


@method("department.delete", "department")
def department_delete(call: Call) -> bool:
    services.delete_department(_found_department(call), by=call.user)
    return True


def _integer(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid("NOT_A_NUMBER", name, f"The value {value!r} is not a number.") from None
