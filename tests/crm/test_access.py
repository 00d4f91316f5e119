"""Every CRM entity goes through the permission gate: the full role × action matrix, per entity."""

import pytest

from kontora.accounts.models import User
from kontora.crm import selectors, services
from kontora.crm.models import Activity, Company, Contact, Deal, Lead
from tests.factories import make_company, make_contact, make_deal, make_lead
from tests.support.access_matrix import assert_access_matrix


def _as_admin(owner: User) -> User:
    return User.objects.filter(roles__preset="administrator").first() or owner


MAKERS = {
    Lead: lambda owner: make_lead(f"Лид {owner.username}", by=_as_admin(owner), responsible=owner),
    Deal: lambda owner: make_deal(f"Сделка {owner.username}", by=_as_admin(owner), responsible=owner),
    Contact: lambda owner: make_contact(owner.username, by=_as_admin(owner), responsible=owner),
    Company: lambda owner: make_company(f"ООО {owner.username}", by=_as_admin(owner), responsible=owner),
}


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda model: model.__name__)
def test_crm_entity_matrix_has_no_leaks(org, model):
    assert assert_access_matrix(model, MAKERS[model], org) > 0


def test_activity_matrix_has_no_leaks(org):
    deal = make_deal(by=org.admin)

    def make_activity(owner: User) -> Activity:
        return services.plan_activity(deal, by=org.admin, subject=f"Позвонить ({owner.username})", responsible=owner)

    assert assert_access_matrix(Activity, make_activity, org) > 0


def test_visible_deals_agrees_with_the_gate_without_pipeline_grants(org):
    for person in org.people():
        make_deal(f"Сделка {person.username}", by=org.admin, responsible=person)

    for viewer in org.people():
        viewer = User.objects.get(pk=viewer.pk)
        from kontora.accounts import access

        assert set(selectors.visible_deals(viewer)) == set(access.visible(viewer, Deal))


def test_records_in_the_bin_are_invisible_to_lists_and_search(org):
    deal = make_deal("Удаляемая", by=org.sales_rep)

    services.delete_record(deal, by=org.sales_rep)

    assert not selectors.visible_deals(org.sales_rep).filter(pk=deal.pk).exists()
    assert Deal.all_objects.filter(pk=deal.pk).exists()
