"""Task templates: saving a task as one, setting tasks from it, recurrence rules and their runs, once each."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from kontora.core.errors import Invalid, NotFound
from kontora.tasks.choices import MemberRole, Priority
from kontora.tasks.models import ChecklistItem, Occurrence, Task, TaskMember, TaskTemplate
from kontora.tasks.services import checklist
from kontora.tasks.services import templates as service
from tests.factories import make_project, make_task
from tests.support.processes import Process, process_env, wait_for

RULE = {"frequency": "daily", "interval": 1, "time": "09:00", "start": "2030-01-07"}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_recurring(by, rule=None, **fields) -> TaskTemplate:
    return service.create_template(by=by, title=fields.pop("title", "Отчёт"), rule={**RULE, **(rule or {})}, **fields)


def dates(template: TaskTemplate, limit: int = 6) -> list[str]:
    tz = service.time_zone_of(template.created_by)
    return [run.astimezone(tz).strftime("%Y-%m-%d %H:%M") for run in service.upcoming(template, limit)]


# ---- saving a task as a template and setting tasks from it ------------------------------------------------------


def test_save_as_template_copies_fields_people_checklist_and_subtasks(org):
    task = make_task(
        "Квартальный отчёт", by=org.sales_head, responsible=org.sales_rep, accomplices=[org.kazan_rep],
        auditors=[org.director], priority=Priority.HIGH, requires_control=True, tags=["отчёт"],
    )  # fmt: skip
    group = checklist.add_group(task, by=org.sales_head, title="Подготовка")
    checklist.add_item(task, by=org.sales_head, title="Собрать цифры", group=group, responsible=org.kazan_rep)
    checklist.add_item(task, by=org.sales_head, title="Свести таблицу", group=group)
    subtask = make_task("Цифры Казани", by=org.sales_head, responsible=org.kazan_rep, parent=task)
    make_task("Деталь", by=org.sales_head, parent=subtask)

    template = service.save_as_template(task, by=org.sales_head)

    assert template.created_by == org.sales_head and template.responsible == org.sales_rep
    assert template.accomplices == [org.kazan_rep.pk] and template.auditors == [org.director.pk]
    assert template.priority == Priority.HIGH and template.requires_control and template.tags == ["отчёт"]
    assert template.checklist == [
        {"title": "Подготовка", "items": [
            {"title": "Собрать цифры", "responsible": org.kazan_rep.pk},
            {"title": "Свести таблицу", "responsible": None},
        ]},
    ]  # fmt: skip
    [child] = service.sub_templates(template)
    assert child.title == "Цифры Казани" and child.responsible == org.kazan_rep
    assert [grandchild.title for grandchild in service.sub_templates(child)] == ["Деталь"]


def test_save_as_template_without_subtasks(org):
    task = make_task(by=org.sales_rep)
    make_task(by=org.sales_rep, parent=task)

    template = service.save_as_template(task, by=org.sales_rep, include_subtasks=False)

    assert service.sub_templates(template) == []


def test_save_as_template_needs_to_see_the_task(org):
    task = make_task(by=org.sales_rep)

    with pytest.raises(NotFound):
        service.save_as_template(task, by=org.marketing_rep)


def test_creating_from_template_recreates_checklist_subtasks_and_people(org):
    template = service.create_template(
        by=org.sales_head, title="Планёрка", responsible=org.sales_rep, accomplices=[org.kazan_rep.pk],
        auditors=[org.director.pk], deadline_after=2 * 3600, tags=["планёрка"],
        checklist=[{"title": "Повестка", "items": [{"title": "Итоги недели", "responsible": org.sales_rep.pk}]}],
    )  # fmt: skip
    service.create_template(by=org.sales_head, title="Протокол", parent=template, responsible=org.kazan_rep)
    now = timezone.now()

    task = service.create_from_template(template, by=org.sales_head)

    assert task.template == template and task.created_by == org.sales_head and task.responsible == org.sales_rep
    assert abs((task.deadline - now) - timedelta(hours=2)) < timedelta(minutes=1)
    members = set(TaskMember.objects.filter(task=task).values_list("user_id", "role"))
    assert members == {(org.kazan_rep.pk, MemberRole.ACCOMPLICE), (org.director.pk, MemberRole.AUDITOR)}
    group = ChecklistItem.objects.get(task=task, parent=None)
    assert group.title == "Повестка"
    assert [(item.title, item.responsible_id) for item in group.items.all()] == [("Итоги недели", org.sales_rep.pk)]
    [subtask] = task.subtasks.all()
    assert subtask.title == "Протокол" and subtask.responsible == org.kazan_rep and subtask.template is not None


def test_round_trip_task_to_template_to_task(org):
    task = make_task("Сверка", by=org.sales_rep)
    checklist.add_item(task, by=org.sales_rep, title="Выгрузить")
    make_task("Сверка: склад", by=org.sales_rep, parent=task)

    copy = service.create_from_template(service.save_as_template(task, by=org.sales_rep), by=org.sales_rep)

    assert copy.pk != task.pk and copy.title == "Сверка"
    assert list(ChecklistItem.objects.filter(task=copy, parent__isnull=False).values_list("title", flat=True)) == [
        "Выгрузить"
    ]
    assert [sub.title for sub in copy.subtasks.all()] == ["Сверка: склад"]


def test_templates_are_personal(org):
    template = service.create_template(by=org.sales_rep, title="Моё")

    assert list(service.my_templates(org.sales_rep)) == [template]
    assert list(service.my_templates(org.sales_head)) == []
    for outsider in (org.sales_head, org.kazan_rep):
        with pytest.raises(NotFound):
            service.get_template(outsider, template.pk)
        with pytest.raises(NotFound):
            service.update_template(template, by=outsider, title="Чужое")
        with pytest.raises(NotFound):
            service.create_from_template(template, by=outsider)
    assert service.get_template(org.admin, template.pk) == template
    service.delete_template(template, by=org.admin)
    assert not TaskTemplate.objects.filter(pk=template.pk).exists()


def test_template_project_must_be_one_the_author_posts_to(org):
    project = make_project(by=org.sales_head)

    with pytest.raises(Invalid) as error:
        service.create_template(by=org.marketing_rep, title="Чужой проект", project=project.pk)

    assert error.value.field == "project"
    assert service.create_template(by=org.sales_head, title="Свой", project=project.pk).project == project


# ---- rule validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"frequency": "hourly"}, "frequency"),
        ({"interval": 0}, "interval"),
        ({"interval": "x"}, "interval"),
        ({"frequency": "weekly"}, "weekdays"),
        ({"frequency": "weekly", "weekdays": [7]}, "weekdays"),
        ({"frequency": "monthly"}, "day"),
        ({"frequency": "monthly", "day": 32}, "day"),
        ({"frequency": "yearly", "day": 10}, "month"),
        ({"frequency": "yearly", "month": 4, "day": 31}, "day"),
        ({"time": "25:00"}, "time"),
        ({"start": ""}, "start"),
        ({"start": "07.01.2030"}, "start"),
        ({"until": "2029-12-31"}, "until"),
        ({"count": 0}, "count"),
        ({"until": "2030-02-01", "count": 3}, "count"),
    ],
)
def test_rule_validation_points_at_the_field(rule, field):
    with pytest.raises(Invalid) as error:
        service.validate_rule({**RULE, **rule})

    assert error.value.field == field


def test_rule_is_stored_in_normal_form(org):
    template = make_recurring(org.sales_rep, {"frequency": "weekly", "weekdays": ["3", 0, 3], "time": "9:05"})

    assert template.rule == {
        "frequency": "weekly", "interval": 1, "weekdays": [0, 3], "time": "09:05", "start": "2030-01-07",
        "until": None, "count": None,
    }  # fmt: skip


# ---- rrule dates ------------------------------------------------------------------------------------------------


def test_weekly_on_chosen_days(org):
    template = make_recurring(org.sales_rep, {"frequency": "weekly", "weekdays": [0, 3], "start": "2030-01-01"})

    assert dates(template, 4) == ["2030-01-03 09:00", "2030-01-07 09:00", "2030-01-10 09:00", "2030-01-14 09:00"]


def test_every_second_week_on_monday(org):
    template = make_recurring(org.sales_rep, {"frequency": "weekly", "interval": 2, "weekdays": [0]})

    assert dates(template, 3) == ["2030-01-07 09:00", "2030-01-21 09:00", "2030-02-04 09:00"]


def test_monthly_on_day_31_skips_shorter_months_as_rrule_does(org):
    template = make_recurring(org.sales_rep, {"frequency": "monthly", "day": 31, "start": "2030-01-01"})

    assert dates(template, 5) == [
        "2030-01-31 09:00", "2030-03-31 09:00", "2030-05-31 09:00", "2030-07-31 09:00", "2030-08-31 09:00",
    ]  # fmt: skip


def test_yearly_on_a_date_and_on_29_february(org):
    template = make_recurring(org.sales_rep, {"frequency": "yearly", "month": 3, "day": 15, "time": "10:30"})
    leap = make_recurring(org.sales_rep, {"frequency": "yearly", "month": 2, "day": 29})

    assert dates(template, 2) == ["2030-03-15 10:30", "2031-03-15 10:30"]
    assert dates(leap, 2) == ["2032-02-29 09:00", "2036-02-29 09:00"]


def test_count_and_until_end_the_series(org):
    counted = make_recurring(org.sales_rep, {"count": 3})
    until = make_recurring(org.sales_rep, {"frequency": "weekly", "weekdays": [0], "until": "2030-01-21"})

    assert dates(counted) == ["2030-01-07 09:00", "2030-01-08 09:00", "2030-01-09 09:00"]
    assert dates(until) == ["2030-01-07 09:00", "2030-01-14 09:00", "2030-01-21 09:00"]


def test_runs_follow_the_creators_time_zone_across_daylight_saving(org):
    org.sales_rep.time_zone = "America/New_York"
    org.sales_rep.save(update_fields=["time_zone"])
    template = make_recurring(org.sales_rep, {"start": "2030-03-09"})  # DST starts on 10 March 2030

    assert service.upcoming(template, 2) == [utc(2030, 3, 9, 14, 0), utc(2030, 3, 10, 13, 0)]


def test_runs_in_moscow_time_by_default(org):
    template = make_recurring(org.sales_rep)

    assert template.next_run_at == utc(2030, 1, 7, 6, 0)


def test_the_first_run_is_not_in_the_past(org):
    template = make_recurring(org.sales_rep, {"start": "2020-01-01"})

    assert template.next_run_at > timezone.now() - timedelta(days=1)


def test_turning_recurrence_off(org):
    template = make_recurring(org.sales_rep)

    service.set_recurrence(template, by=org.sales_rep, rule=None)

    template.refresh_from_db()
    assert template.rule is None and template.next_run_at is None
    assert service.run_due_templates(now=utc(2031, 1, 1)) == 0


# ---- runs -------------------------------------------------------------------------------------------------------


def test_due_run_sets_the_task_and_advances(org):
    template = make_recurring(org.sales_head, responsible=org.sales_rep, deadline_after=3600)

    assert service.run_due_templates(now=utc(2030, 1, 7, 5, 0)) == 0
    assert service.run_due_templates(now=utc(2030, 1, 7, 6, 0)) == 1

    [task] = Task.objects.filter(template=template)
    assert task.created_by == org.sales_head and task.responsible == org.sales_rep
    assert task.deadline == utc(2030, 1, 7, 7, 0)
    template.refresh_from_db()
    assert template.occurrences == 1 and template.next_run_at == utc(2030, 1, 8, 6, 0)
    assert Occurrence.objects.get(template=template).task == task


def test_missed_runs_are_each_set_once_at_most_ten_a_pass(org):
    template = make_recurring(org.sales_rep)
    now = utc(2030, 1, 20, 7, 0)  # 14 runs due: 7 to 20 January

    assert service.run_due_templates(now=now) == 10
    assert service.run_due_templates(now=now) == 4
    assert service.run_due_templates(now=now) == 0

    runs = sorted(Occurrence.objects.filter(template=template).values_list("scheduled_for", flat=True))
    assert runs == [utc(2030, 1, day, 6, 0) for day in range(7, 21)]
    template.refresh_from_db()
    assert template.occurrences == 14 and template.next_run_at == utc(2030, 1, 21, 6, 0)


def test_series_ends_after_count(org):
    template = make_recurring(org.sales_rep, {"count": 2})

    assert service.run_due_templates(now=utc(2030, 2, 1)) == 2

    template.refresh_from_db()
    assert template.next_run_at is None and not template.active and template.occurrences == 2
    assert service.run_due_templates(now=utc(2031, 1, 1)) == 0


def test_series_ends_by_until(org):
    template = make_recurring(org.sales_rep, {"until": "2030-01-08"})

    assert service.run_due_templates(now=utc(2030, 2, 1)) == 2

    template.refresh_from_db()
    assert template.next_run_at is None and not template.active


def test_a_run_another_worker_made_is_not_made_again(org):
    template = make_recurring(org.sales_rep)
    Occurrence.objects.create(template=template, scheduled_for=template.next_run_at)  # a worker got there first

    assert service.run_due_templates(now=utc(2030, 1, 7, 6, 0)) == 0

    assert not Task.objects.filter(template=template).exists()
    template.refresh_from_db()
    assert template.next_run_at == utc(2030, 1, 8, 6, 0)


def test_a_run_that_cannot_be_set_is_skipped_not_retried(org):
    project = make_project(by=org.sales_head, members=[org.sales_rep])
    template = make_recurring(org.sales_rep, project=project.pk)
    project.archived = True
    project.save(update_fields=["archived"])

    assert service.run_due_templates(now=utc(2030, 1, 7, 6, 0)) == 0

    template.refresh_from_db()
    assert template.next_run_at == utc(2030, 1, 8, 6, 0) and template.occurrences == 0
    assert Occurrence.objects.get(template=template).task is None


def test_periodic_job_runs_due_templates(org):
    from kontora.tasks.jobs import run_recurring_templates

    template = service.create_template(by=org.sales_rep, title="Ежедневно")
    service.set_recurrence(
        template, by=org.sales_rep, rule={**RULE, "start": timezone.localdate().isoformat(), "time": "00:00"}
    )
    TaskTemplate.objects.filter(pk=template.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))

    run_recurring_templates.call_local()

    assert Task.objects.filter(template=template).count() == 1


# ---- two workers at once ----------------------------------------------------------------------------------------


def _race(workers: int, work) -> list:
    barrier = threading.Barrier(workers)
    results: list = []
    errors: list = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # noqa: BLE001  reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_concurrent_workers_create_each_run_exactly_once(transactional_db, org):
    templates = [make_recurring(org.sales_rep, title=f"Шаблон {number}") for number in range(3)]
    now = utc(2030, 1, 10, 7, 0)  # 4 runs due for each

    results = _race(2, lambda: service.run_due_templates(now=now))

    assert sum(results) == 12
    for template in templates:
        runs = list(Task.objects.filter(template=template).values_list("pk", flat=True))
        occurrences = Occurrence.objects.filter(template=template)
        assert len(runs) == 4 and occurrences.count() == 4
        assert sorted(occurrences.values_list("task_id", flat=True)) == sorted(runs)
        template.refresh_from_db()
        assert template.occurrences == 4 and template.next_run_at == utc(2030, 1, 11, 6, 0)
    connection.close()


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_create_each_run_exactly_once(org, tmp_path):
    templates = [make_recurring(org.sales_rep, title=f"Шаблон {number}") for number in range(3)]
    start_at = time.time() + 4  # both processes start their pass at the same moment
    code = (
        "import time\nfrom datetime import UTC, datetime\n"
        "from kontora.tasks.services.templates import run_due_templates\n"
        f"time.sleep(max(0, {start_at} - time.time()))\n"
        "print('created', run_due_templates(now=datetime(2030, 1, 10, 7, tzinfo=UTC)))\n"
    )
    env = process_env("embedded", tmp_path)
    processes = [Process(["shell", "--no-imports", "-c", code], env, tmp_path / f"p{n}.log") for n in range(2)]
    try:
        wait_for(lambda: all(p.popen.poll() is not None for p in processes), timeout=60, what="both passes")
    finally:
        for process in processes:
            process.stop()

    outputs = [process.output() for process in processes]
    assert all(process.popen.returncode == 0 for process in processes), outputs
    assert sum(int(out.split("created")[-1].split()[0]) for out in outputs) == 12, outputs
    for template in templates:
        assert Task.objects.filter(template=template).count() == 4
        assert Occurrence.objects.filter(template=template, task__isnull=False).count() == 4
