"""Who sees list elements: the author, the list's chosen readers, heads for their departments, administrators."""

import pytest

from kontora.accounts import access
from kontora.core.errors import Forbidden
from kontora.lists import services
from kontora.lists.models import ListElement, UniversalList
from tests.factories import make_list, make_user
from tests.support.access_matrix import assert_access_matrix


@pytest.fixture
def lst(org):
    return make_list("cash", fields=({"code": "amount", "name": "Amount", "type": "number"},))


def make_element(owner, lst=None):
    lst = lst or UniversalList.objects.get(code="cash")
    return services.add_element(lst, by=None, author=owner, name=f"from {owner.username}", values={"amount": 1})


def visible_authors(user) -> set[str]:
    return set(access.visible(user, ListElement).values_list("created_by__username", flat=True))


def test_own_department_readers_and_admin(org, lst):
    for person in org.people():
        make_element(person, lst)
    everybody = {person.username for person in org.people()}
    services.update_list(lst, by=org.admin, readers=[org.marketing_rep])

    assert visible_authors(org.sales_rep) == {"anna"}
    assert visible_authors(org.sales_head) == {"oleg", "anna", "elena", "nobody"}
    assert visible_authors(org.marketing_rep) == everybody  # a chosen reader of the list
    assert visible_authors(org.admin) == everybody
    assert visible_authors(org.reader) == everybody  # the read-only role reads all
    assert visible_authors(org.nobody) == set()


def test_readers_of_one_list_do_not_read_another(org, lst):
    other = make_list("trips")
    mine = make_element(org.sales_rep, other)
    services.update_list(lst, by=None, readers=[org.marketing_rep])

    assert not access.can(org.marketing_rep, "read", mine)
    assert not access.can(org.marketing_rep, "update", make_element(org.sales_rep, lst))


def test_only_the_author_changes_an_element_and_heads_only_read(org, lst):
    element = make_element(org.sales_rep, lst)

    services.update_element(element, by=org.sales_rep, values={"amount": 5})
    with pytest.raises(Forbidden):
        services.update_element(element, by=org.sales_head, values={"amount": 6})
    with pytest.raises(Forbidden):
        services.delete_element(element, by=org.kazan_rep)
    services.delete_element(element, by=org.admin)

    assert not ListElement.objects.filter(pk=element.pk).exists()
    assert ListElement.all_objects.get(pk=element.pk).values == {"amount": 5}


def test_adding_can_be_limited_to_chosen_departments(org):
    lst = make_list("purchases", add_scope="departments", add_departments=[org.sales])

    services.add_element(lst, by=org.sales_rep, name="ok")
    with pytest.raises(Forbidden):
        services.add_element(lst, by=org.kazan_rep, name="sub-department is not the department")
    with pytest.raises(Forbidden):
        services.add_element(lst, by=org.marketing_rep, name="no")
    services.add_element(lst, by=org.admin, name="administrators may")

    assert lst.elements.count() == 2


def test_lists_are_configured_by_administrators_only(org, lst):
    with pytest.raises(Forbidden):
        services.create_list(by=org.sales_head, code="mine", name="Mine")
    with pytest.raises(Forbidden):
        services.add_field(lst, by=org.sales_head, code="x", name="X")
    services.add_field(lst, by=org.admin, code="x", name="X")

    assert set(access.visible(org.sales_rep, UniversalList).values_list("code", flat=True)) == {"cash"}
    assert not access.can(org.sales_head, "update", lst) and access.can(org.admin, "delete", lst)


def test_builtin_roles_matrix_has_no_leaks(org):
    make_list("cash")
    checks = assert_access_matrix(ListElement, make_element, org)

    assert checks > 0


def test_a_new_colleague_sees_nothing_of_others(org, lst):
    make_element(org.sales_rep, lst)
    newcomer = make_user("new", department=org.sales)

    assert visible_authors(newcomer) == set()
