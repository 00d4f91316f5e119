"""Creating and changing tasks: validation in the user's language, who may change what, links, history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.events import history
from kontora.tasks.choices import MemberRole, Status
from kontora.tasks.models import Task, TaskMember
from kontora.tasks.services import tasks as service
from tests.factories import make_deal, make_project, make_task


def test_a_task_is_set_with_people_links_and_sanitized_description(org):
    deal = make_deal(by=org.sales_rep)
    task = make_task(
        "Подготовить КП", by=org.sales_head, responsible=org.sales_rep, accomplices=[org.kazan_rep],
        auditors=[org.director], crm=[f"d_{deal.pk}"], tags=["кп", " кп ", "срочно"],
        description='<p onclick="x()">Сделать <script>alert(1)</script><b>сегодня</b></p>',
    )  # fmt: skip

    assert task.created_by == org.sales_head and task.responsible == org.sales_rep
    assert task.status == Status.PENDING
    assert task.description == "<p>Сделать <b>сегодня</b></p>"
    assert task.tags == ["кп", "срочно"]
    assert list(task.crm_links.values_list("code", flat=True)) == [f"D_{deal.pk}"]
    roles = set(TaskMember.objects.filter(task=task).values_list("user__username", "role"))
    assert roles == {("elena", MemberRole.ACCOMPLICE), ("director", MemberRole.AUDITOR)}
    assert history.for_object(task).get().action == "create"


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "x", "responsible": 999999}, "responsible"),
    ({"title": "x", "priority": 7}, "priority"),
    ({"title": "x", "time_estimate": "много"}, "time_estimate"),
    ({"title": "x", "crm": ["D_999999"]}, "crm"),
    ({"title": "x", "crm": ["X_1"]}, "crm"),
    ({"title": "x", "start_date_plan": timezone.now(), "end_date_plan": timezone.now() - timedelta(days=1)},
     "end_date_plan"),
])  # fmt: skip
def test_bad_input_names_the_field(org, fields, field):
    with pytest.raises(Invalid) as error:
        service.create_task(by=org.sales_rep, **fields)

    assert error.value.field == field
    assert not Task.objects.exists()


def test_crm_link_to_a_record_the_setter_cannot_see_is_refused(org):
    deal = make_deal(by=org.marketing_rep)

    with pytest.raises(Invalid):
        make_task(by=org.kazan_rep, crm=[f"D_{deal.pk}"])


def test_responsible_changes_the_deadline_only_when_allowed(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    later = timezone.now() + timedelta(days=3)

    with pytest.raises(Forbidden):
        service.set_deadline(task, later, by=org.sales_rep)

    service.update_task(task, by=org.sales_head, allow_change_deadline=True)
    assert service.set_deadline(task, later, by=org.sales_rep).deadline == later
    with pytest.raises(Forbidden):
        service.update_task(task, by=org.sales_rep, title="Другое")


def test_head_of_the_responsible_may_edit_and_observer_may_not(org):
    task = make_task(by=org.kazan_rep, responsible=org.kazan_rep, auditors=[org.marketing_rep])

    assert service.update_task(task, by=org.sales_head, title="Проверено").title == "Проверено"
    with pytest.raises(Forbidden):
        service.update_task(task, by=org.marketing_rep, title="Нет")


def test_outsider_gets_not_found(org):
    task = make_task(by=org.sales_rep)

    with pytest.raises(NotFound):
        service.update_task(task, by=org.marketing_rep, title="x")


def test_subtask_cannot_become_its_own_parent(org):
    parent = make_task(by=org.sales_rep)
    child = make_task(by=org.sales_rep, parent=parent)

    with pytest.raises(Invalid) as error:
        service.update_task(parent, by=org.sales_rep, parent=child.pk)

    assert error.value.code == "PARENT_CYCLE"


def test_tasks_go_to_a_project_only_for_its_members(org):
    project = make_project(by=org.sales_head, members=[org.sales_rep])

    task = make_task(by=org.sales_rep, project=project)
    assert task.stage == project.stages.first()
    with pytest.raises(Invalid) as error:
        make_task(by=org.marketing_rep, project=project)
    assert error.value.field == "project"


def test_members_and_links_are_replaced_with_history(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep, accomplices=[org.kazan_rep])

    service.update_task(task, by=org.sales_head, accomplices=[org.marketing_rep], auditors=[org.kazan_rep])

    change = history.for_object(task).filter(action="update").get()
    assert change.changes["accomplices"] == [[org.kazan_rep.pk], [org.marketing_rep.pk]]
    assert change.changes["auditors"] == [[], [org.kazan_rep.pk]]


def test_deleted_task_goes_to_the_bin_and_comes_back(org):
    task = make_task(by=org.sales_rep)

    service.delete_task(task, by=org.sales_rep)
    assert not Task.objects.filter(pk=task.pk).exists()
    with pytest.raises(NotFound):
        service.restore_task(task.pk, by=org.marketing_rep)

    assert service.restore_task(task.pk, by=org.sales_rep).deleted_at is None
