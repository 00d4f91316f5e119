"""Who sees a task: its participants, their heads, project members; administrators see all."""

import pytest

from kontora.accounts import access
from kontora.tasks.choices import Visibility
from kontora.tasks.models import Project, Task
from tests.factories import make_project, make_task
from tests.support.access_matrix import assert_access_matrix


def make_own_task(owner):
    return Task.objects.create(title=f"task of {owner.username}", created_by=owner, responsible=owner)


def test_builtin_roles_matrix_has_no_leaks(org):
    assert assert_access_matrix(Task, make_own_task, org) > 0


def test_each_participant_sees_the_task_and_outsiders_do_not(org):
    task = make_task(
        by=org.sales_head, responsible=org.sales_rep, accomplices=[org.kazan_rep], auditors=[org.marketing_rep]
    )
    visible = {user.username for user in org.people() if access.visible(user, Task).filter(pk=task.pk).exists()}

    # creator, responsible, co-executor, observer, the heads above them, the administrator and the read-only role
    assert visible == {"oleg", "anna", "elena", "irina", "director", "admin", "viktor"}


def test_head_sees_subordinates_tasks_set_by_others(org):
    task = make_task(by=org.marketing_rep, responsible=org.kazan_rep)

    assert access.can(org.sales_head, "read", task)
    assert not access.can(org.sales_rep, "read", task)


@pytest.mark.parametrize(("visibility", "outsider_sees_project"), [
    (Visibility.OPEN, True), (Visibility.CLOSED, True), (Visibility.SECRET, False),
])  # fmt: skip
def test_project_tasks_are_seen_by_members_only(org, visibility, outsider_sees_project):
    project = make_project(by=org.sales_head, visibility=visibility, members=[org.marketing_rep])
    task = make_task(by=org.sales_head, responsible=org.sales_head, project=project)

    assert access.can(org.marketing_rep, "read", task)
    assert not access.can(org.sales_rep, "read", task)
    assert access.can(org.sales_rep, "read", project) is outsider_sees_project
    assert not access.can(org.sales_rep, "update", project)


def test_project_moderator_may_change_project_tasks(org):
    project = make_project(by=org.sales_head, moderators=[org.marketing_rep])
    task = make_task(by=org.sales_head, responsible=org.sales_head, project=project)

    assert access.can(org.marketing_rep, "update", task)
    assert Project.objects.filter(pk=project.pk).exists()
