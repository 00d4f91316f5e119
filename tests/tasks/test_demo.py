"""The tasks demo: two projects with stages and linked work, a hundred and fifty tasks in every state."""

from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from kontora.core import demo
from kontora.core.demo import DemoBuilder
from kontora.core.registry import registry
from kontora.crm import demo as crm_demo
from kontora.tasks import demo as tasks_demo
from kontora.tasks.choices import Status
from kontora.tasks.models import ChecklistItem, CrmLink, Dependency, Project, Task, TaskComment, TaskMember, TimeEntry


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    """The accounts, CRM and tasks demos, built once for this module inside a transaction rolled back at the end."""
    previous = {key: registry.items("demo").get(key) for key in ("crm", "tasks")}
    registry.register("demo", "crm", DemoBuilder(20, crm_demo.build))
    registry.register("demo", "tasks", DemoBuilder(30, tasks_demo.build))
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            demo.build("Demo-pass-2026")
            yield
            transaction.set_rollback(True)
    finally:
        for key, builder in previous.items():
            if builder is None:
                registry.unregister("demo", key)
            else:
                registry.register("demo", key, builder)


def test_two_projects_with_members_stages_and_tasks(demo_company, db):
    names = set(Project.objects.values_list("name", flat=True))

    assert names == {"Внедрение CRM в ООО Вектор", "Запуск сайта"}
    for project in Project.objects.all():
        assert project.members.count() >= 5
        assert project.stages.count() == 4
        assert project.tasks.count() >= 20
        assert len(set(project.tasks.values_list("stage_id", flat=True))) == 4


def test_about_150_tasks_in_every_state(demo_company, db):
    statuses = Counter(Task.objects.values_list("status", flat=True))

    assert 140 <= Task.objects.count() <= 170
    assert {Status.PENDING, Status.IN_PROGRESS, Status.AWAITING_CONTROL, Status.COMPLETED, Status.DEFERRED} <= set(
        statuses
    )
    overdue = [task for task in Task.objects.all() if task.is_overdue]
    completed = Task.objects.filter(status=Status.COMPLETED)
    late = [task for task in completed if task.deadline and task.closed_at > task.deadline]
    assert len(overdue) >= 5
    assert 5 <= len(late) < completed.count()
    assert Task.objects.filter(deadline__gt=timezone.now()).count() >= 20
    assert all(task.closed_at < timezone.now() for task in completed)
    assert Task.objects.filter(created_at__lt=timezone.now() - timezone.timedelta(days=30)).count() >= 30


def test_people_work_links_and_structure(demo_company, db):
    assert TaskMember.objects.filter(role="A").count() >= 10
    assert TaskMember.objects.filter(role="U").count() >= 10
    assert ChecklistItem.objects.filter(parent__isnull=False, is_complete=True).exists()
    assert ChecklistItem.objects.filter(parent__isnull=False).values("task").distinct().count() >= 30
    assert TaskComment.objects.values("task").distinct().count() >= 30
    assert TimeEntry.objects.values("task").distinct().count() >= 50
    assert TimeEntry.objects.filter(stopped_at__isnull=True).count() >= 1
    assert Task.objects.filter(parent__isnull=False).count() >= 5
    assert Dependency.objects.count() >= 15
    assert CrmLink.objects.filter(code__startswith="D_").exists()


def test_demo_is_deterministic(demo_company, db):
    titles = list(Task.objects.order_by("pk").values_list("title", "status", "responsible__username")[:40])

    assert titles[0][0] == "Интервью с руководителем продаж «Вектора»"
    assert len({title for title, _status, _login in titles}) == 40
