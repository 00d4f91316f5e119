"""Projects: who sees and joins them, the owner's and moderators' powers, stages and the tasks inside."""

import pytest

from kontora.accounts import access
from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.events import history
from kontora.tasks import project_pages, selectors
from kontora.tasks.choices import ProjectRole, Visibility
from kontora.tasks.models import Project, ProjectMember
from kontora.tasks.services import projects as services
from kontora.tasks.services.tasks import create_task, move_to_stage, update_task
from tests.factories import make_project, make_task


def roles(project: Project) -> dict[str, str]:
    return {row.user.username: row.role for row in ProjectMember.objects.filter(project=project).select_related("user")}


def test_a_new_project_has_its_owner_moderators_members_and_three_stages(org):
    project = make_project(by=org.sales_rep, moderators=[org.kazan_rep], members=[org.marketing_rep])

    assert roles(project) == {"anna": ProjectRole.OWNER, "elena": ProjectRole.MODERATOR, "irina": ProjectRole.MEMBER}
    assert project.stages.count() == 3
    assert project.owner == org.sales_rep


def test_a_secret_project_is_invisible_to_outsiders_and_cannot_be_joined(org):
    project = make_project(by=org.sales_rep, visibility=Visibility.SECRET, members=[org.kazan_rep])

    assert not selectors.visible_projects(org.marketing_rep).filter(pk=project.pk).exists()
    assert selectors.visible_projects(org.kazan_rep).filter(pk=project.pk).exists()
    with pytest.raises(NotFound):
        services.join_project(project, by=org.marketing_rep)
    assert "irina" not in roles(project)


def test_an_open_project_is_joined_at_once(org):
    project = make_project(by=org.sales_rep, visibility=Visibility.OPEN)

    member = services.join_project(project, by=org.marketing_rep)

    assert member.role == ProjectRole.MEMBER
    assert selectors.my_projects(org.marketing_rep).filter(pk=project.pk).exists()


def test_a_closed_project_takes_a_request_which_the_owner_approves(org, django_capture_on_commit_callbacks):
    project = make_project(by=org.sales_rep, visibility=Visibility.CLOSED)
    task = make_task(by=org.sales_rep, project=project)

    with django_capture_on_commit_callbacks(execute=True):
        requested = services.join_project(project, by=org.marketing_rep)

    assert requested.role == ProjectRole.REQUESTED
    assert not access.can(org.marketing_rep, "read", task)
    assert not selectors.my_projects(org.marketing_rep).filter(pk=project.pk).exists()
    assert [row.user for row in project_pages.requests(project)] == [org.marketing_rep]
    assert org.sales_rep.notifications.filter(link=f"/tasks/projects/{project.pk}/").exists()

    services.answer_request(project, org.marketing_rep, by=org.sales_rep, approve=True)

    assert roles(project)["irina"] == ProjectRole.MEMBER
    assert access.can(org.marketing_rep, "read", task)


def test_asking_twice_keeps_one_request(org):
    project = make_project(by=org.sales_rep, visibility=Visibility.CLOSED)
    services.join_project(project, by=org.marketing_rep)

    again = services.join_project(project, by=org.marketing_rep)

    assert again.role == ProjectRole.REQUESTED
    assert ProjectMember.objects.filter(project=project, user=org.marketing_rep).count() == 1


def test_a_declined_request_is_gone_and_only_staff_answer(org):
    project = make_project(by=org.sales_rep, visibility=Visibility.CLOSED, members=[org.kazan_rep])
    services.join_project(project, by=org.marketing_rep)

    with pytest.raises(Forbidden):
        services.answer_request(project, org.marketing_rep, by=org.kazan_rep, approve=True)
    services.answer_request(project, org.marketing_rep, by=org.sales_rep, approve=False)

    assert "irina" not in roles(project)
    with pytest.raises(NotFound):
        services.answer_request(project, org.marketing_rep, by=org.sales_rep, approve=True)


def test_the_owner_cannot_leave_but_a_member_can(org):
    project = make_project(by=org.sales_rep, members=[org.kazan_rep])

    with pytest.raises(Invalid) as error:
        services.remove_member(project, org.sales_rep, by=org.sales_rep)
    services.remove_member(project, org.kazan_rep, by=org.kazan_rep)

    assert error.value.code == "OWNER_STAYS"
    assert roles(project) == {"anna": ProjectRole.OWNER}


def test_a_member_cannot_remove_others(org):
    project = make_project(by=org.sales_rep, members=[org.kazan_rep, org.marketing_rep])

    with pytest.raises(Forbidden):
        services.remove_member(project, org.marketing_rep, by=org.kazan_rep)

    assert "irina" in roles(project)


def test_hand_over_makes_the_new_owner_and_keeps_the_old_as_moderator(org):
    project = make_project(by=org.sales_rep, members=[org.kazan_rep])

    services.hand_over(project, org.kazan_rep, by=org.sales_rep)

    project.refresh_from_db()
    assert project.owner == org.kazan_rep
    assert roles(project) == {"anna": ProjectRole.MODERATOR, "elena": ProjectRole.OWNER}
    assert history.for_object(project).filter(action="update").first().changes == {
        "owner": [org.sales_rep.pk, org.kazan_rep.pk]
    }


def test_a_moderator_cannot_take_the_project_over(org):
    project = make_project(by=org.sales_rep, moderators=[org.marketing_rep])

    with pytest.raises(Forbidden):
        services.hand_over(project, org.marketing_rep, by=org.marketing_rep)

    assert roles(project)["anna"] == ProjectRole.OWNER


def test_moderators_change_roles_but_never_the_owners(org):
    project = make_project(by=org.sales_rep, moderators=[org.kazan_rep], members=[org.marketing_rep])

    services.add_member(project, org.marketing_rep, by=org.kazan_rep, role=ProjectRole.MODERATOR)
    services.add_member(project, org.sales_rep, by=org.kazan_rep, role=ProjectRole.MEMBER)

    assert roles(project) == {"anna": ProjectRole.OWNER, "elena": ProjectRole.MODERATOR, "irina": ProjectRole.MODERATOR}


def test_deleting_a_stage_moves_its_tasks_to_the_first_remaining_stage(org):
    project = make_project(by=org.sales_rep)
    first, second, third = project.stages.all()
    task = make_task(by=org.sales_rep, project=project, stage=third)

    services.delete_stage(third, by=org.sales_rep)
    task.refresh_from_db()

    assert task.stage == first
    assert list(project.stages.all()) == [first, second]


def test_the_last_stage_stays_and_members_do_not_manage_stages(org):
    project = make_project(by=org.sales_rep, members=[org.kazan_rep], stages=[("Only", "#123456")])

    with pytest.raises(Invalid):
        services.delete_stage(project.stages.get(), by=org.sales_rep)
    with pytest.raises(Forbidden):
        services.add_stage(project, by=org.kazan_rep, title="Mine")


def test_stages_reorder_and_refuse_a_bad_colour(org):
    project = make_project(by=org.sales_rep)
    first, second, third = project.stages.all()

    services.reorder_stages(project, [third.pk, first.pk, second.pk], by=org.sales_rep)
    with pytest.raises(Invalid) as error:
        services.update_stage(first, by=org.sales_rep, color="red;background:url(x)")

    assert list(project.stages.all()) == [third, first, second]
    assert error.value.code == "BAD_COLOUR"


def test_non_members_cannot_post_tasks_into_a_project(org):
    project = make_project(by=org.sales_rep, visibility=Visibility.OPEN)

    with pytest.raises(Invalid) as error:
        create_task(by=org.marketing_rep, title="Sneak in", project=project)

    assert error.value.code == "UNKNOWN_PROJECT"
    assert not project.tasks.exists()


def test_members_post_tasks_and_they_start_in_the_first_stage(org):
    project = make_project(by=org.sales_rep, members=[org.marketing_rep])

    task = create_task(by=org.marketing_rep, title="Inside", project=project)

    assert task.stage == project.stages.first()


def test_an_archived_project_refuses_tasks(org):
    project = make_project(by=org.sales_rep)
    services.update_project(project, by=org.sales_rep, archived=True)

    with pytest.raises(Invalid):
        create_task(by=org.sales_rep, title="Late", project=project)
    with pytest.raises(NotFound):
        services.join_project(project, by=org.marketing_rep)


def test_moving_a_task_to_another_projects_stage_is_refused(org):
    project = make_project(by=org.sales_rep)
    other = make_project(by=org.sales_rep)
    task = make_task(by=org.sales_rep, project=project)

    with pytest.raises(Invalid):
        move_to_stage(task, other.stages.first(), by=org.sales_rep)


def test_board_puts_tasks_without_a_stage_in_the_first_column(org):
    project = make_project(by=org.sales_rep)
    task = make_task(by=org.sales_rep)
    update_task(task, by=org.sales_rep, project=project)  # a change of project clears the stage

    columns = project_pages.board(org.sales_rep, project)

    assert [card.pk for card in columns[0]["cards"]] == [task.pk]
    assert columns[0]["cards"][0].can_move


def test_a_member_who_did_not_set_the_task_cannot_move_it(org):
    project = make_project(by=org.sales_rep, members=[org.marketing_rep])
    task = make_task(by=org.sales_rep, project=project)

    card = project_pages.board(org.marketing_rep, project)[0]["cards"][0]
    with pytest.raises(Forbidden):
        move_to_stage(task, project.stages.last(), by=org.marketing_rep)

    assert card.pk == task.pk and not card.can_move


def test_project_lists_split_mine_from_others_and_search_by_name(org):
    mine = make_project("Сайт", by=org.sales_rep)
    other = make_project("Склад", by=org.marketing_rep, visibility=Visibility.CLOSED)
    make_project("Тайна", by=org.marketing_rep, visibility=Visibility.SECRET)

    assert list(project_pages.projects(org.sales_rep, "mine")) == [mine]
    assert list(project_pages.projects(org.sales_rep, "other")) == [other]
    assert list(project_pages.projects(org.sales_rep, "other", "скл")) == [other]
    assert list(project_pages.projects(org.sales_rep, "other", "сайт")) == []
