"""What the report builder can count: each entity's records through the gate, its filter fields and dimensions."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from kontora.accounts import access
from kontora.core.filters import FieldType
from kontora.crm import schema
from kontora.crm import selectors as crm_selectors
from kontora.crm.models import Activity, Company, Contact, Deal, Lead
from kontora.tasks.models import Task

# A pseudo-field every source has: the department of the responsible person.
DEPARTMENT = "RESPONSIBLE_DEPARTMENT"


@dataclass(frozen=True)
class Source:
    key: str
    label: object  # a lazy translation
    model: type[Model]
    records: Callable[..., QuerySet]  # records(viewer, action) through the gate
    field_map: Callable[[], dict[str, schema.Field]]  # filter language fields, also the dimensions

    def fields(self) -> dict[str, schema.Field]:
        result = dict(self.field_map())
        result[DEPARTMENT] = schema.Field(
            name=DEPARTMENT, path="responsible__department_id", label=_("Department"), type=FieldType.INTEGER,
            rest_type="department",
        )  # fmt: skip
        return result

    def numeric(self) -> dict[str, schema.Field]:
        """Fields a measure may sum, average, or take the minimum or maximum of."""
        return {
            name: field
            for name, field in self.fields().items()
            if field.type in (FieldType.INTEGER, FieldType.DECIMAL)
            and field.rest_type in ("integer", "double", "money")
            and name != "ID"
            and not field.zero_is_empty
            and not field.multiple
        }


def _f(name: str, path: str, label, kind: FieldType = FieldType.STRING, rest_type: str = "", **options) -> schema.Field:
    defaults = {FieldType.INTEGER: "integer", FieldType.DECIMAL: "double", FieldType.DATETIME: "datetime",
                FieldType.DATE: "date", FieldType.BOOLEAN: "char", FieldType.ENUM: "choice"}  # fmt: skip
    rest_type = rest_type or defaults.get(kind, "string")
    return schema.Field(name=name, path=path, label=label, type=kind, rest_type=rest_type, **options)


def _activity_fields() -> dict[str, schema.Field]:
    return {
        field.name: field
        for field in (
            _f("ID", "id", _("ID"), FieldType.INTEGER),
            _f("TYPE_ID", "type_id", _("Type"), FieldType.ENUM),
            _f("OWNER_TYPE_ID", "owner_type", _("Entity"), FieldType.ENUM),
            _f("SUBJECT", "subject", _("Subject")),
            _f("RESPONSIBLE_ID", "responsible_id", _("Responsible"), FieldType.INTEGER, "user"),
            _f("AUTHOR_ID", "author_id", _("Created by"), FieldType.INTEGER, "user"),
            _f("DIRECTION", "direction", _("Direction"), FieldType.ENUM),
            _f("COMPLETED", "completed", _("Done"), FieldType.BOOLEAN),
            _f("DEADLINE", "deadline", _("Deadline"), FieldType.DATETIME),
            _f("END_TIME", "completed_at", _("Completed at"), FieldType.DATETIME),
            _f("CREATED", "created_at", _("Created"), FieldType.DATETIME),
        )
    }


def _task_fields() -> dict[str, schema.Field]:
    return {
        field.name: field
        for field in (
            _f("ID", "id", _("ID"), FieldType.INTEGER),
            _f("TITLE", "title", _("Title")),
            _f("REAL_STATUS", "status", _("Status"), FieldType.ENUM),
            _f("PRIORITY", "priority", _("Priority"), FieldType.ENUM),
            _f("RESPONSIBLE_ID", "responsible_id", _("Responsible"), FieldType.INTEGER, "user"),
            _f("CREATED_BY", "created_by_id", _("Created by"), FieldType.INTEGER, "user"),
            _f("GROUP_ID", "project_id", _("Project"), FieldType.INTEGER, "project", zero_is_empty=True),
            _f("DEADLINE", "deadline", _("Deadline"), FieldType.DATETIME),
            _f("CREATED_DATE", "created_at", _("Created"), FieldType.DATETIME),
            _f("CLOSED_DATE", "closed_at", _("Closed"), FieldType.DATETIME),
            _f("TIME_ESTIMATE", "time_estimate", _("Time estimate, seconds"), FieldType.INTEGER),
            _f("TASK_CONTROL", "requires_control", _("Requires control"), FieldType.BOOLEAN),
        )
    }


def _crm(key: str) -> Callable[[], dict[str, schema.Field]]:
    return lambda: schema.fields_of(key)


def _activities(viewer, action: str = "read") -> QuerySet:
    return access.visible(viewer, Activity, action).filter(in_bin=False)


SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source("deal", _("Deals"), Deal, lambda viewer, action="read": crm_selectors.visible_deals(viewer, action),
               _crm("deal")),
        Source("lead", _("Leads"), Lead, lambda viewer, action="read": access.visible(viewer, Lead, action),
               _crm("lead")),
        Source("contact", _("Contacts"), Contact,
               lambda viewer, action="read": access.visible(viewer, Contact, action), _crm("contact")),
        Source("company", _("Companies"), Company,
               lambda viewer, action="read": access.visible(viewer, Company, action), _crm("company")),
        Source("activity", _("Activities"), Activity, _activities, _activity_fields),
        Source("task", _("Tasks"), Task, lambda viewer, action="read": access.visible(viewer, Task, action),
               _task_fields),
    )
}  # fmt: skip


def source(key: str) -> Source:
    return SOURCES[key]
