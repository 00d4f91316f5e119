"""The permission gate: levels, presets, custom grants, per-request caching — checked as a full matrix."""

import pytest

from kontora.accounts import access
from kontora.accounts.models import Level, User
from tests.support.access_matrix import assert_access_matrix, custom_role, expected_owners
from tests.support.models import Memo


def make_memo(owner: User) -> Memo:
    return Memo.objects.create(title=f"memo of {owner.username}", responsible=owner)


def test_builtin_roles_matrix_has_no_leaks(org):
    checks = assert_access_matrix(Memo, make_memo, org)

    assert checks == len(org.people()) * len(access.ACTIONS) * (1 + len(org.people()))


@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.name)
def test_custom_role_at_each_level_matrix_has_no_leaks(org, level):
    role = custom_role(f"memo {level.name}", "support.memo", dict.fromkeys(access.ACTIONS, level))
    for person in (org.sales_rep, org.kazan_rep, org.nobody):
        person.roles.set([role])

    assert_access_matrix(Memo, make_memo, org)


def test_head_sees_his_subdepartment_but_not_a_sibling_department(org):
    given = {person.username: make_memo(person) for person in org.people()}

    seen = set(access.visible(org.sales_head, Memo).values_list("title", flat=True))

    assert given["elena"].title in seen  # Kazan is under Sales
    assert given["anna"].title in seen
    assert given["irina"].title not in seen  # Marketing is a sibling


def test_employee_reads_department_but_changes_only_own(org):
    colleague = make_memo(org.sales_head)
    own = make_memo(org.sales_rep)

    assert access.can(org.sales_rep, "read", colleague)
    assert not access.can(org.sales_rep, "update", colleague)
    assert access.can(org.sales_rep, "update", own)
    assert not access.can(org.sales_rep, "read", make_memo(org.marketing_rep))


def test_user_without_roles_and_anonymous_see_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    make_memo(org.admin)

    assert not access.visible(org.nobody, Memo).exists()
    assert not access.visible(AnonymousUser(), Memo).exists()


def test_inactive_user_loses_everything(org):
    make_memo(org.admin)
    org.admin.is_active = False

    assert not access.visible(org.admin, Memo).exists()


def test_scoped_grant_only_widens_within_its_scope(org):
    role = custom_role("pipeline 1 reader", "support.memo", {})
    role.grants.create(entity="support.memo", action="read", scope="pipeline:1", level=Level.ALL)
    org.nobody.roles.set([role])
    make_memo(org.admin)

    assert access.visible(org.nobody, Memo, scope="pipeline:1").count() == 1
    assert access.visible(User.objects.get(pk=org.nobody.pk), Memo).count() == 0


def test_access_context_is_computed_once_per_user_object(org, django_assert_num_queries):
    make_memo(org.sales_rep)
    viewer = User.objects.get(pk=org.sales_rep.pk)
    list(access.visible(viewer, Memo))

    with django_assert_num_queries(1):
        list(access.visible(viewer, Memo))
        access.context_for(viewer).level(access.entity_for(Memo), "update")


def test_department_levels_filter_by_the_people_read_once_as_ids(org):
    context = access.context_for(org.sales_head)

    assert set(context.people(Level.SUBTREE)) == expected_owners(org.sales_head, Level.SUBTREE, org)
    assert set(context.people(Level.DEPARTMENT)) == expected_owners(org.sales_head, Level.DEPARTMENT, org)
    assert "accounts_user" not in str(access.visible(org.sales_head, Memo).query)  # ids, not a subquery


def test_oracle_agrees_with_definitions(org):
    assert expected_owners(org.sales_head, Level.DEPARTMENT, org) == {
        org.sales_head.pk,
        org.sales_rep.pk,
        org.nobody.pk,
    }
    assert org.kazan_rep.pk in expected_owners(org.sales_head, Level.SUBTREE, org)
    assert expected_owners(org.sales_rep, Level.OWN, org) == {org.sales_rep.pk}


def test_unregistered_model_is_a_programming_error(org):
    from kontora.accounts.models import RoleGrant

    with pytest.raises(LookupError):
        access.visible(org.admin, RoleGrant)
