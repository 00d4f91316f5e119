"""Pages: pipeline settings for administrators, lead conversion, the duplicates warning and the merge screen."""

import pytest
from django.urls import reverse

from kontora.accounts.services import update_user
from kontora.crm.models import Category, Company, Contact, Deal, Lead, LossReason, Status
from kontora.crm.services.conversion import convert_lead
from tests.factories import make_company, make_contact, make_deal, make_lead, stage

SETTINGS = "crm:pipeline_settings"


@pytest.fixture
def as_user(client, org):
    def login(user):
        update_user(user, by=org.admin, language="en")  # the assertions read English
        client.force_login(user)
        return client

    return login


def post_settings(client, **data):
    return client.post(reverse(SETTINGS), data)


# Pipeline settings


def test_settings_page_is_for_administrators_only(as_user, org):
    for person in (org.sales_head, org.sales_rep, org.reader, org.nobody):
        assert as_user(person).get(reverse(SETTINGS)).status_code == 404
        assert post_settings(as_user(person), action="add_pipeline", name="Тайная").status_code == 404

    assert not Category.objects.filter(name="Тайная").exists()


def test_settings_page_lists_pipelines_stages_reasons_and_statuses(as_user, org):
    make_deal(by=org.sales_rep)

    response = as_user(org.admin).get(reverse(SETTINGS))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Новая") < html.index("Подготовка документов") < html.index("Сделка успешна")
    assert "1 deal" in html
    assert "Выбрали конкурента" in html
    assert "Качественный лид" in html
    assert "vendor/sortable" in html


def test_add_pipeline_and_stage_through_the_page(as_user, org):
    client = as_user(org.admin)

    response = post_settings(client, action="add_pipeline", name="Партнёры")
    partners = Category.objects.get(name="Партнёры")
    post_settings(client, action="add_stage", category=partners.pk, name="Демо", color="#112233", semantics="P")

    assert response.status_code == 302
    demo = Status.objects.get(category=partners, name="Демо")
    assert demo.color == "#112233"
    assert "Демо" in client.get(reverse(SETTINGS)).content.decode()


def test_rename_and_recolour_a_stage(as_user, org):
    post_settings(as_user(org.admin), action="update_stage", id=stage("NEW").pk, name="Входящие", color="#000000")

    assert (stage("NEW").name, stage("NEW").color) == ("Входящие", "#000000")


def test_bad_colour_and_empty_name_are_reported(as_user, org):
    client = as_user(org.admin)

    bad_colour = post_settings(client, action="update_stage", id=stage("NEW").pk, name="X", color="red")
    no_name = client.post(
        reverse(SETTINGS), {"action": "update_stage", "id": stage("NEW").pk, "name": " "}, follow=True
    )

    assert bad_colour.status_code == 302
    assert stage("NEW").name == "Новая"
    assert "Enter the stage" in no_name.content.decode()


def test_deleting_a_stage_with_deals_asks_where_to_move_them(as_user, org):
    client = as_user(org.admin)
    deal = make_deal(by=org.sales_rep)
    from kontora.crm import services

    services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)
    page = client.get(reverse(SETTINGS)).content.decode()

    refused = client.post(reverse(SETTINGS), {"action": "delete_stage", "id": stage("PREPARATION").pk}, follow=True)
    done = post_settings(client, action="delete_stage", id=stage("PREPARATION").pk, move_to=stage("EXECUTING").pk)

    assert "Move its deals to" in page
    assert "choose another stage of this pipeline" in refused.content.decode()
    assert done.status_code == 302
    assert not Status.objects.filter(status_id="PREPARATION").exists()
    assert Deal.objects.get(pk=deal.pk).stage.status_id == "EXECUTING"


def test_deleting_a_stage_deals_have_passed_through(as_user, org):
    from kontora.crm import services

    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)
    services.move_deal(deal, stage("EXECUTING"), by=org.sales_rep)
    client = as_user(org.admin)

    page = client.get(reverse(SETTINGS)).content.decode()
    done = post_settings(client, action="delete_stage", id=stage("PREPARATION").pk, move_to=stage("NEW").pk)

    assert "In the history, replace it with" in page
    assert done.status_code == 302
    assert not Status.objects.filter(status_id="PREPARATION").exists()


def test_deleting_an_empty_stage(as_user, org):
    post_settings(as_user(org.admin), action="delete_stage", id=stage("APOLOGY").pk)

    assert not Status.objects.filter(entity_id="DEAL_STAGE", status_id="APOLOGY").exists()


def test_drag_reorder_answers_with_the_card(as_user, org):
    default = Category.objects.get(pk=0)
    ids = list(Status.objects.filter(category=default).order_by("sort", "id").values_list("pk", flat=True))
    order = ",".join(str(pk) for pk in [ids[1], ids[0], *ids[2:]])

    response = as_user(org.admin).post(
        reverse(SETTINGS), {"action": "reorder_stages", "category": 0, "order": order}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="pipeline-0"' in html
    assert html.index("Подготовка документов") < html.index("Новая")


def test_stale_drag_shows_the_error_in_the_card(as_user, org):
    response = as_user(org.admin).post(
        reverse(SETTINGS), {"action": "reorder_stages", "category": 0, "order": "1,2"}, headers={"HX-Request": "true"}
    )

    assert "reload the page" in response.content.decode()


def test_arrows_move_a_stage_without_javascript(as_user, org):
    post_settings(as_user(org.admin), action="stage_up", id=stage("PREPARATION").pk, category=0)

    first_two = Status.objects.filter(category_id=0).order_by("sort", "id")[:2]
    assert [entry.status_id for entry in first_two] == ["PREPARATION", "NEW"]


def test_loss_reasons_are_edited_on_the_page(as_user, org):
    client = as_user(org.admin)
    price = LossReason.objects.get(name="Цена")

    post_settings(client, action="add_reason", name="Сроки")
    post_settings(client, action="update_reason", id=price.pk, name="Высокая цена")
    post_settings(client, action="deactivate_reason", id=price.pk)

    price.refresh_from_db()
    assert LossReason.objects.filter(name="Сроки", active=True).exists()
    assert (price.name, price.active) == ("Высокая цена", False)


def test_lead_statuses_are_edited_on_the_page(as_user, org):
    client = as_user(org.admin)

    post_settings(client, action="add_status", name="Проверка", color="#aabbcc", semantics="P")
    checking = Status.objects.get(entity_id="STATUS", name="Проверка")
    lead = make_lead(by=org.sales_rep, status=checking)
    in_process = Status.objects.get(entity_id="STATUS", status_id="IN_PROCESS")
    post_settings(client, action="delete_status", id=checking.pk, move_to=in_process.pk)

    assert Lead.objects.get(pk=lead.pk).status == in_process
    assert not Status.objects.filter(pk=checking.pk).exists()


def test_unknown_action_is_a_bad_request(as_user, org):
    assert post_settings(as_user(org.admin), action="drop_database").status_code == 400


# Lead conversion


def phone_lead(by, **fields):
    fields = {"first_name": "Мария", "last_name": "Соколова", "company_title": "Вектор", **fields}
    return make_lead("Заявка Вектора", by=by, phones=["+7 (916) 123-45-67"], **fields)


def test_convert_page_shows_what_will_be_created_and_look_alikes(as_user, org):
    known = make_contact("Соколова", by=org.sales_rep, first_name="Маша", phones=["89161234567"])
    vector = make_company("Вектор", by=org.sales_rep)
    lead = phone_lead(org.sales_rep)

    html = as_user(org.sales_rep).get(reverse("crm:lead_convert", args=[lead.pk])).content.decode()

    assert "Create a contact: Мария Соколова" in html
    assert "Create a company: Вектор" in html
    assert f'value="{known.pk}"' in html and "same phone" in html
    assert f'value="{vector.pk}"' in html and "same name" in html


def test_convert_page_creates_everything(as_user, org):
    lead = phone_lead(org.sales_rep)

    response = as_user(org.sales_rep).post(
        reverse("crm:lead_convert", args=[lead.pk]),
        {"contact": "new", "company": "new", "create_deal": "on", "category": "0"},
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status.status_id == "CONVERTED"
    assert Contact.objects.get().last_name == "Соколова"
    assert Company.objects.get().title == "Вектор"
    assert Deal.objects.get().lead == lead


def test_convert_page_links_an_existing_contact(as_user, org):
    known = make_contact("Соколова", by=org.sales_rep, first_name="Мария")
    lead = phone_lead(org.sales_rep)

    as_user(org.sales_rep).post(
        reverse("crm:lead_convert", args=[lead.pk]), {"contact": str(known.pk), "company": "none", "category": "0"}
    )

    lead.refresh_from_db()
    assert lead.contact == known
    assert Contact.objects.count() == 1
    assert not Deal.objects.exists()  # the deal box was left unticked


def test_a_converted_lead_shows_what_it_produced(as_user, org):
    lead = phone_lead(org.sales_rep)
    result = convert_lead(lead, by=org.sales_rep)
    client = as_user(org.sales_rep)

    html = client.get(reverse("crm:lead_convert", args=[lead.pk])).content.decode()
    again = client.post(reverse("crm:lead_convert", args=[lead.pk]), {"contact": "new", "company": "new"})

    assert "already been converted" in html
    assert str(result.deal) in html and str(result.company) in html
    assert again.status_code == 200
    assert Deal.objects.count() == 1


def test_service_errors_show_on_the_convert_form(as_user, org):
    lead = make_lead("Звонок", by=org.sales_rep)

    response = as_user(org.sales_rep).post(
        reverse("crm:lead_convert", args=[lead.pk]), {"contact": "none", "company": "none"}
    )

    assert response.status_code == 200
    assert "Choose at least one thing" in response.content.decode()


def test_convert_page_is_for_those_who_may_change_the_lead(as_user, org):
    lead = phone_lead(org.sales_rep)

    assert as_user(org.marketing_rep).get(reverse("crm:lead_convert", args=[lead.pk])).status_code == 404
    assert as_user(org.reader).get(reverse("crm:lead_convert", args=[lead.pk])).status_code == 404
    assert as_user(org.sales_head).get(reverse("crm:lead_convert", args=[lead.pk])).status_code == 200


# Duplicates warning


def test_duplicates_check_warns_with_matches(as_user, org):
    known = make_contact("Петров", by=org.sales_rep, phones=["+7 (916) 123-45-67"])

    response = as_user(org.sales_rep).get(
        reverse("crm:duplicates_check"), {"entity": "lead", "phones": "89161234567"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "Possible duplicates" in html
    assert str(known) in html and "same phone" in html


def test_duplicates_check_reads_form_field_names_and_offers_merge_when_editing(as_user, org):
    first = make_contact("Петров", by=org.sales_rep, first_name="Иван")
    second = make_contact("Петров", by=org.sales_rep, first_name="Иван")

    html = (
        as_user(org.sales_rep)
        .get(
            reverse("crm:duplicates_check"),
            {"entity": "contact", "first_name": "иван", "last_name": "петров", "exclude": second.pk},
        )
        .content.decode()
    )

    assert reverse("crm:merge", args=["contact", second.pk, first.pk]) in html


def test_duplicates_check_is_empty_without_matches_and_hides_what_the_user_cannot_see(as_user, org):
    make_contact("Петров", by=org.marketing_rep, phones=["89161234567"])

    check = {"entity": "contact", "phone": "89161234567"}
    response = as_user(org.sales_rep).get(reverse("crm:duplicates_check"), check)

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_duplicates_check_refuses_unknown_entities(as_user, org):
    assert as_user(org.sales_rep).get(reverse("crm:duplicates_check"), {"entity": "x"}).status_code == 400


# Merge


def test_merge_page_shows_differences_and_merges(as_user, org):
    keep = make_contact("Петров", by=org.sales_rep, position="Менеджер")
    drop = make_contact("Петров", by=org.sales_rep, position="Директор", phones=["89161234567"])
    url = reverse("crm:merge", args=["contact", keep.pk, drop.pk])
    client = as_user(org.sales_rep)

    html = client.get(url).content.decode()
    response = client.post(url, {"position": "drop"})

    assert "Менеджер" in html and "Директор" in html and "89161234567" in html
    assert response.status_code == 302
    keep.refresh_from_db()
    assert keep.position == "Директор"
    assert Contact.all_objects.get(pk=drop.pk).deleted_at is not None


def test_merge_page_needs_update_on_the_kept_and_delete_on_the_duplicate(as_user, org):
    mine = make_contact(by=org.sales_rep)
    colleagues = make_contact(by=org.sales_head)
    client = as_user(org.sales_rep)

    assert client.get(reverse("crm:merge", args=["contact", mine.pk, colleagues.pk])).status_code == 404
    assert client.post(reverse("crm:merge", args=["contact", colleagues.pk, mine.pk])).status_code == 404
    assert client.get(reverse("crm:merge", args=["invoice", mine.pk, colleagues.pk])).status_code == 404
    assert client.get(reverse("crm:merge", args=["contact", mine.pk, mine.pk])).status_code == 404
    assert Contact.objects.count() == 2
