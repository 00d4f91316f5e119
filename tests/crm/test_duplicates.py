"""Duplicates: found by a phone in any format, an email in any case or a name; merged without losing anything."""

from decimal import Decimal

import pytest

from kontora.core.errors import Forbidden, Invalid
from kontora.crm import services
from kontora.crm.choices import EntityType
from kontora.crm.duplicates import find_duplicates, find_possible_duplicates
from kontora.crm.models import Activity, Comment, Company, Contact, Deal, Lead, MultiField, ProductRow, StageHistory
from kontora.crm.services.duplicates import merge_records
from kontora.events import history
from tests.factories import make_company, make_contact, make_deal, make_lead, stage


def values(record, type_id: str) -> list[str]:
    return sorted(
        MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk, type_id=type_id).values_list(
            "value", flat=True
        )
    )


# Finding


def test_phone_in_another_format_matches(org):
    petrov = make_contact(by=org.sales_rep, phones=["+7 (916) 123-45-67"])

    found = find_duplicates(org.sales_rep, EntityType.CONTACT, phones=["89161234567"])

    assert found == [petrov]
    assert found[0].duplicate_reasons == ["phone"]


def test_email_matches_in_any_case(org):
    vector = make_company("Вектор", by=org.sales_rep, emails=["Info@Vector.Example"])

    found = find_duplicates(org.sales_rep, "company", emails=["info@vector.example "])

    assert found == [vector]
    assert found[0].duplicate_reasons == ["email"]


def test_only_visible_records_are_reported(org):
    mine = make_contact("Петров", by=org.sales_rep, phones=["89161234567"])
    make_contact("Петров", by=org.marketing_rep, phones=["+79161234567"])

    assert find_duplicates(org.sales_rep, "contact", phones=["8 916 123 45 67"]) == [mine]
    assert len(find_duplicates(org.admin, "contact", phones=["8 916 123 45 67"])) == 2
    assert find_duplicates(org.nobody, "contact", phones=["8 916 123 45 67"]) == []


def test_records_in_the_bin_and_the_record_itself_are_not_duplicates(org):
    kept = make_contact(by=org.sales_rep, phones=["89161234567"])
    binned = make_contact(by=org.sales_rep, phones=["89161234567"])
    services.delete_record(binned, by=org.sales_rep)

    assert find_duplicates(org.sales_rep, "contact", phones=["89161234567"], exclude_id=kept.pk) == []


def test_person_matches_by_full_name_in_any_case(org):
    petrov = make_contact("Петров", by=org.sales_rep, first_name="Иван")
    make_contact("Петров", by=org.sales_rep, first_name="Олег")

    assert find_duplicates(org.sales_rep, "contact", name="иван ПЕТРОВ") == [petrov]
    assert find_duplicates(org.sales_rep, "contact", name="Петров") == []  # one word finds too many


def test_person_and_company_title_must_both_match_when_given(org):
    vector = make_company("Вектор", by=org.sales_rep)
    at_vector = make_contact("Петров", by=org.sales_rep, companies=[vector])
    make_contact("Петров", by=org.sales_rep)
    lead = make_lead(by=org.sales_rep, first_name="Иван", last_name="Петров", company_title="ВЕКТОР")

    contacts = find_duplicates(org.sales_rep, "contact", name="Иван Петров", company_title="вектор")
    leads = find_duplicates(org.sales_rep, "lead", name="Иван Петров", company_title="Вектор")

    assert contacts == [at_vector]
    assert leads == [lead]
    assert find_duplicates(org.sales_rep, "lead", name="Иван Петров", company_title="Ромашка") == []


def test_company_matches_by_title(org):
    vector = make_company("ООО «Вектор»", by=org.sales_rep)

    assert find_duplicates(org.sales_rep, "company", company_title="ооо «вектор»") == [vector]
    assert find_duplicates(org.sales_rep, "company", company_title="Вектор") == []


def test_nothing_to_compare_finds_nothing(org):
    make_contact(by=org.sales_rep)

    assert find_duplicates(org.sales_rep, "contact") == []
    assert find_duplicates(org.sales_rep, "contact", phones=["", "  "], name=" ") == []


def test_new_lead_is_checked_against_leads_contacts_and_companies(org):
    lead = make_lead(by=org.sales_rep, phones=["+7 916 123-45-67"])
    contact = make_contact(by=org.sales_rep, emails=["ivan@example.test"])
    company = make_company("Вектор", by=org.sales_rep)

    found = find_possible_duplicates(
        org.sales_rep, "lead", phones=["89161234567"], emails=["IVAN@example.test"], company_title="вектор"
    )

    assert set(found) == {lead, contact, company}


def test_unknown_entity_is_a_lookup_error(org):
    with pytest.raises(LookupError):
        find_duplicates(org.sales_rep, "invoice", phones=["1"])


# Merging


def test_merging_contacts_moves_everything_and_bins_the_other(org):
    vector, romashka = make_company("Вектор", by=org.sales_rep), make_company("Ромашка", by=org.sales_rep)
    keep = make_contact("Петров", by=org.sales_rep, phones=["+7 (916) 123-45-67"], companies=[vector])
    drop = make_contact(
        "Петров", by=org.sales_rep, phones=["89161234567", "+7 495 111-22-33"], emails=["ivan@example.test"],
        companies=[vector, romashka], position="Директор",
    )  # fmt: skip
    deal = make_deal(by=org.sales_rep, contacts=[drop])
    both = make_deal(by=org.sales_rep, contacts=[keep, drop])
    lead = make_lead(by=org.sales_rep)
    Lead.objects.filter(pk=lead.pk).update(contact=drop)
    activity = services.plan_activity(drop, by=org.sales_rep, subject="Позвонить")
    comment = services.add_comment(drop, by=org.sales_rep, text="Просил скидку")

    merge_records(keep, drop, by=org.sales_rep, choices={})

    keep.refresh_from_db()
    assert keep.position == "Директор"  # empty on the kept one, so the other's value fills it
    assert values(keep, "PHONE") == ["+7 (916) 123-45-67", "+7 495 111-22-33"]
    assert values(keep, "EMAIL") == ["ivan@example.test"]
    assert set(keep.companies.all()) == {vector, romashka}
    assert list(deal.contacts.all()) == [keep]
    assert list(both.contacts.all()) == [keep]
    assert Lead.objects.get(pk=lead.pk).contact == keep
    assert Activity.objects.get(pk=activity.pk).owner_id == keep.pk
    assert Comment.objects.get(pk=comment.pk).entity_id == keep.pk
    assert not MultiField.objects.filter(entity_type=EntityType.CONTACT, entity_id=drop.pk).exists()
    assert Contact.objects.filter(pk=drop.pk).count() == 0
    assert Contact.all_objects.get(pk=drop.pk).deleted_at is not None
    assert history.for_object(keep).filter(changes__has_key="merged_from").exists()


def test_choices_pick_which_value_survives(org):
    keep = make_contact("Петров", by=org.sales_rep, first_name="Иван", position="Менеджер")
    drop = make_contact("Петров", by=org.sales_rep, first_name="Иван", position="Директор", address="Казань")

    merge_records(keep, drop, by=org.sales_rep, choices={"position": "drop", "address": "keep"})

    keep.refresh_from_db()
    assert (keep.position, keep.address) == ("Директор", "")


def test_custom_fields_are_merged_key_by_key(org):
    keep = make_company("Вектор", by=org.sales_rep, custom={"UF_CRM_INN": "7701234567"})
    drop = make_company("Вектор", by=org.sales_rep, custom={"UF_CRM_INN": "", "UF_CRM_KPP": "770101001"})

    merge_records(keep, drop, by=org.sales_rep)

    keep.refresh_from_db()
    assert keep.custom == {"UF_CRM_INN": "7701234567", "UF_CRM_KPP": "770101001"}


def test_merging_companies_repoints_deals_leads_and_contacts(org):
    keep, drop = make_company("Вектор", by=org.sales_rep), make_company("ВЕКТОР", by=org.sales_rep)
    deal = make_deal(by=org.sales_rep, company=drop)
    binned = make_deal(by=org.sales_rep, company=drop)
    services.delete_record(binned, by=org.sales_rep)
    contact = make_contact(by=org.sales_rep, companies=[drop])
    lead = make_lead(by=org.sales_rep)
    Lead.objects.filter(pk=lead.pk).update(company=drop)

    merge_records(keep, drop, by=org.sales_rep)

    assert Deal.objects.get(pk=deal.pk).company == keep
    assert Deal.all_objects.get(pk=binned.pk).company == keep
    assert list(contact.companies.all()) == [keep]
    assert Lead.objects.get(pk=lead.pk).company == keep
    assert Company.objects.get().pk == keep.pk


def test_merging_deals_moves_product_rows_and_stage_history(org):
    keep = make_deal(by=org.sales_rep, amount=Decimal("10"))
    drop = make_deal(by=org.sales_rep)
    services.set_product_rows(drop, [{"product_name": "Тариф M", "price": "500"}], by=org.sales_rep)
    services.move_deal(drop, stage("EXECUTING"), by=org.sales_rep)
    contact = make_contact(by=org.sales_rep)
    services.update_deal(drop, by=org.sales_rep, contacts=[contact])

    merge_records(keep, drop, by=org.sales_rep)

    keep.refresh_from_db()
    rows = ProductRow.objects.filter(owner_type=EntityType.DEAL, owner_id=keep.pk)
    assert [row.product_name for row in rows] == ["Тариф M"]
    assert keep.amount == Decimal("500.00")
    assert StageHistory.objects.filter(entity_type=EntityType.DEAL, entity_id=keep.pk).count() == 3
    assert not StageHistory.objects.filter(entity_type=EntityType.DEAL, entity_id=drop.pk).exists()
    assert list(keep.contacts.all()) == [contact]
    assert keep.stage.status_id == "NEW"  # the kept deal stays where it is


def test_merging_leads_moves_their_deals_and_contacts(org):
    keep, drop = make_lead(by=org.sales_rep), make_lead(by=org.sales_rep)
    deal = make_deal(by=org.sales_rep, lead=drop)
    contact = make_contact(by=org.sales_rep, lead=drop)

    merge_records(keep, drop, by=org.sales_rep)

    assert Deal.objects.get(pk=deal.pk).lead == keep
    assert Contact.objects.get(pk=contact.pk).lead == keep


def test_merge_needs_update_on_the_kept_and_delete_on_the_other(org):
    mine = make_contact(by=org.sales_rep)
    colleagues = make_contact(by=org.sales_head)

    with pytest.raises(Forbidden):
        merge_records(mine, colleagues, by=org.sales_rep)  # may read a colleague's contact, not delete it
    with pytest.raises(Forbidden):
        merge_records(colleagues, mine, by=org.sales_rep)
    with pytest.raises(Forbidden):
        merge_records(mine, colleagues, by=org.reader)
    merge_records(mine, colleagues, by=org.sales_head)

    assert Contact.objects.get().pk == mine.pk


def test_merge_refuses_other_kinds_itself_and_unknown_fields(org):
    contact, company = make_contact(by=org.sales_rep), make_company(by=org.sales_rep)
    other = make_contact(by=org.sales_rep)

    with pytest.raises(Invalid) as kinds:
        merge_records(contact, company, by=org.sales_rep)
    with pytest.raises(Invalid) as itself:
        merge_records(contact, contact, by=org.sales_rep)
    with pytest.raises(Invalid) as field:
        merge_records(contact, other, by=org.sales_rep, choices={"created_by": "drop"})

    assert [kinds.value.code, itself.value.code, field.value.code] == [
        "DIFFERENT_TYPES",
        "SAME_RECORD",
        "UNKNOWN_FIELD",
    ]
    assert Contact.objects.count() == 2
