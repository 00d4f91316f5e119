"""Universal lists over REST, as Bitrix24 has them: lists.get, lists.field.get, lists.element.get|add|update|delete.

A list is an "information block" of type `lists` (IBLOCK_TYPE_ID), found by IBLOCK_ID or IBLOCK_CODE; its fields
are PROPERTY_<id> (the field's code is accepted too); values come as {"n0": value} maps, plain values or lists.
Dates read and write as DD.MM.YYYY, as Bitrix24 shows them.
"""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kontora.core.errors import NotFound
from kontora.lists import selectors, services
from kontora.lists.models import FieldType, ListElement, ListField, UniversalList
from kontora.rest.errors import RestError
from kontora.rest.registry import Call, ListResult, method
from kontora.rest.runner import page

TYPES = {
    FieldType.STRING: "S", FieldType.TEXT: "S:HTML", FieldType.NUMBER: "N", FieldType.DATE: "S:Date",
    FieldType.DATETIME: "S:DateTime", FieldType.BOOL: "L", FieldType.USER: "S:employee", FieldType.SELECT: "L",
    FieldType.FILE: "F",
}  # fmt: skip
LIST_PARAMS = {"IBLOCK_TYPE_ID": "lists", "IBLOCK_ID": "the list's ID", "IBLOCK_CODE": "or its code"}


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _stamp(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M:%S")


def _list(call: Call) -> UniversalList:
    if str(call.params.get("IBLOCK_TYPE_ID") or "").strip() != "lists":
        raise RestError("ERROR_IBLOCK_TYPE_ID", "Incorrect iblock type.")
    pk, code = call.params.get("IBLOCK_ID"), str(call.params.get("IBLOCK_CODE") or "").strip()
    queryset = selectors.visible_lists(call.user)
    if pk not in (None, ""):
        lst = queryset.filter(pk=call.params.integer("IBLOCK_ID")).first()
    elif code:
        lst = queryset.filter(code=code).first()
    else:
        raise RestError("ERROR_REQUIRED_PARAMETERS_MISSING", 'Required parameter "IBLOCK_ID" is missing.')
    if lst is None:
        raise RestError("ERROR_IBLOCK_NOT_FOUND", "Iblock not found.")
    return lst


def _element(call: Call, lst: UniversalList, action: str) -> ListElement:
    queryset = selectors.visible_elements(call.user, action).filter(list=lst)
    if call.params.get("ELEMENT_ID") not in (None, ""):
        element = queryset.filter(pk=call.params.integer("ELEMENT_ID")).first()
    elif str(call.params.get("ELEMENT_CODE") or "").strip():
        element = queryset.filter(code=str(call.params.get("ELEMENT_CODE")).strip()).first()
    else:
        raise RestError("ERROR_REQUIRED_PARAMETERS_MISSING", 'Required parameter "ELEMENT_ID" is missing.')
    if element is None:
        raise RestError("ERROR_ELEMENT_NOT_FOUND", "Element not found.")
    return element


def _list_row(lst: UniversalList) -> dict[str, Any]:
    return {
        "ID": str(lst.pk), "IBLOCK_TYPE_ID": "lists", "CODE": lst.code, "NAME": lst.name, "ACTIVE": "Y",
        "SORT": str(lst.sort), "DESCRIPTION": lst.description, "DESCRIPTION_TYPE": "text",
        "TIMESTAMP_X": _stamp(lst.updated_at), "DATE_CREATE": _stamp(lst.created_at),
    }  # fmt: skip


@method("lists.get", "lists", params=LIST_PARAMS)
def lists_get(call: Call) -> ListResult:
    """The lists the caller sees (all of them, or one by IBLOCK_ID / IBLOCK_CODE)."""
    if str(call.params.get("IBLOCK_TYPE_ID") or "").strip() != "lists":
        raise RestError("ERROR_IBLOCK_TYPE_ID", "Incorrect iblock type.")
    queryset = selectors.visible_lists(call.user).order_by("sort", "id")
    if call.params.get("IBLOCK_ID") not in (None, ""):
        queryset = queryset.filter(pk=call.params.integer("IBLOCK_ID"))
    elif call.params.get("IBLOCK_CODE"):
        queryset = queryset.filter(code=str(call.params.get("IBLOCK_CODE")).strip())
    return page(queryset, call, _list_row)


def _field_row(field: ListField) -> dict[str, Any]:
    row = {
        "FIELD_ID": f"PROPERTY_{field.pk}", "ID": str(field.pk), "CODE": field.code, "NAME": field.name,
        "TYPE": TYPES[field.type], "IS_REQUIRED": _yn(field.required), "MULTIPLE": _yn(field.multiple),
        "SORT": str(field.sort), "DEFAULT_VALUE": field.default, "USER_TYPE_SETTINGS": None,
    }  # fmt: skip
    if field.type == FieldType.SELECT:
        row["DISPLAY_VALUES_FORM"] = {str(number): option for number, option in enumerate(field.options, start=1)}
    elif field.type == FieldType.BOOL:
        row["DISPLAY_VALUES_FORM"] = {"Y": "Y", "N": "N"}
    return row


@method("lists.field.get", "lists", params={**LIST_PARAMS, "FIELD_ID": "NAME or PROPERTY_<id>; all when absent"})
def field_get(call: Call) -> dict[str, Any]:
    """The list's fields keyed by FIELD_ID: NAME, then PROPERTY_<id> for each field."""
    lst = _list(call)
    result: dict[str, Any] = {"NAME": {"FIELD_ID": "NAME", "NAME": "Name", "TYPE": "NAME", "IS_REQUIRED": "Y",
                                       "MULTIPLE": "N", "SORT": "10", "DEFAULT_VALUE": ""}}  # fmt: skip
    for field in lst.fields.all():
        result[f"PROPERTY_{field.pk}"] = _field_row(field)
    wanted = str(call.params.get("FIELD_ID") or "").strip().upper()
    if wanted:
        return {wanted: result[wanted]} if wanted in result else {}
    return result


def _out(field: ListField, value: Any) -> Any:
    if field.type == FieldType.DATE:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if field.type == FieldType.DATETIME:
        return _stamp(datetime.fromisoformat(value))
    if field.type == FieldType.BOOL:
        return _yn(value)
    if field.type == FieldType.FILE:
        return value.get("name", "")
    return str(value)


def _element_row(element: ListElement, fields: list[ListField]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ID": str(element.pk), "IBLOCK_ID": str(element.list_id), "NAME": element.name, "CODE": element.code,
        "IBLOCK_SECTION_ID": None, "CREATED_BY": str(element.created_by_id or ""),
        "DATE_CREATE": _stamp(element.created_at), "TIMESTAMP_X": _stamp(element.updated_at),
    }  # fmt: skip
    for field in fields:
        value = element.values.get(field.code)
        items = value if isinstance(value, list) else [] if value is None else [value]
        row[f"PROPERTY_{field.pk}"] = {f"{element.pk}{number}": _out(field, item) for number, item in enumerate(items)}
    return row


def _filtered(call: Call, queryset: QuerySet[ListElement]) -> QuerySet[ListElement]:
    for key, value in call.params.map("FILTER").items():
        name = str(key).upper()
        if name == "ID":
            queryset = queryset.filter(pk__in=value if isinstance(value, list) else [value])
        elif name == "NAME":
            queryset = queryset.filter(name=value)
        elif name == "%NAME":
            queryset = queryset.filter(name__icontains=value)
        elif name == "CREATED_BY":
            queryset = queryset.filter(created_by_id=value)
        elif name in (">=DATE_CREATE", "<=DATE_CREATE"):
            moment = _moment(value)
            queryset = queryset.filter(**{"created_at__gte" if name[0] == ">" else "created_at__lte": moment})
    return queryset


def _moment(value: Any) -> datetime:
    text = str(value).strip()
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return timezone.make_aware(datetime.strptime(text[: len(pattern) + 2], pattern))  # noqa: DTZ007
        except ValueError:
            continue
    raise RestError("ERROR_ARGUMENT", f"Wrong date: {text}")


@method("lists.element.get", "lists", params={**LIST_PARAMS, "ELEMENT_ID": "one element", "FILTER": "ID, NAME,"
                                                   " %NAME, CREATED_BY, >=DATE_CREATE, <=DATE_CREATE"})  # fmt: skip
def element_get(call: Call) -> ListResult:
    """Elements of a list the caller may read, 50 a page (ELEMENT_ID / ELEMENT_CODE for one)."""
    lst = _list(call)
    queryset = selectors.visible_elements(call.user).filter(list=lst).order_by("id")
    if call.params.get("ELEMENT_ID") not in (None, ""):
        queryset = queryset.filter(pk=call.params.integer("ELEMENT_ID"))
    elif call.params.get("ELEMENT_CODE"):
        queryset = queryset.filter(code=str(call.params.get("ELEMENT_CODE")).strip())
    fields = list(lst.fields.all())
    return page(_filtered(call, queryset), call, lambda element: _element_row(element, fields))


def _input(lst: UniversalList, fields_param: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    by_key: dict[str, ListField] = {}
    for field in lst.fields.all():
        by_key[f"PROPERTY_{field.pk}"] = by_key[f"PROPERTY_{field.code.upper()}"] = by_key[field.code.upper()] = field
    name, values = None, {}
    for key, value in fields_param.items():
        upper = str(key).upper()
        if upper == "NAME":
            name = str(value or "")
        elif upper in by_key:
            values[by_key[upper].code] = value
    return name, values


@method("lists.element.add", "lists", params={**LIST_PARAMS, "ELEMENT_CODE": "the element's code (required)",
                                              "FIELDS": "NAME and PROPERTY_<id> values"})  # fmt: skip
def element_add(call: Call) -> int:
    """Add an element; returns its ID."""
    lst = _list(call)
    code = str(call.params.get("ELEMENT_CODE") or "").strip()
    if not code:
        raise RestError("ERROR_REQUIRED_PARAMETERS_MISSING", 'Required parameter "ELEMENT_CODE" is missing.')
    name, values = _input(lst, call.params.map("FIELDS"))
    if not (name or "").strip():
        raise RestError("ERROR_ADD_ELEMENT", 'Required field "NAME" is missing.')
    if not services.may_add_element(call.user, lst):
        raise NotFound()
    return services.add_element(lst, by=call.user, name=name, values=values, code=code).pk


@method("lists.element.update", "lists", params={**LIST_PARAMS, "ELEMENT_ID": "or ELEMENT_CODE",
                                                 "FIELDS": "the values to change"})  # fmt: skip
def element_update(call: Call) -> bool:
    """Change an element's name and values (values not given keep theirs)."""
    lst = _list(call)
    element = _element(call, lst, "update")
    name, values = _input(lst, call.params.map("FIELDS"))
    services.update_element(element, by=call.user, name=name, values=values)
    return True


@method("lists.element.delete", "lists", params={**LIST_PARAMS, "ELEMENT_ID": "or ELEMENT_CODE"})
def element_delete(call: Call) -> bool:
    """Delete an element (to the recycle bin)."""
    lst = _list(call)
    services.delete_element(_element(call, lst, "delete"), by=call.user)
    return True
