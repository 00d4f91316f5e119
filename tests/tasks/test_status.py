"""The status machine and the control loop."""

import pytest

from kontora.core.errors import Forbidden, NotFound
from kontora.tasks.choices import Status
from kontora.tasks.services import status
from kontora.tasks.services.rights import rights_for
from tests.factories import make_task


def test_control_loop_finish_awaiting_returned_in_progress_accepted(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep, requires_control=True)
    assert task.status == Status.PENDING

    task = status.start_task(task, by=org.sales_rep)
    assert task.status == Status.IN_PROGRESS and task.date_start is not None
    task = status.complete_task(task, by=org.sales_rep)
    assert task.status == Status.AWAITING_CONTROL and task.closed_at is None

    task = status.return_task(task, by=org.sales_head)
    assert task.status == Status.IN_PROGRESS
    task = status.complete_task(task, by=org.sales_rep)
    assert task.status == Status.AWAITING_CONTROL
    task = status.approve_task(task, by=org.sales_head)
    assert task.status == Status.COMPLETED and task.closed_by == org.sales_head


def test_responsible_cannot_accept_own_work_under_control(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep, requires_control=True)
    task = status.complete_task(task, by=org.sales_rep)

    assert not rights_for(org.sales_rep, task).approve
    with pytest.raises(Forbidden):
        status.approve_task(task, by=org.sales_rep)


def test_creator_completing_a_controlled_task_closes_it_at_once(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep, requires_control=True)

    assert status.complete_task(task, by=org.sales_head).status == Status.COMPLETED


def test_outsider_cannot_move_a_task(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)

    with pytest.raises(NotFound):
        status.start_task(task, by=org.marketing_rep)
