"""Demo robots and triggers: the working week of SCENARIOS.md, set up by the administrator after the CRM is built.

Robots are added after the demo's made-up history, so they act only on what people do from now on.
"""

from kontora.accounts.models import User
from kontora.automation import services
from kontora.automation.models import Entity, Trigger
from kontora.crm.choices import ActivityType
from kontora.crm.models import Category

CALL_BACK = {"amount": 15, "unit": "minutes"}


def build(password: str | None) -> list[tuple[str, str, str]]:
    people = {user.username: user for user in User.objects.filter(is_active=True)}
    admin = people.get("sergey")
    managers = [people[login].pk for login in ("anna", "ekaterina", "elena") if login in people]
    if admin is None or not managers:
        return []
    _lead_robots(admin, managers)
    _sales_robots(admin, Category.objects.get(pk=0))
    return []


def _lead_robots(admin: User, managers: list[int]) -> None:
    """A new lead goes to the next manager in turn (skipping the absent) who must call within 15 minutes."""
    services.add_robot(
        by=admin, entity=Entity.LEAD, stage="NEW", title="Распределить лид по очереди", action="change_responsible",
        params={"mode": "in_turn", "users": managers}, sort=10,
    )  # fmt: skip
    services.add_robot(
        by=admin, entity=Entity.LEAD, stage="NEW", title="Позвонить в течение 15 минут", action="create_task",
        params={"title": "Позвонить в течение 15 минут: {{TITLE}}", "responsible": "responsible",
                "deadline_amount": CALL_BACK["amount"], "deadline_unit": CALL_BACK["unit"],
                "checklist": ["Уточнить потребность", "Договориться о встрече"]},
        after_previous=True, sort=20,
    )  # fmt: skip


def _sales_robots(admin: User, sales: Category) -> None:
    prefix = sales.stage_prefix
    services.add_robot(
        by=admin, entity=Entity.DEAL, category=sales, stage=f"{prefix}PREPARATION", title="Встреча-презентация",
        action="plan_activity",
        params={"subject": "Презентация: {{TITLE}}", "type_id": ActivityType.MEETING, "responsible": "responsible",
                "deadline_amount": 2, "deadline_unit": "days"},
        sort=10,
    )  # fmt: skip
    services.add_robot(
        by=admin, entity=Entity.DEAL, category=sales, stage=f"{prefix}PREPARATION", title="Письмо о презентации",
        action="send_email",
        params={"subject": "Презентация «{{TITLE}}»",
                "body": "Здравствуйте, {{CONTACT_ID}}!\n\nПодтверждаем презентацию по сделке «{{TITLE}}». "
                        "Ответственный менеджер — {{ASSIGNED_BY_ID}}.\n\nС уважением, команда продаж"},
        sort=20,
    )  # fmt: skip
    services.add_robot(
        by=admin, entity=Entity.DEAL, category=sales, stage=f"{prefix}PREPAYMENT_INVOICE",
        title="Согласовать счёт", action="start_process", params={"template": "invoice_approval"}, sort=10,
    )  # fmt: skip
    services.add_robot(
        by=admin, entity=Entity.DEAL, category=sales, stage=f"{prefix}EXECUTING",
        title="Напомнить о предложении через 3 дня", action="create_task",
        params={"title": "Связаться по предложению: {{TITLE}}", "responsible": "responsible",
                "deadline_amount": 1, "deadline_unit": "days"},
        delay={"mode": "after", "amount": 3, "unit": "days", "working_hours": True}, sort=10,
    )  # fmt: skip
    services.add_trigger(by=admin, category=sales, stage=f"{prefix}EXECUTING", kind=Trigger.Kind.WEBHOOK)
    services.add_trigger(
        by=admin, category=sales, stage=f"{prefix}PREPARATION", kind=Trigger.Kind.ACTIVITY_COMPLETED,
        params={"type_id": ActivityType.CALL},
    )  # fmt: skip
