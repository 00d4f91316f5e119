"""A configured company, built through the services as an administrator would: pipelines, fields, roles, robots."""

from dataclasses import dataclass

import pytest

from kontora.accounts import roles
from kontora.accounts.models import Level, Role
from kontora.automation import services as automation
from kontora.automation.models import Robot
from kontora.crm import services as crm
from kontora.crm.choices import EntityType
from kontora.crm.models import Category, FieldDefinition, Status
from kontora.crm.services import dictionaries, fields, pipelines_extra


@dataclass
class Configured:
    workshop: Category
    role: Role
    robot: Robot
    field: FieldDefinition


def configure(org) -> Configured:
    admin = org.admin
    workshop = crm.create_category(by=admin, name="Мебельная мастерская", sort=20)
    measure = crm.create_stage(workshop, by=admin, name="Замер", color="#FFA900")
    crm.create_stage(workshop, by=admin, name="Производство", color="#2FC6F6")
    crm.update_stage(Status.objects.get(status_id=f"{workshop.stage_prefix}NEW"), by=admin, name="Новая заявка")
    crm.update_stage(Status.objects.get(entity_id="DEAL_STAGE", status_id="NEW"), by=admin, name="Первый контакт")
    dictionaries.create_entry(by=admin, entity_id="SOURCE", name="Выставка", status_id="EXPO", sort=5)
    dictionaries.create_entry(by=admin, entity_id="STATUS", name="Думает", status_id="THINKING", color="#AAAAAA")
    pipelines_extra.create_loss_reason(by=admin, name="Долгие сроки")
    field = fields.create_field(
        by=admin, entity_type=EntityType.DEAL, kind="enumeration", code="MATERIAL", label_ru="Материал",
        label_en="Material", options=["Дуб", "Сосна"], sort=10,
    )  # fmt: skip
    fields.create_field(by=admin, entity_type=EntityType.LEAD, kind="string", code="SITE_PAGE", label_ru="Страница")
    fields.create_field(by=admin, entity_type=EntityType.CONTACT, kind="crm", label_ru="Фирма", link_to="company")
    role = roles.create_role(by=admin, name="Замерщики")
    roles.set_grant(role, by=admin, entity="crm.deal", action="read", level=Level.OWN)
    roles.set_grant(role, by=admin, entity="crm.deal", action="read", level=Level.ALL, scope=f"category:{workshop.pk}")
    roles.set_grant(Role.objects.builtin("employee"), by=admin, entity="crm.company", action="read", level=Level.ALL)
    robot = automation.add_robot(
        by=admin, entity="deal", category=workshop, stage=measure.status_id, title="Назначить замерщика",
        action="change_responsible", params={"mode": "in_turn", "users": [org.sales_rep.pk, org.kazan_rep.pk]},
        delay={"mode": "after", "amount": 2, "unit": "hours"}, sort=10,
    )  # fmt: skip
    automation.add_robot(
        by=admin, entity="deal", category=workshop, stage=measure.status_id, title="Дальше",
        action="change_stage", params={"stage": f"{workshop.stage_prefix}WON"}, after_previous=True, sort=20,
    )  # fmt: skip
    automation.add_robot(
        by=admin, entity="lead", stage="NEW", title="Позвонить", action="create_task",
        params={"title": "Позвонить {{TITLE}}", "responsible": org.sales_head.pk}, condition={">OPPORTUNITY": 1000},
    )  # fmt: skip
    automation.add_trigger(by=admin, category=workshop, stage=measure.status_id, kind="task_completed")
    return Configured(workshop=workshop, role=role, robot=robot, field=field)


@pytest.fixture
def configured(org) -> Configured:
    return configure(org)
