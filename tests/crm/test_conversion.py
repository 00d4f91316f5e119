"""Lead conversion: a lead becomes a contact, a company and a deal, or joins existing ones, exactly once."""

from decimal import Decimal

import pytest

from kontora.core.errors import Forbidden, Invalid
from kontora.crm import services
from kontora.crm.choices import EntityType, MultiFieldType, Semantics
from kontora.crm.models import Category, Company, Contact, Deal, Lead, MultiField, ProductRow, Status
from kontora.crm.services.conversion import convert_lead
from tests.factories import make_company, make_contact, make_lead


def source(code: str) -> Status:
    return Status.objects.get(entity_id="SOURCE", status_id=code)


def web_lead(by, **fields) -> Lead:
    fields = {
        "first_name": "Мария", "last_name": "Соколова", "company_title": "ООО Вектор", "position": "Закупщик",
        "amount": Decimal("120000"), "source": source("WEB"), "utm_source": "yandex", "utm_campaign": "spring",
        "phones": ["+7 (916) 123-45-67"], "emails": ["Maria@Vector.example"], **fields,
    }  # fmt: skip
    return make_lead("Кластер для Вектора", by=by, **fields)


def multifields(record) -> set[tuple[str, str]]:
    return set(
        MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk).values_list("type_id", "value")
    )


def test_conversion_creates_contact_company_and_deal(org):
    lead = web_lead(org.sales_rep)

    result = convert_lead(lead, by=org.sales_rep)

    contact, company, deal = result.contact, result.company, result.deal
    assert (result.created_contact, result.created_company) == (True, True)
    assert (contact.first_name, contact.last_name, contact.position) == ("Мария", "Соколова", "Закупщик")
    assert list(contact.companies.all()) == [company]
    assert company.title == "ООО Вектор"
    assert (deal.title, deal.amount, deal.company, deal.lead, deal.source) == (
        "Кластер для Вектора", Decimal("120000"), company, lead, source("WEB"),
    )  # fmt: skip
    assert list(deal.contacts.all()) == [contact]
    assert deal.category_id == 0
    assert contact.lead == lead
    assert {r.responsible for r in (contact, company, deal)} == {org.sales_rep}


def test_converted_lead_is_marked_and_linked(org):
    lead = web_lead(org.sales_rep)

    result = convert_lead(lead, by=org.sales_rep)

    lead.refresh_from_db()
    assert lead.status.status_id == "CONVERTED"
    assert lead.is_converted
    assert (lead.contact, lead.company) == (result.contact, result.company)
    assert list(lead.deals.all()) == [result.deal]


def test_phones_and_emails_are_copied_to_the_contact(org):
    lead = web_lead(org.sales_rep)
    services.set_multifields(lead, by=org.sales_rep, type_id=MultiFieldType.WEB, values=["vector.example"])

    result = convert_lead(lead, by=org.sales_rep)

    assert multifields(result.contact) == {
        ("PHONE", "+7 (916) 123-45-67"), ("EMAIL", "Maria@Vector.example"), ("WEB", "vector.example"),
    }  # fmt: skip
    phone = MultiField.objects.get(entity_type=EntityType.CONTACT, entity_id=result.contact.pk, type_id="PHONE")
    assert phone.normalized == "+79161234567"
    assert multifields(lead) == {
        ("PHONE", "+7 (916) 123-45-67"), ("EMAIL", "Maria@Vector.example"), ("WEB", "vector.example"),
    }  # fmt: skip


def test_utm_tags_and_comment_go_to_the_deal(org):
    lead = web_lead(org.sales_rep, comments="Просили перезвонить после обеда")

    deal = convert_lead(lead, by=org.sales_rep).deal

    assert "Просили перезвонить после обеда" in deal.comments
    assert "UTM source: yandex" in deal.comments
    assert "UTM campaign: spring" in deal.comments
    assert "UTM medium" not in deal.comments


def test_converting_twice_is_refused(org):
    lead = web_lead(org.sales_rep)
    convert_lead(lead, by=org.sales_rep)

    with pytest.raises(Invalid) as error:
        convert_lead(lead, by=org.sales_rep)

    assert error.value.code == "ALREADY_CONVERTED"
    assert error.value.message == "Этот лид уже сконвертирован."  # in the default language, Russian
    assert Deal.objects.count() == 1
    assert Contact.objects.count() == 1


def test_linking_an_existing_contact_and_company(org):
    known = make_contact("Соколова", by=org.sales_rep, first_name="Мария")
    vector = make_company("ООО Вектор", by=org.sales_rep)
    lead = web_lead(org.sales_rep)

    result = convert_lead(lead, by=org.sales_rep, contact=known, company=vector)

    assert (result.contact, result.company) == (known, vector)
    assert (result.created_contact, result.created_company) == (False, False)
    assert Contact.objects.count() == 1 and Company.objects.count() == 1
    assert result.deal.company == vector
    assert list(result.deal.contacts.all()) == [known]
    assert vector in known.companies.all()
    lead.refresh_from_db()
    assert (lead.contact, lead.company) == (known, vector)


def test_company_only_lead_makes_a_company_and_a_deal(org):
    lead = make_lead("Запрос", by=org.sales_rep, company_title="Ромашка", phones=["+7 495 111-22-33"])

    result = convert_lead(lead, by=org.sales_rep)

    assert result.contact is None
    assert result.company.title == "Ромашка"
    assert multifields(result.company) == {("PHONE", "+7 495 111-22-33")}
    assert result.deal.company == result.company


def test_lead_without_a_person_or_company_needs_an_existing_contact(org):
    lead = make_lead("Звонок", by=org.sales_rep, phones=["89161234567"])

    with pytest.raises(Invalid) as error:
        convert_lead(lead, by=org.sales_rep)
    result = convert_lead(lead, by=org.sales_rep, contact=make_contact(by=org.sales_rep))

    assert error.value.code == "NO_CONTACT_NAME"
    assert result.deal is not None


def test_only_a_deal_or_only_a_contact(org):
    only_deal = convert_lead(web_lead(org.sales_rep), by=org.sales_rep, create_contact=False, create_company=False)
    only_contact = convert_lead(web_lead(org.sales_rep), by=org.sales_rep, create_company=False, create_deal=False)

    assert (only_deal.contact, only_deal.company) == (None, None)
    assert only_deal.deal.contacts.count() == 0
    assert (only_contact.deal, only_contact.company) == (None, None)
    assert only_contact.contact.companies.count() == 0


def test_deal_goes_to_the_chosen_pipeline(org):
    partners = services.create_category(by=org.admin, name="Партнёры")

    deal = convert_lead(web_lead(org.sales_rep), by=org.sales_rep, category=partners).deal

    assert deal.category == partners
    assert deal.stage.status_id == f"C{partners.pk}:NEW"


def test_lead_product_rows_are_copied_to_the_deal(org):
    lead = web_lead(org.sales_rep)
    ProductRow.objects.create(
        owner_type=EntityType.LEAD, owner_id=lead.pk, product_name="Тариф M", price=Decimal("50000"), quantity=2
    )

    deal = convert_lead(lead, by=org.sales_rep).deal

    rows = ProductRow.objects.filter(owner_type=EntityType.DEAL, owner_id=deal.pk)
    assert [(row.product_name, row.quantity) for row in rows] == [("Тариф M", Decimal("2"))]
    deal.refresh_from_db()
    assert deal.amount == Decimal("100000.00")


def test_a_failed_conversion_changes_nothing(org):
    lead = web_lead(org.sales_rep)
    broken = Category.objects.create(id=99, name="Воронка без стадий")  # no first stage for the deal

    with pytest.raises(Invalid) as error:
        convert_lead(lead, by=org.sales_rep, category=broken)

    assert error.value.code == "WRONG_STAGE"
    assert not Contact.objects.exists() and not Company.objects.exists() and not Deal.objects.exists()
    lead.refresh_from_db()
    assert (lead.status.status_id, lead.contact, lead.company) == ("NEW", None, None)


def test_linking_a_record_out_of_sight_is_refused(org):
    lead = web_lead(org.sales_rep)
    hidden = make_contact("Чужой", by=org.marketing_rep)

    with pytest.raises(Forbidden):
        convert_lead(lead, by=org.sales_rep, contact=hidden)

    assert Lead.objects.get(pk=lead.pk).status.status_id == "NEW"


def test_someone_who_cannot_change_the_lead_cannot_convert_it(org):
    lead = web_lead(org.sales_rep)

    with pytest.raises(Forbidden):
        convert_lead(lead, by=org.marketing_rep)
    with pytest.raises(Forbidden):
        convert_lead(lead, by=org.reader)

    assert Lead.objects.get(pk=lead.pk).status.semantics == Semantics.PROCESS
    assert not Deal.objects.exists()


def test_head_converts_a_reps_lead_for_the_rep(org):
    lead = web_lead(org.sales_rep)

    result = convert_lead(lead, by=org.sales_head)

    assert result.deal.responsible == org.sales_rep
    assert result.deal.created_by == org.sales_head


def test_a_lead_in_the_bin_is_not_converted(org):
    lead = web_lead(org.sales_rep)
    services.delete_record(lead, by=org.sales_rep)

    with pytest.raises(Invalid) as error:
        convert_lead(lead, by=org.admin)

    assert error.value.code == "IN_BIN"
