"""A CRM record's card lists the tasks linked to it that the viewer may see, and offers to set a new one."""

from django.urls import reverse

from kontora.tasks import selectors
from tests.factories import make_deal, make_task


def test_deal_card_lists_its_visible_tasks_and_links_to_a_new_one(client, org):
    deal = make_deal("Поставка серверов", by=org.sales_rep)
    code = f"D_{deal.pk}"
    make_task("Позвонить по поставке", by=org.sales_rep, crm=[code])
    hidden = make_task("Тайная задача", by=org.sales_head, responsible=org.sales_head, crm=[code])
    client.force_login(org.sales_rep)

    html = client.get(deal.get_absolute_url()).content.decode()

    assert "Позвонить по поставке" in html
    assert hidden.title not in html
    assert f"{reverse('tasks:new')}?crm={code}" in html


def test_linked_tasks_go_through_the_gate(org):
    deal = make_deal(by=org.sales_rep)
    code = f"D_{deal.pk}"
    make_task("Своя", by=org.sales_rep, crm=[code])
    make_task("Руководителя", by=org.sales_head, responsible=org.sales_head, crm=[code])

    assert [item["title"] for item in selectors.linked_to(org.sales_rep, code)] == ["Своя"]
    assert len(selectors.linked_to(org.sales_head, code)) == 2
