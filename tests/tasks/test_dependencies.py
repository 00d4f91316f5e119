"""Gantt links and moving a bar: the dependents follow as their links require."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from kontora.core.errors import Forbidden, Invalid, NotFound
from kontora.events import history
from kontora.events.models import Event
from kontora.tasks.choices import DependencyType
from kontora.tasks.models import Dependency, Task
from kontora.tasks.services import dependencies
from kontora.tasks.services.dependencies import add_dependency, move_task, remove_dependency
from tests.factories import make_task

DAY = timedelta(days=1)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2030, 3, day, hour, tzinfo=timezone.get_current_timezone())


def planned(by, start: datetime, end: datetime, **fields) -> Task:
    return make_task(by=by, start_date_plan=start, end_date_plan=end, **fields)


def fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def test_link_is_made_once_and_a_second_link_changes_its_type(org):
    first, second = make_task(by=org.sales_head), make_task(by=org.sales_head)

    add_dependency(first, second, by=org.sales_head)
    link = add_dependency(first, second, by=org.sales_head, type=DependencyType.START_START)

    assert Dependency.objects.filter(predecessor=first, successor=second).count() == 1
    assert link.type == DependencyType.START_START
    assert history.for_object(second).filter(changes__has_key="dependencies").count() == 2
    assert Event.objects.filter(name="tasks.dependency.changed", object_id=str(second.pk)).count() == 2


def test_a_task_cannot_depend_on_itself(org):
    task = make_task(by=org.sales_head)

    with pytest.raises(Invalid) as error:
        add_dependency(task, task, by=org.sales_head)
    assert error.value.code == "SELF_LINK"


def test_a_loop_of_links_is_refused(org):
    a, b, c = (make_task(by=org.sales_head) for _ in range(3))
    add_dependency(a, b, by=org.sales_head)
    add_dependency(b, c, by=org.sales_head)

    with pytest.raises(Invalid) as error:
        add_dependency(c, a, by=org.sales_head)

    assert error.value.code == "LINK_CYCLE"
    assert not Dependency.objects.filter(predecessor=c, successor=a).exists()


def test_only_who_may_edit_the_successor_links_it(org):
    mine = make_task(by=org.sales_rep)
    set_for_me = make_task(by=org.sales_head, responsible=org.sales_rep)

    with pytest.raises(Forbidden):
        add_dependency(mine, set_for_me, by=org.sales_rep)
    assert add_dependency(set_for_me, mine, by=org.sales_rep).successor == mine


def test_outsider_gets_not_found(org):
    a, b = make_task(by=org.sales_head), make_task(by=org.sales_head)
    link = add_dependency(a, b, by=org.sales_head)

    with pytest.raises(NotFound):
        add_dependency(a, b, by=org.marketing_rep)
    with pytest.raises(NotFound):
        remove_dependency(link, by=org.marketing_rep)
    with pytest.raises(NotFound):
        move_task(a, by=org.marketing_rep, start=at(5), end=at(6))


def test_removing_a_link_records_it_on_the_successor(org):
    a, b = make_task(by=org.sales_head), make_task(by=org.sales_head)
    link = add_dependency(a, b, by=org.sales_head)

    remove_dependency(link, by=org.sales_head)

    assert not Dependency.objects.exists()
    assert history.for_object(b).first().changes["dependencies"] == [[[a.pk, DependencyType.FINISH_START]], []]


def test_finish_to_start_pushes_the_successor_after_the_predecessors_end(org):
    a = planned(org.sales_head, at(1), at(3, 18))
    b = planned(org.sales_head, at(4), at(6, 18))
    add_dependency(a, b, by=org.sales_head)

    moved = move_task(a, by=org.sales_head, start=at(3), end=at(5, 18))

    assert [task.pk for task in moved] == [a.pk, b.pk]
    b = fresh(b)
    assert b.start_date_plan == at(5, 18)
    assert b.end_date_plan - b.start_date_plan == at(6, 18) - at(4)


def test_start_to_start_pushes_the_successors_start(org):
    a = planned(org.sales_head, at(1), at(10))
    b = planned(org.sales_head, at(2), at(4))
    add_dependency(a, b, by=org.sales_head, type=DependencyType.START_START)

    move_task(a, by=org.sales_head, start=at(5), end=at(14))

    assert (fresh(b).start_date_plan, fresh(b).end_date_plan) == (at(5), at(7))


def test_finish_to_finish_pushes_the_successors_end(org):
    a = planned(org.sales_head, at(1), at(5))
    b = planned(org.sales_head, at(3), at(6))
    add_dependency(a, b, by=org.sales_head, type=DependencyType.FINISH_FINISH)

    move_task(a, by=org.sales_head, start=at(4), end=at(8))

    assert (fresh(b).start_date_plan, fresh(b).end_date_plan) == (at(5), at(8))


def test_start_to_finish_pushes_the_successors_end_past_the_predecessors_start(org):
    a = planned(org.sales_head, at(5), at(7))
    b = planned(org.sales_head, at(2), at(5))
    add_dependency(a, b, by=org.sales_head, type=DependencyType.START_FINISH)

    move_task(a, by=org.sales_head, start=at(9), end=at(11))

    assert (fresh(b).start_date_plan, fresh(b).end_date_plan) == (at(6), at(9))


def test_a_chain_shifts_transitively_and_keeps_durations(org):
    a = planned(org.sales_head, at(1), at(2))
    b = planned(org.sales_head, at(2), at(4))
    c = planned(org.sales_head, at(4), at(7))
    add_dependency(a, b, by=org.sales_head)
    add_dependency(b, c, by=org.sales_head)

    moved = move_task(a, by=org.sales_head, start=at(3), end=at(5))

    assert [task.pk for task in moved] == [a.pk, b.pk, c.pk]
    assert (fresh(b).start_date_plan, fresh(b).end_date_plan) == (at(5), at(7))
    assert (fresh(c).start_date_plan, fresh(c).end_date_plan) == (at(7), at(10))


def test_a_dependent_that_still_fits_stays(org):
    a = planned(org.sales_head, at(1), at(2))
    b = planned(org.sales_head, at(10), at(12))
    add_dependency(a, b, by=org.sales_head)

    moved = move_task(a, by=org.sales_head, start=at(3), end=at(5))

    assert [task.pk for task in moved] == [a.pk]
    assert fresh(b).start_date_plan == at(10)


def test_moving_earlier_does_not_pull_dependents(org):
    a = planned(org.sales_head, at(5), at(6))
    b = planned(org.sales_head, at(7), at(8))
    add_dependency(a, b, by=org.sales_head)

    move_task(a, by=org.sales_head, start=at(1), end=at(2))

    assert fresh(b).start_date_plan == at(7)


def test_a_dependent_with_two_predecessors_goes_after_the_later_one(org):
    a = planned(org.sales_head, at(1), at(3))
    late = planned(org.sales_head, at(1), at(9))
    b = planned(org.sales_head, at(4), at(5))
    add_dependency(a, b, by=org.sales_head)
    add_dependency(late, b, by=org.sales_head)

    move_task(a, by=org.sales_head, start=at(2), end=at(6))

    assert (fresh(b).start_date_plan, fresh(b).end_date_plan) == (at(9), at(10))


def test_the_deadline_moves_with_the_bar(org):
    a = planned(org.sales_head, at(1), at(3, 18), deadline=at(4, 18))
    only_deadline = make_task(by=org.sales_head, deadline=at(5, 18))
    add_dependency(a, only_deadline, by=org.sales_head, type=DependencyType.FINISH_FINISH)

    move_task(a, by=org.sales_head, start=at(3), end=at(6, 18))

    assert fresh(a).deadline == at(7, 18)
    pushed = fresh(only_deadline)
    assert pushed.deadline == at(6, 18) and pushed.end_date_plan == at(6, 18)


def test_a_dependent_the_mover_may_not_edit_is_left_alone(org):
    mine = planned(org.sales_rep, at(1), at(3))
    set_for_me = planned(org.sales_head, at(4), at(5), responsible=org.sales_rep)
    after_it = planned(org.sales_rep, at(6), at(7))
    add_dependency(mine, set_for_me, by=org.sales_head)
    add_dependency(set_for_me, after_it, by=org.sales_rep)

    moved = move_task(mine, by=org.sales_rep, start=at(5), end=at(8))

    assert [task.pk for task in moved] == [mine.pk]
    assert [task.pk for task in moved.blocked] == [set_for_me.pk]
    assert fresh(set_for_me).start_date_plan == at(4)
    assert fresh(after_it).start_date_plan == at(6)


def test_moving_a_task_one_may_not_edit_is_refused(org):
    task = planned(org.sales_head, at(1), at(2), responsible=org.sales_rep)

    with pytest.raises(Forbidden):
        move_task(task, by=org.sales_rep, start=at(3), end=at(4))
    assert fresh(task).start_date_plan == at(1)


def test_a_move_is_one_transaction(org, monkeypatch):
    a = planned(org.sales_head, at(1), at(2))
    b = planned(org.sales_head, at(3), at(4))
    add_dependency(a, b, by=org.sales_head)
    real = dependencies.update_task

    def failing_on_b(task, **changes):
        if task.pk == b.pk:
            raise Invalid("BROKEN", None, "broken")
        return real(task, **changes)

    monkeypatch.setattr(dependencies, "update_task", failing_on_b)

    with pytest.raises(Invalid):
        move_task(a, by=org.sales_head, start=at(5), end=at(6))

    assert (fresh(a).start_date_plan, fresh(b).start_date_plan) == (at(1), at(3))


def test_moved_tasks_have_history(org):
    a = planned(org.sales_head, at(1), at(2))
    b = planned(org.sales_head, at(2), at(3))
    add_dependency(a, b, by=org.sales_head)

    move_task(a, by=org.sales_head, start=at(2), end=at(3) + DAY)

    change = history.for_object(b).filter(changes__has_key="start_date_plan").first()
    assert [datetime.fromisoformat(value) for value in change.changes["start_date_plan"]] == [at(2), at(3) + DAY]
