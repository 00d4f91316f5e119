"""The roles editor: custom roles, levels per entity, action and pipeline, and “Why can I see this?”."""

import pytest
from django.urls import reverse

from kontora.accounts import access, roles, services
from kontora.accounts.explain import explain
from kontora.accounts.models import Level, Role, RoleGrant, User
from kontora.core.errors import Forbidden, Invalid
from kontora.crm.selectors import visible_deals
from kontora.crm.services import create_category
from kontora.events import history
from tests import factories
from tests.factories import make_deal


def fresh(user: User) -> User:
    """The user as the next request would load them: no cached access context."""
    return User.objects.get(pk=user.pk)


def in_english(user: User) -> User:
    services.set_language(user, "en")
    return fresh(user)


def cell(role: Role, entity: str, action: str, scope: str = "") -> roles.Cell:
    for row in roles.matrix(role):
        for item in row.cells:
            if item and (item.entity, item.action, item.scope) == (entity, action, scope):
                return item
    raise LookupError((entity, action, scope))


# Services


def test_only_administrators_write_roles(org):
    role = roles.create_role(by=org.admin, name="Partners desk")

    for person in (org.sales_head, org.sales_rep, org.reader):
        with pytest.raises(Forbidden):
            roles.create_role(by=person, name="Mine")
        with pytest.raises(Forbidden):
            roles.set_grant(role, by=person, entity="crm.deal", action="read", level=Level.ALL)
        with pytest.raises(Forbidden):
            roles.delete_role(role, by=person)
    assert not role.grants.exists()


def test_create_rename_and_grant_are_recorded_in_history(org):
    role = roles.create_role(by=org.admin, name="Partners desk")
    roles.rename_role(role, by=org.admin, name="Partner desk")
    roles.set_grant(role, by=org.admin, entity="crm.lead", action="read", level=Level.DEPARTMENT)

    changes = [change.changes for change in history.for_object(role).order_by("pk")]
    assert changes == [
        {"name": [None, "Partners desk"]},
        {"name": ["Partners desk", "Partner desk"]},
        {"crm.lead.read": [None, Level.DEPARTMENT]},
    ]


def test_duplicate_or_empty_role_names_are_refused(org):
    roles.create_role(by=org.admin, name="Partners desk")

    with pytest.raises(Invalid) as duplicate:
        roles.create_role(by=org.admin, name="partners DESK")
    with pytest.raises(Invalid) as empty:
        roles.create_role(by=org.admin, name="  ")

    assert (duplicate.value.field, empty.value.field) == ("name", "name")


@pytest.mark.parametrize(
    ("entity", "action", "level", "scope", "field_case"),
    [
        ("crm.nothing", "read", Level.ALL, "", "entity"),
        ("crm.deal", "fly", Level.ALL, "", "action"),
        ("accounts.user", "import", Level.ALL, "", "action"),
        ("crm.deal", "read", 25, "", "level"),
        ("crm.deal", "read", "lots", "", "level"),
        ("crm.deal", "read", Level.ALL, "category:999", "scope"),
        ("crm.lead", "read", Level.ALL, "category:0", "scope"),
        ("crm.deal", "read", Level.ALL, "pipeline:0", "scope"),
    ],
)
def test_invalid_grants_are_refused_with_a_field(org, entity, action, level, scope, field_case):
    role = roles.create_role(by=org.admin, name="Partners desk")

    with pytest.raises(Invalid) as refused:
        roles.set_grant(role, by=org.admin, entity=entity, action=action, level=level, scope=scope)

    assert refused.value.field == field_case
    assert not role.grants.exists()


def test_grants_only_widen_a_builtin_role_and_the_preset_level_removes_the_grant(org):
    head = Role.objects.builtin(Role.Preset.HEAD)

    with pytest.raises(Invalid) as lower:
        roles.set_grant(head, by=org.admin, entity="crm.deal", action="read", level=Level.OWN)
    roles.set_grant(head, by=org.admin, entity="crm.deal", action="read", level=Level.ALL)
    widened = cell(head, "crm.deal", "read")
    roles.set_grant(head, by=org.admin, entity="crm.deal", action="read", level=Level.SUBTREE)

    assert lower.value.field == "level"
    assert (widened.level, widened.explicit) == (Level.ALL, True)
    assert cell(head, "crm.deal", "read") == roles.Cell("crm.deal", "read", "", Level.SUBTREE, False)
    assert not head.grants.exists()


def test_builtin_roles_cannot_be_deleted_or_renamed(org):
    for preset in ("administrator", "head", "employee", "read_only"):
        role = Role.objects.builtin(preset)
        with pytest.raises(Invalid):
            roles.delete_role(role, by=org.admin)
        with pytest.raises(Invalid):
            roles.rename_role(role, by=org.admin, name="Boss")
    assert Role.objects.exclude(preset=Role.Preset.CUSTOM).count() == 4


def test_a_role_held_by_employees_is_deleted_only_by_moving_them(org):
    role = roles.create_role(by=org.admin, name="Partners desk")
    services.update_user(org.nobody, by=org.admin, roles=[role])

    with pytest.raises(Invalid) as refused:
        roles.delete_role(role, by=org.admin)
    roles.delete_role(role, by=org.admin, move_to=factories.role("read_only"))

    assert refused.value.code == "ROLE_IN_USE"
    assert not Role.objects.filter(pk=role.pk).exists()
    assert list(fresh(org.nobody).roles.values_list("preset", flat=True)) == ["read_only"]


# The grant changes what people see


def test_a_pipeline_grant_shows_only_that_pipelines_deals(org):
    partners = create_category(by=org.admin, name="Partners")
    partner_deal = make_deal("Partner deal", by=org.admin, category=partners, responsible=org.kazan_rep)
    make_deal("Ordinary deal", by=org.admin, responsible=org.kazan_rep)
    role = roles.create_role(by=org.admin, name="Partner managers")
    services.update_user(org.nobody, by=org.admin, roles=[role])
    assert not visible_deals(fresh(org.nobody)).exists()

    roles.set_grant(
        role, by=org.admin, entity="crm.deal", action="read", level=Level.ALL, scope=f"category:{partners.pk}"
    )

    assert list(visible_deals(fresh(org.nobody))) == [partner_deal]
    assert not visible_deals(fresh(org.nobody), "update").exists()


def test_a_pipeline_row_is_measured_against_the_all_pipelines_row(org):
    partners = create_category(by=org.admin, name="Partners")
    role = roles.create_role(by=org.admin, name="Partner managers")
    scope = f"category:{partners.pk}"

    roles.set_grants(
        role,
        by=org.admin,
        levels={("crm.deal", "read", scope): Level.ALL, ("crm.deal", "read", ""): Level.DEPARTMENT},
    )
    with pytest.raises(Invalid) as lower:
        roles.set_grants(role, by=org.admin, levels={("crm.deal", "read", scope): Level.OWN})

    assert lower.value.key == ("crm.deal", "read", scope)
    assert cell(role, "crm.deal", "read") == roles.Cell("crm.deal", "read", "", Level.DEPARTMENT, True)
    assert cell(role, "crm.deal", "read", scope) == roles.Cell("crm.deal", "read", scope, Level.ALL, True)


def test_set_grants_saves_all_cells_or_none(org):
    role = roles.create_role(by=org.admin, name="Partner managers")

    with pytest.raises(Invalid):
        roles.set_grants(
            role, by=org.admin, levels={("crm.lead", "read", ""): Level.ALL, ("crm.lead", "read", "category:0"): 40}
        )

    assert not role.grants.exists()


# Pages


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_roles_pages_are_for_administrators_only(as_user, org):
    role = roles.create_role(by=org.admin, name="Partners desk")
    for person in (org.sales_head, org.sales_rep, org.reader):
        client = as_user(person)
        assert client.get(reverse("accounts:roles")).status_code == 404
        assert client.get(reverse("accounts:role_edit", args=[role.pk])).status_code == 404
        assert client.post(reverse("accounts:roles"), {"name": "Mine"}).status_code == 404
    assert Role.objects.filter(name="Mine").count() == 0

    client = as_user(org.admin)
    assert client.get(reverse("accounts:roles")).status_code == 200
    assert client.get(reverse("accounts:role_edit", args=[role.pk])).status_code == 200
    assert reverse("accounts:roles") in client.get(reverse("accounts:settings")).content.decode()


def test_creating_a_role_opens_its_matrix(as_user, org):
    response = as_user(org.admin).post(reverse("accounts:roles"), {"name": "Partners desk"})

    role = Role.objects.get(name="Partners desk")
    assert response.status_code == 302 and response.url == reverse("accounts:role_edit", args=[role.pk])
    assert role.preset == Role.Preset.CUSTOM


def matrix_post(role: Role, **changes) -> dict:
    """The matrix as the page shows it, with some cells changed: {"crm.deal|read|category:1": 40}."""
    data = {"save": "1"}
    for row in roles.matrix(role):
        for item in row.cells:
            if item:
                data[item.name] = int(item.level)
    for key, level in changes.items():
        data[f"grant|{key}"] = level
    return data


def test_the_matrix_saves_only_changed_cells_and_changes_what_users_see(as_user, org):
    partners = create_category(by=org.admin, name="Partners")
    partner_deal = make_deal("Partner deal", by=org.admin, category=partners, responsible=org.kazan_rep)
    make_deal("Ordinary deal", by=org.admin, responsible=org.kazan_rep)
    role = roles.create_role(by=org.admin, name="Partner managers")
    services.update_user(org.nobody, by=org.admin, roles=[role])
    page = as_user(org.admin).get(reverse("accounts:role_edit", args=[role.pk])).content.decode()
    assert "Partners" in page and f"grant|crm.deal|read|category:{partners.pk}" in page

    response = as_user(org.admin).post(
        reverse("accounts:role_edit", args=[role.pk]),
        matrix_post(role, **{f"crm.deal|read|category:{partners.pk}": int(Level.ALL)}),
    )

    assert response.status_code == 302
    assert list(role.grants.values_list("entity", "action", "scope", "level")) == [
        ("crm.deal", "read", f"category:{partners.pk}", Level.ALL)
    ]
    assert list(visible_deals(fresh(org.nobody))) == [partner_deal]


def test_the_matrix_shows_a_bad_level_at_its_cell(as_user, org):
    role = roles.create_role(by=org.admin, name="Partner managers")

    response = as_user(org.admin).post(
        reverse("accounts:role_edit", args=[role.pk]), matrix_post(role, **{"crm.lead|read|": 25})
    )

    assert response.status_code == 200
    assert "grant|crm.lead|read|" in response.context["matrix"].errors
    assert not RoleGrant.objects.filter(role=role).exists()


def test_the_matrix_shows_a_refused_level_at_its_cell(as_user, org):
    head = Role.objects.builtin(Role.Preset.HEAD)

    response = as_user(org.admin).post(
        reverse("accounts:role_edit", args=[head.pk]), matrix_post(head, **{"crm.lead|read|": int(Level.OWN)})
    )

    assert response.status_code == 200
    assert "grant|crm.lead|read|" in response.context["matrix"].errors


def test_deleting_a_builtin_role_is_not_offered_and_not_possible(as_user, org):
    employee = Role.objects.builtin(Role.Preset.EMPLOYEE)
    client = as_user(org.admin)

    page = client.get(reverse("accounts:role_edit", args=[employee.pk])).content.decode()
    client.post(reverse("accounts:role_edit", args=[employee.pk]), {"delete": "1"})

    assert 'name="delete"' not in page
    assert Role.objects.filter(pk=employee.pk).exists()


def test_deleting_a_custom_role_through_the_page(as_user, org):
    role = roles.create_role(by=org.admin, name="Partners desk")

    response = as_user(org.admin).post(reverse("accounts:role_edit", args=[role.pk]), {"delete": "1"})

    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()


# Why can I see this?


def test_explain_for_a_head_about_a_deal_in_a_sub_department(org):
    deal = make_deal("Kazan deal", by=org.kazan_rep)
    oleg = in_english(org.sales_head)

    reasons = explain(oleg, deal)

    text = "\n".join(reasons)
    assert "“Head of department” gives “Department and sub-departments” for “Read” on Deals" in text
    assert "Elena Testov, is in “Kazan”, a sub-department of “Sales”" in text
    assert reasons[-1] == "So you may do this."


def test_explain_for_an_employee_about_a_colleagues_deal(org):
    colleague = factories.make_user("boris", department=org.sales)
    deal = make_deal("Colleague's deal", by=colleague)
    anna = in_english(org.sales_rep)

    reasons = explain(anna, deal)
    update = explain(anna, deal, "update")

    assert "Boris Testov, is in your department “Sales”" in "\n".join(reasons)
    assert reasons[-1] == "So you may do this."
    assert update[-1] == "So you may not do this: it needs at least “Own department”."


def test_explain_names_the_pipeline_grant(org):
    partners = create_category(by=org.admin, name="Partners")
    deal = make_deal("Partner deal", by=org.admin, category=partners, responsible=org.marketing_rep)
    role = roles.create_role(by=org.admin, name="Partner managers")
    roles.set_grant(
        role, by=org.admin, entity="crm.deal", action="read", level=Level.ALL, scope=f"category:{partners.pk}"
    )
    services.update_user(org.sales_rep, by=org.admin, roles=[factories.role("employee"), role])

    text = "\n".join(explain(in_english(org.sales_rep), deal))

    assert "“Partner managers” grants “All” for “Read” on Deals in “Partners”" in text
    assert "outside your departments" in text and "So you may do this." in text


def test_why_page_explains_visible_records_and_hides_others(as_user, org):
    kazan_deal = make_deal("Kazan deal", by=org.kazan_rep)
    marketing_deal = make_deal("Marketing deal", by=org.marketing_rep)
    client = as_user(in_english(org.sales_head))

    shown = client.get(reverse("accounts:why"), {"entity": "crm.deal", "id": kazan_deal.pk})
    hidden = client.get(reverse("accounts:why"), {"entity": "crm.deal", "id": marketing_deal.pk})
    unknown = client.get(reverse("accounts:why"), {"entity": "crm.nothing", "id": kazan_deal.pk})

    assert shown.status_code == 200 and "a sub-department of “Sales”" in shown.content.decode()
    assert (hidden.status_code, unknown.status_code) == (404, 404)


def test_access_context_is_unchanged_by_explaining(org):
    deal = make_deal("Kazan deal", by=org.kazan_rep)
    oleg = fresh(org.sales_head)

    explain(oleg, deal)

    assert access.context_for(oleg).level(access.entity_for(deal), "read") == Level.SUBTREE


def test_an_administrator_asks_why_on_behalf_of_an_employee(as_user, org):
    kazan_deal = make_deal("Kazan deal", by=org.kazan_rep)
    anna_deal = make_deal("Anna's deal", by=org.sales_rep)
    why = reverse("accounts:why")

    for_oleg = as_user(in_english(org.admin)).get(
        why, {"entity": "crm.deal", "id": kazan_deal.pk, "user": org.sales_head.pk}
    )
    anna_asks_for_oleg = as_user(in_english(org.sales_rep)).get(
        why, {"entity": "crm.deal", "id": anna_deal.pk, "user": org.sales_head.pk}
    )

    assert "a sub-department of “Sales”" in for_oleg.content.decode()
    assert "Explained for Oleg Testov" in for_oleg.content.decode()
    assert anna_asks_for_oleg.status_code == 200
    assert "Explained for" not in anna_asks_for_oleg.content.decode()
    assert "You are responsible for it." in anna_asks_for_oleg.content.decode()
