"""Project screens over HTTP: lists, the project page and its feed, joining, members, the kanban and its stages."""

import pytest
from django.urls import reverse

from kontora.accounts.services import update_user
from kontora.tasks.choices import ProjectRole, Visibility
from kontora.tasks.models import Project, ProjectMember, ProjectStage
from kontora.tasks.services.tasks import update_task
from tests.factories import make_project, make_task


@pytest.fixture
def client(client, org):
    """A client whose force_login also switches the person to English: the assertions read English."""
    login = client.force_login

    def force_login(user, backend=None):
        update_user(user, by=org.admin, language="en")
        login(user, backend)

    client.force_login = force_login
    return client


def test_project_list_shows_my_projects_and_others_in_tabs(client, org):
    make_project("Сайт", by=org.sales_rep)
    make_project("Склад", by=org.marketing_rep, visibility=Visibility.CLOSED)
    make_project("Тайна", by=org.marketing_rep, visibility=Visibility.SECRET)
    client.force_login(org.sales_rep)

    mine = client.get(reverse("tasks:projects")).content.decode()
    others = client.get(reverse("tasks:projects"), {"tab": "other"}).content.decode()
    found = client.get(reverse("tasks:projects"), {"tab": "other", "q": "скл"}).content.decode()

    assert "Сайт" in mine and "Склад" not in mine
    assert "Склад" in others and "Тайна" not in others and "Сайт" not in others
    assert "Склад" in found


def test_create_project_through_the_form(client, org):
    client.force_login(org.sales_rep)

    response = client.post(reverse("tasks:project_new"), {
        "name": "Выставка", "description": "Стенд", "visibility": Visibility.CLOSED,
        "moderators": [org.kazan_rep.pk], "members": [org.marketing_rep.pk],
    })  # fmt: skip

    project = Project.objects.get(name="Выставка")
    assert response.status_code == 302 and response.url == reverse("tasks:project", args=[project.pk])
    assert dict(ProjectMember.objects.filter(project=project).values_list("user__username", "role")) == {
        "anna": ProjectRole.OWNER, "elena": ProjectRole.MODERATOR, "irina": ProjectRole.MEMBER,
    }  # fmt: skip


def test_create_project_without_a_name_shows_the_error(client, org):
    client.force_login(org.sales_rep)

    response = client.post(reverse("tasks:project_new"), {"name": " ", "visibility": Visibility.OPEN})

    assert response.status_code == 200
    assert "Name the project." in response.content.decode()
    assert not Project.objects.exists()


def test_project_page_renders_members_and_the_drive_note(client, org):
    project = make_project("Сайт", by=org.sales_rep, moderators=[org.kazan_rep], description="О сайте")
    client.force_login(org.sales_rep)

    page = client.get(reverse("tasks:project", args=[project.pk])).content.decode()

    assert "О сайте" in page and org.kazan_rep.full_name in page
    assert "The drive is not built yet" in page
    assert "Drive folder" not in page


def test_edit_page_saves_and_is_hidden_from_plain_members(client, org):
    project = make_project("Сайт", by=org.sales_rep, members=[org.kazan_rep])
    client.force_login(org.kazan_rep)
    assert client.get(reverse("tasks:project_edit", args=[project.pk])).status_code == 404

    client.force_login(org.sales_rep)
    response = client.post(
        reverse("tasks:project_edit", args=[project.pk]), {"name": "Сайт 2", "visibility": Visibility.SECRET}
    )

    project.refresh_from_db()
    assert response.status_code == 302
    assert (project.name, project.visibility) == ("Сайт 2", Visibility.SECRET)


def test_a_secret_project_is_404_for_outsiders(client, org):
    project = make_project(by=org.sales_rep, visibility=Visibility.SECRET)
    client.force_login(org.marketing_rep)

    assert client.get(reverse("tasks:project", args=[project.pk])).status_code == 404
    assert client.get(reverse("tasks:project_board", args=[project.pk])).status_code == 404
    assert client.post(reverse("tasks:project_join", args=[project.pk])).status_code == 404


def test_joining_an_open_project_over_http(client, org):
    project = make_project(by=org.sales_rep, visibility=Visibility.OPEN)
    client.force_login(org.marketing_rep)

    response = client.post(reverse("tasks:project_join", args=[project.pk]), follow=True)

    assert ProjectMember.objects.get(project=project, user=org.marketing_rep).role == ProjectRole.MEMBER
    assert "Leave the project" in response.content.decode()


def test_asking_to_join_a_closed_project_and_the_owner_approving(client, org):
    project = make_project(by=org.sales_rep, visibility=Visibility.CLOSED)
    client.force_login(org.marketing_rep)

    asked = client.post(reverse("tasks:project_join", args=[project.pk]), follow=True).content.decode()

    assert "Request sent" in asked
    assert ProjectMember.objects.get(project=project, user=org.marketing_rep).role == ProjectRole.REQUESTED

    client.force_login(org.sales_rep)
    page = client.get(reverse("tasks:project", args=[project.pk])).content.decode()
    assert org.marketing_rep.full_name in page and "Approve" in page
    client.post(reverse("tasks:project_answer", args=[project.pk]), {"user": org.marketing_rep.pk, "approve": "1"})

    assert ProjectMember.objects.get(project=project, user=org.marketing_rep).role == ProjectRole.MEMBER


def test_a_plain_member_cannot_answer_requests(client, org):
    project = make_project(by=org.sales_rep, visibility=Visibility.CLOSED, members=[org.kazan_rep])
    ProjectMember.objects.create(project=project, user=org.marketing_rep, role=ProjectRole.REQUESTED)
    client.force_login(org.kazan_rep)

    response = client.post(
        reverse("tasks:project_answer", args=[project.pk]), {"user": org.marketing_rep.pk, "approve": "1"}, follow=True
    )

    assert "Access denied" in response.content.decode()
    assert ProjectMember.objects.get(project=project, user=org.marketing_rep).role == ProjectRole.REQUESTED


def test_owner_adds_promotes_removes_and_hands_over(client, org):
    project = make_project(by=org.sales_rep)
    client.force_login(org.sales_rep)
    members = reverse("tasks:project_member_add", args=[project.pk])

    client.post(members, {"user": org.kazan_rep.pk, "role": ProjectRole.MEMBER})
    client.post(members, {"user": org.kazan_rep.pk, "role": ProjectRole.MODERATOR})
    client.post(members, {"user": org.marketing_rep.pk, "role": ProjectRole.MEMBER})
    client.post(reverse("tasks:project_member_remove", args=[project.pk]), {"user": org.marketing_rep.pk})
    client.post(reverse("tasks:project_hand_over", args=[project.pk]), {"user": org.kazan_rep.pk})

    project.refresh_from_db()
    assert project.owner == org.kazan_rep
    assert dict(ProjectMember.objects.filter(project=project).values_list("user__username", "role")) == {
        "anna": ProjectRole.MODERATOR, "elena": ProjectRole.OWNER,
    }  # fmt: skip


def test_the_owner_cannot_leave_over_http(client, org):
    project = make_project(by=org.sales_rep)
    client.force_login(org.sales_rep)

    response = client.post(reverse("tasks:project_leave", args=[project.pk]), follow=True)

    assert "hand it over first" in response.content.decode()
    assert ProjectMember.objects.filter(project=project, user=org.sales_rep).exists()


def test_archiving_hides_the_quick_add(client, org):
    project = make_project(by=org.sales_rep)
    client.force_login(org.sales_rep)

    client.post(reverse("tasks:project_archive", args=[project.pk]), {"archived": "1"})
    board = client.get(reverse("tasks:project_board", args=[project.pk])).content.decode()

    project.refresh_from_db()
    assert project.archived
    assert reverse("tasks:project_quick_task", args=[project.pk]) not in board


def test_the_feed_shows_only_the_changes_of_tasks_the_viewer_can_see(client, org):
    project = make_project(by=org.sales_rep, visibility=Visibility.OPEN, members=[org.marketing_rep])
    seen = make_task("Видимая задача", by=org.marketing_rep, project=project)
    hidden = make_task("Скрытая задача", by=org.sales_rep, project=project)
    update_task(seen, by=org.marketing_rep, title="Видимая задача, поправленная")
    client.force_login(org.kazan_rep)  # sees the open project, but is in none of its tasks and not a member

    outsider = client.get(reverse("tasks:project", args=[project.pk])).content.decode()
    client.force_login(org.marketing_rep)
    member = client.get(reverse("tasks:project", args=[project.pk])).content.decode()

    assert "Видимая задача" not in outsider and "Скрытая задача" not in outsider
    assert "Видимая задача, поправленная" in member and "Скрытая задача" in member
    assert f'href="/tasks/{seen.pk}/"' in member and f'href="/tasks/{hidden.pk}/"' in member


def test_the_board_shows_columns_and_cards(client, org):
    project = make_project(by=org.sales_rep)
    make_task("Сверстать", by=org.sales_rep, project=project, stage=project.stages.last())
    client.force_login(org.sales_rep)

    board = client.get(reverse("tasks:project_board", args=[project.pk])).content.decode()

    assert "Сверстать" in board
    assert all(stage.title in board for stage in project.stages.all())
    assert "data-movable" in board and "sortable.min.js" in board


def test_board_move_puts_the_task_into_the_stage(client, org):
    project = make_project(by=org.sales_rep)
    task = make_task(by=org.sales_rep, project=project)
    last = project.stages.last()
    client.force_login(org.sales_rep)

    response = client.post(
        reverse("tasks:project_board_move", args=[project.pk, task.pk]), {"stage": last.pk}, HTTP_HX_REQUEST="true"
    )

    task.refresh_from_db()
    assert response.status_code == 200
    assert task.stage == last
    assert f'id="task-card-{task.pk}"' in response.content.decode()
    assert f'id="stage-head-{last.pk}"' in response.content.decode()


def test_a_refused_move_answers_with_the_reason(client, org):
    project = make_project(by=org.sales_rep, members=[org.marketing_rep])
    task = make_task(by=org.sales_rep, project=project)
    first = task.stage
    client.force_login(org.marketing_rep)

    response = client.post(
        reverse("tasks:project_board_move", args=[project.pk, task.pk]), {"stage": project.stages.last().pk}
    )

    task.refresh_from_db()
    assert response.status_code == 403
    assert 'class="error"' in response.content.decode()
    assert task.stage == first


def test_quick_add_creates_the_task_in_the_column(client, org):
    project = make_project(by=org.sales_rep, members=[org.marketing_rep])
    stage = project.stages.all()[1]
    client.force_login(org.marketing_rep)

    client.post(reverse("tasks:project_quick_task", args=[project.pk]), {"title": "Позвонить", "stage": stage.pk})

    task = project.tasks.get()
    assert (task.title, task.stage, task.created_by) == ("Позвонить", stage, org.marketing_rep)


def test_stage_add_rename_reorder_and_delete(client, org):
    project = make_project(by=org.sales_rep)
    first, second, third = project.stages.all()
    task = make_task(by=org.sales_rep, project=project, stage=second)
    client.force_login(org.sales_rep)

    client.post(reverse("tasks:project_stage_add", args=[project.pk]), {"title": "Проверка", "color": "#aa0000"})
    client.post(reverse("tasks:project_stage_update", args=[project.pk, first.pk]), {"title": "Очередь"})
    added = ProjectStage.objects.get(project=project, title="Проверка")
    order = client.post(
        reverse("tasks:project_stages_order", args=[project.pk]),
        {"stage": [added.pk, third.pk, second.pk, first.pk]}, HTTP_HX_REQUEST="true",
    )  # fmt: skip
    client.post(reverse("tasks:project_stage_delete", args=[project.pk, second.pk]))

    task.refresh_from_db()
    assert order.status_code == 204
    assert [stage.title for stage in project.stages.all()] == ["Проверка", third.title, "Очередь"]
    assert added.color == "#aa0000"
    assert task.stage == added


def test_members_cannot_manage_stages_over_http(client, org):
    project = make_project(by=org.sales_rep, members=[org.marketing_rep])
    client.force_login(org.marketing_rep)

    response = client.post(reverse("tasks:project_stage_delete", args=[project.pk, project.stages.first().pk]))
    board = client.get(reverse("tasks:project_board", args=[project.pk])).content.decode()

    assert response.status_code == 302
    assert project.stages.count() == 3
    assert "Stage settings" not in board
