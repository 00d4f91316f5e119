"""Record cards, create forms, My activities and the recycle bin, as people use them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kontora.accounts import services as account_services
from kontora.crm import services
from kontora.crm.choices import ActivityType, EntityType
from kontora.crm.models import (
    Activity,
    Comment,
    Company,
    Contact,
    Deal,
    Lead,
    LossReason,
    MultiField,
    ProductRow,
    Status,
)
from tests.factories import make_company, make_contact, make_deal, make_lead, stage

HTMX = {"HX-Request": "true"}
MAKERS = {"deal": make_deal, "lead": make_lead, "contact": make_contact, "company": make_company}


@pytest.fixture
def as_user(client):
    def login(user, language: str | None = None):
        if language:
            account_services.update_user(user, by=user, language=language)
        client.force_login(user)
        return client

    return login


def _phones(record) -> list[str]:
    return sorted(
        MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk, type_id="PHONE").values_list(
            "value", flat=True
        )
    )


# Cards and the gate -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["deal", "lead", "contact", "company"])
def test_card_opens_for_those_the_gate_lets_see_and_is_404_for_others(as_user, org, entity):
    record = MAKERS[entity](by=org.sales_rep)
    url = reverse(f"crm:{entity}_detail", args=[record.pk])

    own = as_user(org.sales_rep).get(url)
    head = as_user(org.sales_head).get(url)
    stranger = as_user(org.marketing_rep).get(url)
    nobody = as_user(org.nobody).get(url)
    missing = as_user(org.admin).get(reverse(f"crm:{entity}_detail", args=[record.pk + 1000]))

    assert (own.status_code, head.status_code) == (200, 200)
    assert str(record) in own.content.decode()
    assert (stranger.status_code, nobody.status_code, missing.status_code) == (404, 404, 404)


def test_deal_card_shows_pipeline_stages_amount_company_and_products(as_user, org):
    company = make_company("Вектор", by=org.sales_rep)
    deal = make_deal("Кластер", by=org.sales_rep, company=company, amount=Decimal("1500"))
    services.set_product_rows(
        deal, [{"product_name": "Сервер", "price": Decimal("1000"), "quantity": 2}], by=org.sales_rep
    )

    html = as_user(org.sales_rep, "en").get(deal.get_absolute_url()).content.decode()

    assert 'id="stages"' in html and "Подготовка документов" in html and 'aria-current="step">Новая' in html
    assert f'href="{company.get_absolute_url()}">Вектор</a>' in html
    assert "Сервер" in html and "<td>2,000.00</td>" in html
    assert 'data-field="amount">2,000.00' in html  # the product rows set the amount


def test_lead_card_shows_phones_and_emails_as_links(as_user, org):
    lead = make_lead(by=org.sales_rep, phones=["+7 916 123-45-67"], emails=["ivan@example.test"])

    html = as_user(org.sales_rep).get(lead.get_absolute_url()).content.decode()

    assert 'href="tel:+7 916 123-45-67"' in html
    assert 'href="mailto:ivan@example.test"' in html


def test_read_only_user_sees_the_card_without_edit_controls_and_cannot_save(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    client = as_user(org.reader)

    html = client.get(deal.get_absolute_url()).content.decode()
    response = client.post(deal.get_absolute_url(), {"action": "save", "section": "main", "main-title": "Взлом"})

    assert "?edit=main" not in html and 'name="action" value="move"' not in html and 'value="delete"' not in html
    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.title == "Кластер"


def test_related_records_show_only_what_the_user_may_see(as_user, org):
    company = make_company("Вектор", by=org.sales_rep)
    contact = make_contact("Петров", by=org.sales_rep, companies=[company])
    own = make_deal("Своя сделка", by=org.sales_rep, company=company)
    foreign = make_deal("Чужая сделка", by=org.marketing_rep, company=company)

    html = as_user(org.sales_rep).get(company.get_absolute_url()).content.decode()

    assert own.get_absolute_url() in html and contact.get_absolute_url() in html
    assert foreign.get_absolute_url() not in html and "Чужая сделка" not in html


# Editing in place -------------------------------------------------------------------------------------------


def test_section_swaps_to_an_inline_form_and_back(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    client = as_user(org.sales_rep)
    url = deal.get_absolute_url()

    editing = client.get(url, {"part": "section", "section": "main", "edit": "1"}, headers=HTMX).content.decode()
    reading = client.get(url, {"part": "section", "section": "main"}, headers=HTMX).content.decode()

    assert "<html" not in editing and 'name="main-title"' in editing and 'id="section-main"' in editing
    assert "<html" not in reading and "<form" not in reading and 'data-field="title">Кластер' in reading


def test_saving_a_section_in_place_calls_the_service_and_lands_on_the_timeline(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    client = as_user(org.sales_rep)
    data = {
        "action": "save",
        "section": "main",
        "main-title": "Кластер PostgreSQL",
        "main-amount": "150000",
        "main-currency": "RUB",
        "main-probability": "60",
        "main-close_date": "2030-05-01",
        "main-responsible": org.sales_rep.pk,
    }

    response = client.post(deal.get_absolute_url(), data, headers=HTMX)

    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.probability) == ("Кластер PostgreSQL", Decimal("150000"), 60)
    assert deal.close_date == datetime.date(2030, 5, 1)
    html = response.content.decode()
    assert "<form" not in html and "Кластер PostgreSQL" in html
    assert "crm-record-changed" in response.headers["HX-Trigger"]
    timeline = client.get(deal.get_absolute_url(), {"part": "timeline"}, headers=HTMX).content.decode()
    assert timeline.count('data-kind="change"') == 2


def test_in_place_edit_shows_service_errors_and_keeps_the_record(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    client = as_user(org.sales_rep, "en")
    data = {"action": "save", "section": "main", "main-title": "Новое имя", "main-amount": "-5", "main-currency": "RUB"}
    data["main-responsible"] = org.sales_rep.pk

    response = client.post(deal.get_absolute_url(), data, headers=HTMX)

    html = response.content.decode()
    assert "The amount cannot be negative." in html and 'name="main-title"' in html
    assert "HX-Trigger" not in response.headers
    deal.refresh_from_db()
    assert (deal.title, deal.amount) == ("Кластер", Decimal(0))


def test_in_place_edit_shows_form_errors_in_the_users_language(as_user, org):
    company = make_company("Вектор", by=org.sales_rep)
    client = as_user(org.sales_rep)  # Russian by default
    data = {"action": "save", "section": "main", "main-title": "Вектор", "main-employees": "много"}
    data["main-currency"] = "RUB"

    response = client.post(company.get_absolute_url(), data, headers=HTMX)

    assert "Введите целое число." in response.content.decode()
    company.refresh_from_db()
    assert company.employees is None


def test_edit_without_htmx_redirects_to_the_card_or_shows_the_page_with_errors(as_user, org):
    contact = make_contact("Петров", by=org.sales_rep)
    client = as_user(org.sales_rep, "en")
    base = {"action": "save", "section": "main", "main-first_name": "", "main-middle_name": "", "main-position": ""}

    bad = client.post(contact.get_absolute_url(), {**base, "main-last_name": ""})
    good = client.post(contact.get_absolute_url(), {**base, "main-last_name": "Сидоров"})

    assert bad.status_code == 200 and "Enter the contact&#x27;s first or last name." in bad.content.decode()
    assert good.status_code == 302 and good.url == contact.get_absolute_url()
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("", "Сидоров")


def test_phones_and_emails_are_edited_in_place_and_a_bad_email_keeps_both(as_user, org):
    lead = make_lead(by=org.sales_rep, phones=["+7 916 000-00-00"])
    client = as_user(org.sales_rep, "en")
    url = lead.get_absolute_url()

    bad = client.post(
        url,
        {"action": "save", "section": "communications", "communications-phones": ["8 495 111-22-33"],
         "communications-emails": ["not-an-email"]},
        headers=HTMX,
    )  # fmt: skip
    assert "not-an-email is not an email address." in bad.content.decode()
    assert _phones(lead) == ["+7 916 000-00-00"]

    client.post(
        url,
        {"action": "save", "section": "communications", "communications-phones": ["8 495 111-22-33", "+7 916 1"],
         "communications-emails": ["ivan@example.test"]},
        headers=HTMX,
    )  # fmt: skip
    assert _phones(lead) == ["+7 916 1", "8 495 111-22-33"]
    assert MultiField.objects.filter(entity_id=lead.pk, type_id="EMAIL").get().value == "ivan@example.test"


def test_linking_contacts_keeps_the_ones_the_editor_cannot_see(as_user, org):
    hidden = make_contact("Скрытый", by=org.marketing_rep)
    mine = make_contact("Свой", by=org.sales_rep)
    deal = make_deal("Кластер", by=org.sales_rep, contacts=[hidden])
    client = as_user(org.sales_rep)

    form = client.get(deal.get_absolute_url(), {"part": "section", "section": "client", "edit": "1"}, headers=HTMX)
    client.post(
        deal.get_absolute_url(),
        {"action": "save", "section": "client", "client-company": "", "client-contacts": [mine.pk]},
        headers=HTMX,
    )

    assert "Скрытый" not in form.content.decode()
    assert set(deal.contacts.all()) == {hidden, mine}


def test_product_rows_are_edited_on_the_card(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    client = as_user(org.sales_rep)
    data = {
        "action": "save",
        "section": "products",
        "products-TOTAL_FORMS": "2",
        "products-INITIAL_FORMS": "0",
        "products-0-product_name": "Сервер",
        "products-0-price": "1000",
        "products-0-quantity": "3",
        "products-0-discount_rate": "10",
        "products-0-tax_included": "on",
        "products-1-product_name": "",
        "products-1-price": "",
        "products-1-quantity": "1",
        "products-1-tax_included": "on",
    }

    response = client.post(deal.get_absolute_url(), data, headers=HTMX)

    assert response.status_code == 200
    row = ProductRow.objects.get(owner_type=EntityType.DEAL, owner_id=deal.pk)
    assert (row.product_name, row.quantity, row.total) == ("Сервер", 3, Decimal("2700.00"))
    deal.refresh_from_db()
    assert deal.amount == Decimal("2700.00")


# Stage bar --------------------------------------------------------------------------------------------------


def test_stage_bar_moves_the_deal(as_user, org):
    deal = make_deal(by=org.sales_rep)
    client = as_user(org.sales_rep)

    response = client.post(deal.get_absolute_url(), {"action": "move", "stage": stage("PREPARATION").pk}, headers=HTMX)

    deal.refresh_from_db()
    assert deal.stage.status_id == "PREPARATION"
    assert 'id="stages"' in response.content.decode() and "<html" not in response.content.decode()
    assert "crm-record-changed" in response.headers["HX-Trigger"]


def test_lost_stage_asks_for_a_reason_first(as_user, org):
    deal = make_deal(by=org.sales_rep)
    client = as_user(org.sales_rep)
    lose = stage("LOSE")

    asked = client.get(deal.get_absolute_url(), {"part": "stages", "lose": lose.pk}, headers=HTMX).content.decode()
    refused = client.post(deal.get_absolute_url(), {"action": "move", "stage": lose.pk}, headers=HTMX)
    deal.refresh_from_db()
    assert deal.stage.status_id == "NEW"
    price = LossReason.objects.get(name="Цена")
    client.post(
        deal.get_absolute_url(),
        {"action": "move", "stage": lose.pk, "loss_reason": price.pk, "loss_comment": "Дорого"},
        headers=HTMX,
    )

    assert 'name="loss_reason"' in asked and "Цена" in asked
    assert 'class="error"' in refused.content.decode()
    deal.refresh_from_db()
    assert (deal.stage.status_id, deal.loss_reason, deal.loss_comment) == ("LOSE", price, "Дорого")


def test_stage_of_another_pipeline_is_not_found(as_user, org):
    partners = services.create_category(by=org.admin, name="Партнёры")
    deal = make_deal(by=org.sales_rep)

    response = as_user(org.sales_rep).post(
        deal.get_absolute_url(), {"action": "move", "stage": stage(f"C{partners.pk}:NEW").pk}
    )

    assert response.status_code == 404


# Timeline ---------------------------------------------------------------------------------------------------


def test_comment_from_the_card_lands_on_the_timeline(as_user, org):
    deal = make_deal(by=org.sales_rep)
    client = as_user(org.reader)  # whoever may read may comment

    response = client.post(
        deal.get_absolute_url(), {"action": "comment", "comment-text": "Позвонить завтра"}, headers=HTMX
    )

    html = response.content.decode()
    assert 'id="timeline"' in html and "<html" not in html
    assert html.index('data-kind="comment"') < html.index('data-kind="change"')  # newest first
    assert "Позвонить завтра" in html
    assert Comment.objects.get().author == org.reader


def test_empty_comment_is_refused_with_an_error(as_user, org):
    deal = make_deal(by=org.sales_rep)

    response = as_user(org.sales_rep).post(
        deal.get_absolute_url(), {"action": "comment", "comment-text": "  "}, headers=HTMX
    )

    assert 'class="error"' in response.content.decode()
    assert not Comment.objects.exists()


def test_activity_planned_from_the_card_lands_on_the_timeline_and_is_ticked_done(as_user, org):
    lead = make_lead(by=org.sales_rep)
    client = as_user(org.sales_rep)
    data = {
        "action": "plan",
        "activity-type_id": ActivityType.CALL,
        "activity-subject": "Перезвонить",
        "activity-deadline": "2030-01-10T10:30",
        "activity-responsible": org.sales_rep.pk,
    }

    planned = client.post(lead.get_absolute_url(), data, headers=HTMX).content.decode()
    activity = Activity.objects.get()
    done = client.post(
        lead.get_absolute_url(), {"action": "complete", "activity": activity.pk, "done": ["0", "1"]}, headers=HTMX
    )

    assert 'data-kind="activity"' in planned and "Перезвонить" in planned
    assert (activity.owner_type, activity.owner_id, activity.type_id) == (EntityType.LEAD, lead.pk, ActivityType.CALL)
    assert timezone.localtime(activity.deadline).hour == 10
    assert done.status_code == 200
    activity.refresh_from_db()
    assert activity.completed


def test_plan_activity_without_subject_shows_the_error_and_plans_nothing(as_user, org):
    deal = make_deal(by=org.sales_rep)

    response = as_user(org.sales_rep).post(
        deal.get_absolute_url(), {"action": "plan", "activity-type_id": "3", "activity-subject": ""}, headers=HTMX
    )

    html = response.content.decode()
    assert 'class="error"' in html and '<details id="plan-activity" class="crm-plan" open>' in html
    assert not Activity.objects.exists()


def test_another_users_activity_cannot_be_ticked_by_a_colleague_without_rights(as_user, org):
    deal = make_deal(by=org.sales_rep)
    activity = services.plan_activity(deal, by=org.sales_rep, subject="Встреча", responsible=org.sales_head)

    response = as_user(org.sales_rep).post(deal.get_absolute_url(), {"action": "complete", "activity": activity.pk})

    assert response.status_code == 404
    activity.refresh_from_db()
    assert not activity.completed


# Delete from the card ---------------------------------------------------------------------------------------


def test_delete_from_the_card_moves_the_record_to_the_bin(as_user, org):
    company = make_company(by=org.sales_rep)
    client = as_user(org.sales_rep)

    response = client.post(company.get_absolute_url(), {"action": "delete"})

    assert response.status_code == 302
    assert Company.all_objects.get(pk=company.pk).deleted_at is not None
    assert client.get(company.get_absolute_url()).status_code == 404


def test_colleague_cannot_delete_from_the_card(as_user, org):
    company = make_company(by=org.sales_rep)

    response = as_user(org.kazan_rep).post(company.get_absolute_url(), {"action": "delete"})

    assert response.status_code == 404
    assert Company.objects.filter(pk=company.pk).exists()


# Create pages -----------------------------------------------------------------------------------------------


def test_create_lead_with_several_phones_redirects_to_its_card(as_user, org):
    client = as_user(org.sales_rep)
    page = client.get(reverse("crm:lead_add")).content.decode()
    data = {
        "title": "",
        "first_name": "Иван",
        "last_name": "Петров",
        "status": Status.objects.get(entity_id="STATUS", status_id="NEW").pk,
        "amount": "1000",
        "currency": "RUB",
        "phones": ["+7 916 123-45-67", "8 495 111-22-33"],
        "emails": ["ivan@example.test"],
        "responsible": org.sales_rep.pk,
    }

    response = client.post(reverse("crm:lead_add"), data)

    assert 'id="lead-form"' in page and 'name="phones"' in page
    lead = Lead.objects.get()
    assert response.status_code == 302 and response.url == lead.get_absolute_url()
    assert lead.title == "Иван Петров"
    assert _phones(lead) == ["+7 916 123-45-67", "8 495 111-22-33"]


@pytest.mark.parametrize(
    ("entity", "data", "field"),
    [
        ("lead", {"title": "", "currency": "RUB"}, "title"),
        ("contact", {"first_name": "", "last_name": "", "emails": ["ivan@example.test"]}, "last_name"),
        ("contact", {"last_name": "Петров", "emails": ["нет"]}, "emails"),
        ("company", {"title": "", "currency": "RUB"}, "title"),
        ("company", {"title": "Вектор", "currency": "RUB", "revenue": "много"}, "revenue"),
        ("deal", {"title": "Кластер", "currency": "RUB", "category": "0", "probability": "150"}, "probability"),
    ],
    ids=["lead_without_any_name", "contact_without_name", "contact_bad_email", "company_without_title",
         "company_bad_revenue", "deal_bad_probability"],
)  # fmt: skip
def test_create_form_with_bad_input_keeps_nothing(as_user, org, entity, data, field):
    client = as_user(org.sales_rep)
    if entity == "lead":
        data["status"] = Status.objects.get(entity_id="STATUS", status_id="NEW").pk

    response = client.post(reverse(f"crm:{entity}_add"), {**data, "responsible": org.sales_rep.pk})

    assert response.status_code == 200
    assert f'id="{entity}-form"' in response.content.decode()
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not (Lead.objects.exists() or Contact.objects.exists() or Company.objects.exists() or Deal.objects.exists())


def test_create_deal_in_a_pipeline_at_a_chosen_stage_with_visible_company_and_contacts(as_user, org):
    company = make_company("Вектор", by=org.sales_rep)
    contact = make_contact("Петров", by=org.sales_rep)
    client = as_user(org.sales_rep)
    data = {
        "title": "Кластер",
        "category": "0",
        "stage": stage("EXECUTING").pk,
        "amount": "5000",
        "currency": "RUB",
        "company": company.pk,
        "contacts": [contact.pk],
        "close_date": "2030-03-01",
        "responsible": org.sales_rep.pk,
    }

    response = client.post(reverse("crm:deal_add"), data)

    deal = Deal.objects.get()
    assert response.url == deal.get_absolute_url()
    assert (deal.stage.status_id, deal.company, list(deal.contacts.all())) == ("EXECUTING", company, [contact])


def test_deal_form_offers_only_visible_companies_and_refuses_others(as_user, org):
    mine = make_company("Своя", by=org.sales_rep)
    foreign = make_company("Чужая", by=org.marketing_rep)
    client = as_user(org.sales_rep)

    page = client.get(reverse("crm:deal_add"), {"company": mine.pk}).content.decode()
    response = client.post(
        reverse("crm:deal_add"),
        {"title": "X", "category": "0", "currency": "RUB", "company": foreign.pk, "responsible": org.sales_rep.pk},
    )

    assert f'<option value="{mine.pk}" selected>Своя</option>' in page and "Чужая" not in page
    assert response.status_code == 200 and response.context["form"].errors.get("company")
    assert not Deal.objects.exists()


def test_deal_form_lists_the_stages_of_the_picked_pipeline(as_user, org):
    partners = services.create_category(by=org.admin, name="Партнёры")
    client = as_user(org.sales_rep)

    partial = client.get(reverse("crm:deal_add"), {"category": partners.pk}, headers=HTMX)
    refused = client.post(
        reverse("crm:deal_add"),
        {"title": "X", "category": "0", "stage": stage(f"C{partners.pk}:NEW").pk, "currency": "RUB",
         "responsible": org.sales_rep.pk},
    )  # fmt: skip

    assert "<html" not in partial.content.decode() and 'id="deal-form"' in partial.content.decode()
    offered = {item.status_id for item in partial.context["form"].fields["stage"].queryset}
    assert offered == {f"C{partners.pk}:NEW", f"C{partners.pk}:WON", f"C{partners.pk}:LOSE"}
    assert refused.context["form"].errors.get("stage")
    assert not Deal.objects.exists()


def test_employee_cannot_create_a_record_for_someone_outside_their_reach(as_user, org):
    response = as_user(org.sales_rep, "en").post(
        reverse("crm:company_add"), {"title": "Вектор", "currency": "RUB", "responsible": org.marketing_rep.pk}
    )

    assert response.status_code == 200 and response.context["form"].errors.get("responsible")
    assert not Company.objects.exists()


def test_create_pages_are_404_for_people_who_may_not_add(as_user, org):
    client = as_user(org.reader)

    assert client.get(reverse("crm:lead_add")).status_code == 404
    assert client.get(reverse("crm:deal_add")).status_code == 404


# My activities ----------------------------------------------------------------------------------------------


def test_my_activities_are_grouped_by_deadline(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    now = timezone.now()
    plan = {
        "overdue": now - datetime.timedelta(days=2),
        "today": timezone.localtime(now).replace(hour=23, minute=59),
        "later": now + datetime.timedelta(days=3),
        "none": None,
    }
    for subject, deadline in plan.items():
        services.plan_activity(deal, by=org.sales_rep, subject=f"Дело {subject}", deadline=deadline)
    services.plan_activity(deal, by=org.sales_rep, subject="Чужое", responsible=org.sales_head)

    response = as_user(org.sales_rep).get(reverse("crm:activities"))

    groups = {group["key"]: [item.subject for item in group["items"]] for group in response.context["groups"]}
    assert groups == {"overdue": ["Дело overdue"], "today": ["Дело today"], "later": ["Дело later"],
                      "none": ["Дело none"]}  # fmt: skip
    assert deal.get_absolute_url() in response.content.decode()


def test_ticking_an_activity_done_hides_it_unless_done_ones_are_shown(as_user, org):
    lead = make_lead(by=org.sales_rep)
    activity = services.plan_activity(lead, by=org.sales_rep, subject="Перезвонить")
    client = as_user(org.sales_rep)

    partial = client.post(
        reverse("crm:activities"), {"activity": activity.pk, "complete": ["0", "1"]}, headers=HTMX
    ).content.decode()
    shown = client.get(reverse("crm:activities"), {"done": "on"})

    activity.refresh_from_db()
    assert activity.completed
    assert "<html" not in partial and "Перезвонить" not in partial
    assert [group["key"] for group in shown.context["groups"]] == ["done"]


def test_someone_elses_activity_cannot_be_ticked_on_my_activities(as_user, org):
    lead = make_lead(by=org.sales_rep)
    activity = services.plan_activity(lead, by=org.sales_rep, subject="Перезвонить")

    response = as_user(org.sales_head).post(reverse("crm:activities"), {"activity": activity.pk, "complete": "1"})

    assert response.status_code == 404


# Recycle bin ------------------------------------------------------------------------------------------------


def test_bin_lists_only_what_the_user_may_delete(as_user, org):
    mine = make_deal("Своя", by=org.sales_rep)
    foreign = make_company("Чужая", by=org.marketing_rep)
    services.delete_record(mine, by=org.sales_rep)
    services.delete_record(foreign, by=org.marketing_rep)

    rep = as_user(org.sales_rep).get(reverse("crm:bin"))
    admin = as_user(org.admin).get(reverse("crm:bin"))

    assert [str(record) for record in rep.context["records"]] == ["Своя"]
    assert {str(record) for record in admin.context["records"]} == {"Своя", "Чужая"}
    assert 'value="purge"' not in rep.content.decode() and 'value="purge"' in admin.content.decode()


def test_admin_restores_a_record_from_the_bin(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    services.delete_record(deal, by=org.sales_rep)

    response = as_user(org.admin).post(
        reverse("crm:bin"), {"action": "restore", "entity_type": EntityType.DEAL, "pk": deal.pk}
    )

    assert response.status_code == 302
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_owner_restores_their_record_from_the_bin(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    services.delete_record(deal, by=org.sales_rep)

    as_user(org.sales_rep).post(
        reverse("crm:bin"), {"action": "restore", "entity_type": EntityType.DEAL, "pk": deal.pk}
    )

    assert Deal.objects.filter(pk=deal.pk).exists()


def test_only_administrators_purge_and_nobody_touches_what_they_cannot_delete(as_user, org):
    lead = make_lead(by=org.sales_rep)
    services.delete_record(lead, by=org.sales_rep)
    purge = {"action": "purge", "entity_type": EntityType.LEAD, "pk": lead.pk}
    restore = {"action": "restore", "entity_type": EntityType.LEAD, "pk": lead.pk}

    by_owner = as_user(org.sales_rep).post(reverse("crm:bin"), purge)
    by_stranger = as_user(org.marketing_rep).post(reverse("crm:bin"), restore)
    assert (by_owner.status_code, by_stranger.status_code) == (404, 404)
    assert Lead.all_objects.filter(pk=lead.pk).exists()

    as_user(org.admin).post(reverse("crm:bin"), purge)

    assert not Lead.all_objects.filter(pk=lead.pk).exists()


def test_handing_a_record_out_of_reach_is_refused_with_a_message(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    data = {"action": "save", "section": "main", "main-title": "Кластер", "main-currency": "RUB"}
    data["main-responsible"] = org.marketing_rep.pk

    response = as_user(org.sales_rep, "en").post(deal.get_absolute_url(), data, headers=HTMX)

    assert "outside what you may edit" in response.content.decode()
    deal.refresh_from_db()
    assert deal.responsible == org.sales_rep


def test_timeline_names_the_stages_a_deal_moved_between(as_user, org):
    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)

    html = as_user(org.sales_rep, "en").get(deal.get_absolute_url()).content.decode()

    assert "Stage: Новая → Подготовка документов" in html


def test_pages_work_without_javascript(as_user, org):
    deal = make_deal(by=org.sales_rep)
    client = as_user(org.sales_rep)

    editing = client.get(deal.get_absolute_url(), {"edit": "client"}).content.decode()
    losing = client.get(deal.get_absolute_url(), {"lose": stage("LOSE").pk}).content.decode()
    moved = client.post(deal.get_absolute_url(), {"action": "move", "stage": stage("WON").pk})

    assert "<html" in editing and 'name="client-contacts"' in editing
    assert "<html" in losing and 'name="loss_reason"' in losing
    assert moved.status_code == 302
    deal.refresh_from_db()
    assert deal.closed


def test_adding_a_contact_from_a_company_card_prefills_the_company(as_user, org):
    company = make_company("Вектор", by=org.sales_rep)
    client = as_user(org.sales_rep)

    card = client.get(company.get_absolute_url()).content.decode()
    page = client.get(reverse("crm:contact_add"), {"companies": company.pk}).content.decode()

    assert f"{reverse('crm:contact_add')}?companies={company.pk}" in card
    assert f'<option value="{company.pk}" selected>Вектор</option>' in page


def test_lead_card_offers_conversion_to_those_who_may_change_it(as_user, org):
    lead = make_lead(by=org.sales_rep)

    own = as_user(org.sales_rep).get(lead.get_absolute_url()).content.decode()
    reader = as_user(org.reader).get(lead.get_absolute_url()).content.decode()

    assert 'data-action="convert"' in own and 'data-action="convert"' not in reader


def test_product_rows_with_a_negative_price_are_refused_and_the_old_rows_stay(as_user, org):
    deal = make_deal("Кластер", by=org.sales_rep)
    services.set_product_rows(deal, [{"product_name": "Сервер", "price": Decimal("10")}], by=org.sales_rep)
    data = {
        "action": "save",
        "section": "products",
        "products-TOTAL_FORMS": "1",
        "products-INITIAL_FORMS": "1",
        "products-0-product_name": "Сервер",
        "products-0-price": "-10",
        "products-0-quantity": "1",
    }

    response = as_user(org.sales_rep, "en").post(deal.get_absolute_url(), data, headers=HTMX)

    assert "Price must not be negative" in response.content.decode()
    assert ProductRow.objects.get().price == Decimal("10")


def test_card_links_to_why_can_i_see_this(as_user, org):
    deal = make_deal("Кластер для Казани", by=org.kazan_rep)

    card = as_user(org.sales_head).get(deal.get_absolute_url()).content.decode()
    why = as_user(org.sales_head).get(reverse("accounts:why"), {"entity": "crm.deal", "id": deal.pk})

    assert f"entity=crm.deal&amp;id={deal.pk}" in card
    assert why.status_code == 200
    assert "Отдел продаж" in why.content.decode() or "Sales" in why.content.decode()
