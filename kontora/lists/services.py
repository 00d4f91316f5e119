"""Writes about universal lists: lists and their fields (administrators), elements (as each list allows)."""

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import Department, User
from kontora.core.errors import Forbidden, Invalid
from kontora.events import history
from kontora.lists import values as typed
from kontora.lists.models import AddScope, FieldType, ListElement, ListField, UniversalList

CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
RESERVED = {"id", "name", "code", "created_by", "created_at", "updated_at"}
LIST_FIELDS = ("code", "name", "description", "sort", "add_scope")
FIELD_FIELDS = ("code", "name", "type", "required", "multiple", "sort", "default", "options")


def may_configure(user: User | None, lst: UniversalList | None = None) -> bool:
    """Lists and their fields are configured by administrators (the gate's "update" on lists)."""
    if user is None:
        return True
    return access.can(user, "update", lst) if lst is not None and lst.pk else access.can(
        user, "add", UniversalList(created_by=user)
    )  # fmt: skip


def _require_configure(by: User | None, lst: UniversalList | None = None) -> None:
    if not may_configure(by, lst):
        raise Forbidden()


def _check_code(code: str, field: str = "code") -> str:
    code = (code or "").strip().lower()
    if not CODE.match(code):
        raise Invalid("INVALID_CODE", field, _("The code is Latin letters, digits and _, starting with a letter."))
    return code


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("REQUIRED", "name", _("Enter a name."))
    return name[:200]


def create_list(
    *, by: User | None, code: str, name: str, description: str = "", sort: int = 500,
    add_scope: str = AddScope.EVERYONE, add_departments: Iterable[Department] = (), readers: Iterable[User] = (),
) -> UniversalList:  # fmt: skip
    _require_configure(by)
    code = _check_code(code)
    if code == "new" or UniversalList.objects.filter(code=code).exists():
        raise Invalid("DUPLICATE_CODE", "code", _("A list with this code already exists."))
    if add_scope not in AddScope.values:
        raise Invalid("INVALID_VALUE", "add_scope", _("Choose who may add elements."))
    with transaction.atomic():
        lst = UniversalList.objects.create(code=code, name=_check_name(name), description=description.strip(),
                                           sort=sort, add_scope=add_scope, created_by=by)  # fmt: skip
        lst.add_departments.set(list(add_departments))
        lst.readers.set(list(readers))
        history.record(lst, by=by, action="create", changes={
            key: [None, value] for key, value in history.snapshot(lst, LIST_FIELDS).items()
        })  # fmt: skip
    return lst


def update_list(lst: UniversalList, *, by: User | None, **changes: Any) -> UniversalList:
    """Change name, description, sort, add_scope, add_departments, readers (the code stays: processes use it)."""
    _require_configure(by, lst)
    before = history.snapshot(lst, LIST_FIELDS)
    if "name" in changes:
        lst.name = _check_name(changes["name"])
    if "description" in changes:
        lst.description = (changes["description"] or "").strip()
    if "sort" in changes:
        lst.sort = int(changes["sort"] or 0)
    if "add_scope" in changes:
        if changes["add_scope"] not in AddScope.values:
            raise Invalid("INVALID_VALUE", "add_scope", _("Choose who may add elements."))
        lst.add_scope = changes["add_scope"]
    with transaction.atomic():
        lst.save()
        if "add_departments" in changes:
            lst.add_departments.set(list(changes["add_departments"]))
        if "readers" in changes:
            lst.readers.set(list(changes["readers"]))
        diff = history.diff(before, history.snapshot(lst, LIST_FIELDS))
        if diff:
            history.record(lst, by=by, action="update", changes=diff)
    return lst


def delete_list(lst: UniversalList, *, by: User | None) -> None:
    _require_configure(by, lst)
    with transaction.atomic():
        history.record(lst, by=by, action="delete")
        lst.delete()


def _field_settings(field: ListField) -> None:
    if field.type not in FieldType.values:
        raise Invalid("INVALID_VALUE", "type", _("Choose a field type."))
    field.options = [str(option).strip() for option in field.options or [] if str(option).strip()]
    if field.type == FieldType.SELECT and not field.options:
        raise Invalid("REQUIRED", "options", _("Give the options to choose from."))
    if field.type != FieldType.SELECT:
        field.options = []
    field.default = (field.default or "").strip()
    if field.default and field.type not in (FieldType.FILE,):
        typed.clean(field, field.default)  # a default that could never be stored is refused now
    elif field.type == FieldType.FILE:
        field.default = ""


def add_field(
    lst: UniversalList, *, by: User | None, code: str, name: str, type: str = FieldType.STRING,
    required: bool = False, multiple: bool = False, sort: int | None = None, default: str = "",
    options: Iterable[str] = (),
) -> ListField:  # fmt: skip
    _require_configure(by, lst)
    code = _check_code(code)
    if code in RESERVED:
        raise Invalid("RESERVED_CODE", "code", _("This code is taken by a standard field."))
    if lst.fields.filter(code=code).exists():
        raise Invalid("DUPLICATE_CODE", "code", _("The list already has a field with this code."))
    if sort is None:
        last = lst.fields.order_by("-sort").values_list("sort", flat=True).first()
        sort = (last or 0) + 10
    field = ListField(list=lst, code=code, name=_check_name(name), type=type, required=required, multiple=multiple,
                      sort=sort, default=default, options=list(options))  # fmt: skip
    _field_settings(field)
    with transaction.atomic():
        field.save()
        history.record(lst, by=by, action="update", changes={f"field:{code}": [None, field.name]})
    return field


def update_field(field: ListField, *, by: User | None, **changes: Any) -> ListField:
    """Change name, type, required, multiple, sort, default or options; the code stays (values are keyed by it)."""
    _require_configure(by, field.list)
    before = history.snapshot(field, FIELD_FIELDS)
    for key in ("type", "required", "multiple", "sort", "default", "options"):
        if key in changes:
            setattr(field, key, changes[key])
    if "name" in changes:
        field.name = _check_name(changes["name"])
    _field_settings(field)
    with transaction.atomic():
        field.save()
        diff = history.diff(before, history.snapshot(field, FIELD_FIELDS))
        if diff:
            history.record(field.list, by=by, action="update", changes={
                f"field:{field.code}.{key}": value for key, value in diff.items()
            })  # fmt: skip
    return field


def delete_field(field: ListField, *, by: User | None) -> None:
    """Remove the field; elements keep their stored values, which no longer show."""
    _require_configure(by, field.list)
    with transaction.atomic():
        history.record(field.list, by=by, action="update", changes={f"field:{field.code}": [field.name, None]})
        field.delete()


def reorder_fields(lst: UniversalList, codes: list[str], *, by: User | None) -> None:
    """Put the fields in this order (codes not named keep their place after the named ones)."""
    _require_configure(by, lst)
    fields = {field.code: field for field in lst.fields.all()}
    ordered = [fields[code] for code in codes if code in fields]
    ordered += [field for field in fields.values() if field not in ordered]
    with transaction.atomic():
        for number, field in enumerate(ordered, start=1):
            if field.sort != number * 10:
                field.sort = number * 10
                field.save(update_fields=["sort"])


def may_add_element(user: User | None, lst: UniversalList) -> bool:
    """Anyone the list lets add (everyone, or members of its chosen departments), within the gate's "add"."""
    if user is None:
        return True
    if not access.can(user, "add", ListElement(list=lst, created_by=user)):
        return False
    if lst.add_scope == AddScope.EVERYONE or may_configure(user, lst):
        return True
    return lst.add_departments.filter(pk=user.department_id).exists()


def clean_values(lst: UniversalList, data: dict[str, Any], *, old: dict[str, Any] | None = None) -> dict[str, Any]:
    """Input keyed by field code → stored values; fields not given keep `old` (or their default when new)."""
    result: dict[str, Any] = {}
    for field in lst.fields.all():
        if field.code in data:
            value = typed.clean(field, data[field.code])
        elif old is not None:
            value = old.get(field.code)
        else:
            value = typed.clean(field, field.default) if field.default else None
        if field.required and value is None:
            raise Invalid("REQUIRED", field.code, _("%(field)s: fill in this field.") % {"field": field.name})
        if value is not None:
            result[field.code] = value
    return result


def _search_text(name: str, stored: dict[str, Any]) -> str:
    parts = [name]
    for value in stored.values():
        for item in value if isinstance(value, list) else [value]:
            parts.append(item.get("name", "") if isinstance(item, dict) else str(item))
    return " ".join(parts)[:10000]


def add_element(
    lst: UniversalList, *, by: User | None, values: dict[str, Any] | None = None, name: str = "", code: str = "",
    author: User | None = None,
) -> ListElement:  # fmt: skip
    """A new element; `author` (default `by`) owns it — a process may file a request on a person's behalf."""
    author = author or by
    if not may_add_element(by, lst):
        raise Forbidden()
    name = (name or "").strip() or lst.name
    if code and ListElement.objects.filter(list=lst, code=code).exists():
        raise Invalid("DUPLICATE_CODE", "code", _("The list already has an element with this code."))
    stored = clean_values(lst, values or {})
    with transaction.atomic():
        element = ListElement.objects.create(list=lst, name=name[:255], code=code[:100], values=stored,
                                             search_text=_search_text(name, stored), created_by=author,
                                             updated_by=by)  # fmt: skip
        history.record(element, by=by, action="create", changes={"name": [None, element.name], **{
            key: [None, value] for key, value in stored.items()
        }})  # fmt: skip
        events.emit("lists.element.created", element, by=by, list=lst.code, list_id=lst.pk, values=stored)
    return element


def update_element(
    element: ListElement, *, by: User | None, values: dict[str, Any] | None = None, name: str | None = None,
) -> ListElement:  # fmt: skip
    if by is not None and not access.can(by, "update", element):
        raise Forbidden()
    before = {"name": element.name, **element.values}
    if name is not None:
        element.name = name.strip()[:255] or element.list.name
    element.values = clean_values(element.list, values or {}, old=element.values)
    diff = history.diff(before, {"name": element.name, **element.values})
    removed = {key: [before[key], None] for key in before if key not in element.values and key != "name"}
    diff.update(removed)
    if not diff:
        return element
    with transaction.atomic():
        element.updated_by = by
        element.search_text = _search_text(element.name, element.values)
        element.save()
        history.record(element, by=by, action="update", changes=diff)
        events.emit("lists.element.updated", element, by=by, list=element.list.code, list_id=element.list_id,
                     changes=diff)  # fmt: skip
    return element


def delete_element(element: ListElement, *, by: User | None) -> None:
    """Move the element to the recycle bin."""
    if by is not None and not access.can(by, "delete", element):
        raise Forbidden()
    with transaction.atomic():
        element.deleted_at = timezone.now()
        element.deleted_by = by
        element.save(update_fields=["deleted_at", "deleted_by"])
        history.record(element, by=by, action="delete")
        events.emit("lists.element.deleted", element, by=by, list=element.list.code, list_id=element.list_id,
                     name=element.name)  # fmt: skip
