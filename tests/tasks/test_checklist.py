"""Checklists: groups, items, progress, order, who may tick them."""

import pytest
from django.utils import translation

from kontora.core.errors import Forbidden, Invalid
from kontora.tasks.models import ChecklistItem
from kontora.tasks.services import checklist
from tests.factories import make_task


def test_first_item_creates_the_first_checklist_and_progress_counts_items(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)

    with translation.override("ru"):
        first = checklist.add_item(task, by=org.sales_rep, title="Один")
    checklist.add_item(task, by=org.sales_rep, title="Два")
    checklist.toggle_item(first, by=org.sales_rep, done=True)

    group = ChecklistItem.objects.get(task=task, parent=None)
    assert first.parent == group and group.title == "Чек-лист 1"
    assert checklist.progress(task) == (1, 2)


def test_moving_an_item_renumbers_its_new_group(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    a, b = (checklist.add_item(task, by=org.sales_rep, title=title) for title in ("A", "B"))
    other = checklist.add_group(task, by=org.sales_rep, title="Другой")
    c = checklist.add_item(task, by=org.sales_rep, title="C", group=other)

    checklist.move_item(b, by=org.sales_rep, group=other, position=0)

    assert list(other.items.values_list("title", flat=True)) == ["B", "C"]
    assert list(a.parent.items.values_list("title", flat=True)) == ["A"]
    c.refresh_from_db()
    assert c.sort_index == 1


def test_empty_item_is_refused_and_observers_cannot_tick(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep, auditors=[org.kazan_rep])
    item = checklist.add_item(task, by=org.sales_head, title="Пункт")

    with pytest.raises(Invalid) as error:
        checklist.add_item(task, by=org.sales_rep, title="   ")
    assert error.value.field == "title"
    with pytest.raises(Forbidden):
        checklist.toggle_item(item, by=org.kazan_rep, done=True)


def test_deleting_a_group_deletes_its_items(org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    item = checklist.add_item(task, by=org.sales_rep, title="Пункт")

    checklist.delete_item(item.parent, by=org.sales_rep)

    assert not ChecklistItem.objects.filter(task=task).exists()
