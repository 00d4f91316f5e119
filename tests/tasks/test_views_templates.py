"""Template pages: list, form with recurrence, save a task as a template, set a task from one."""

import pytest

from kontora.tasks.models import ChecklistItem, Task, TaskTemplate
from kontora.tasks.services import checklist
from kontora.tasks.services import templates as service
from tests.factories import make_task


@pytest.fixture(autouse=True)
def english(org):
    """Pages in English, so that the assertions read the msgids."""
    for person in org.people():
        person.language = "en"
        person.save(update_fields=["language"])


def form_data(org, **extra) -> dict:
    return {
        "title": "Еженедельный отчёт", "description": "Свести продажи", "responsible": org.sales_rep.pk,
        "accomplices": [org.kazan_rep.pk], "priority": 2, "deadline_amount": 2, "deadline_unit": "days",
        "checklist": "# Подготовка\nВыгрузить сделки\nСвести таблицу", "tags": "отчёт, продажи",
        "frequency": "", "interval": 1, "time": "09:00", "start": "2030-01-07", "end": "never", **extra,
    }  # fmt: skip


def test_list_shows_my_templates_with_recurrence_in_words(client, org):
    service.create_template(
        by=org.sales_rep, title="Планёрка",
        rule={"frequency": "weekly", "weekdays": [0, 3], "interval": 1, "time": "09:30", "start": "2030-01-07"},
    )  # fmt: skip
    service.create_template(by=org.sales_head, title="Чужой шаблон")
    client.force_login(org.sales_rep)

    page = client.get("/tasks/templates/").content.decode()

    assert "Планёрка" in page and "Чужой шаблон" not in page
    assert "Every week on Mon, Thu at 09:30" in page


def test_creating_a_recurring_template_through_the_form(client, org):
    client.force_login(org.sales_head)

    response = client.post("/tasks/templates/new/", form_data(
        org, frequency="weekly", weekdays=["0", "4"], end="count", count=5,
    ))  # fmt: skip

    assert response.status_code == 302 and response["Location"] == "/tasks/templates/"
    template = TaskTemplate.objects.get(title="Еженедельный отчёт")
    assert template.created_by == org.sales_head and template.responsible == org.sales_rep
    assert template.accomplices == [org.kazan_rep.pk] and template.deadline_after == 2 * 86400
    assert template.checklist == [{"title": "Подготовка", "items": [
        {"title": "Выгрузить сделки", "responsible": None}, {"title": "Свести таблицу", "responsible": None},
    ]}]  # fmt: skip
    assert template.tags == ["отчёт", "продажи"]
    assert template.rule["weekdays"] == [0, 4] and template.rule["count"] == 5 and template.rule["until"] is None
    assert template.next_run_at is not None


def test_rule_error_is_shown_at_its_field(client, org):
    client.force_login(org.sales_rep)

    response = client.post("/tasks/templates/new/", form_data(org, frequency="weekly"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"weekdays": ["Choose the days of the week."]}
    assert not TaskTemplate.objects.exists()


def test_ending_by_count_needs_a_number(client, org):
    client.force_login(org.sales_rep)

    response = client.post("/tasks/templates/new/", form_data(org, frequency="daily", end="count"))

    assert "count" in response.context["form"].errors


def test_editing_keeps_item_responsibles_and_turns_recurrence_off(client, org):
    template = service.create_template(
        by=org.sales_rep, title="Сверка", rule={"frequency": "daily", "interval": 1, "start": "2030-01-07"},
        checklist=[{"title": "", "items": [{"title": "Склад", "responsible": org.kazan_rep.pk}]}],
    )  # fmt: skip
    client.force_login(org.sales_rep)
    page = client.get(f"/tasks/templates/{template.pk}/")
    assert page.status_code == 200 and "Every day at 09:00" in page.content.decode()

    client.post(f"/tasks/templates/{template.pk}/", form_data(org, title="Сверка склада", checklist="Склад\nКасса"))

    template.refresh_from_db()
    assert template.title == "Сверка склада" and template.rule is None and template.next_run_at is None
    assert template.checklist[0]["items"] == [
        {"title": "Склад", "responsible": org.kazan_rep.pk}, {"title": "Касса", "responsible": None},
    ]  # fmt: skip


def test_someone_elses_template_is_not_found(client, org):
    template = service.create_template(by=org.sales_rep, title="Моё")
    client.force_login(org.kazan_rep)

    assert client.get(f"/tasks/templates/{template.pk}/").status_code == 404
    assert client.post(f"/tasks/templates/{template.pk}/use/").status_code == 404
    assert client.post(f"/tasks/templates/{template.pk}/", {"action": "delete"}).status_code == 404
    assert TaskTemplate.objects.filter(pk=template.pk).exists()


def test_delete_template(client, org):
    template = service.create_template(by=org.sales_rep, title="Лишнее")
    client.force_login(org.sales_rep)

    response = client.post(f"/tasks/templates/{template.pk}/", {"action": "delete"})

    assert response.status_code == 302 and not TaskTemplate.objects.filter(pk=template.pk).exists()


def test_save_task_as_template_then_set_a_task_from_it(client, org):
    task = make_task("Инвентаризация", by=org.sales_rep)
    checklist.add_item(task, by=org.sales_rep, title="Пересчитать")
    make_task("Инвентаризация: склад", by=org.sales_rep, parent=task)
    client.force_login(org.sales_rep)

    response = client.post(f"/tasks/{task.pk}/save-as-template/")

    template = TaskTemplate.objects.get(parent=None)
    assert response.status_code == 302 and response["Location"] == f"/tasks/templates/{template.pk}/"
    assert "Инвентаризация: склад" in client.get(response["Location"]).content.decode()

    response = client.post(f"/tasks/templates/{template.pk}/use/")

    copy = Task.objects.get(template=template)
    assert response["Location"] == f"/tasks/{copy.pk}/"
    assert ChecklistItem.objects.filter(task=copy, title="Пересчитать").exists()
    assert [sub.title for sub in copy.subtasks.all()] == ["Инвентаризация: склад"]


def test_save_as_template_of_an_unseen_task_is_not_found(client, org):
    task = make_task(by=org.sales_rep)
    client.force_login(org.marketing_rep)

    assert client.post(f"/tasks/{task.pk}/save-as-template/").status_code == 404
    assert client.get(f"/tasks/{task.pk}/save-as-template/").status_code == 405
    assert not TaskTemplate.objects.exists()


def test_sub_template_form_has_no_recurrence_and_returns_to_parent(client, org):
    parent = service.create_template(by=org.sales_rep, title="Родитель")
    client.force_login(org.sales_rep)

    page = client.get(f"/tasks/templates/new/?parent={parent.pk}")
    assert "frequency" not in page.context["form"].fields
    response = client.post(f"/tasks/templates/new/?parent={parent.pk}", form_data(org, title="Дочерний"))

    assert response["Location"] == f"/tasks/templates/{parent.pk}/"
    assert [child.title for child in service.sub_templates(parent)] == ["Дочерний"]


def test_recurrence_in_words():
    from django.utils import translation

    from kontora.tasks.views.templates import describe

    base = {"interval": 1, "time": "09:00", "start": "2030-01-01", "until": None, "count": None}
    with translation.override("en"):
        assert describe({**base, "frequency": "daily", "interval": 3}) == "Every 3 days at 09:00"
        assert (
            describe({**base, "frequency": "monthly", "day": 31, "count": 6})
            == "Every month on day 31 at 09:00, 6 times"
        )
        assert describe({**base, "frequency": "yearly", "month": 3, "day": 15, "until": "2035-12-31"}) == (
            "Every year on 15 March at 09:00, until 2035-12-31"
        )
        assert describe(None) == ""
