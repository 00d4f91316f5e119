"""Leads, contacts, companies, their phones and emails, activities, comments and the recycle bin, via services."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kontora.core.errors import Forbidden, Invalid
from kontora.crm import selectors, services
from kontora.crm.choices import ActivityType, EntityType, MultiFieldType
from kontora.crm.models import (
    Activity,
    Comment,
    Company,
    Contact,
    Deal,
    Lead,
    MultiField,
    ProductRow,
    StageHistory,
    Status,
)
from kontora.events import history
from kontora.events.models import Event
from tests.factories import make_company, make_contact, make_deal, make_lead


def status(entity_id: str, code: str) -> Status:
    return Status.objects.get(entity_id=entity_id, status_id=code)


def values(record, type_id: str) -> list[str]:
    return sorted(
        MultiField.objects.filter(entity_type=record.entity_type, entity_id=record.pk, type_id=type_id).values_list(
            "value", flat=True
        )
    )


# Leads ------------------------------------------------------------------------------------------------------


def test_lead_is_named_after_the_person_and_starts_as_new(org):
    lead = services.create_lead(by=org.sales_rep, first_name="Иван", last_name="Петров", phones=["8 916 123-45-67"])

    assert (lead.title, lead.status.status_id, lead.responsible) == ("Иван Петров", "NEW", org.sales_rep)
    assert StageHistory.objects.filter(entity_type=EntityType.LEAD, entity_id=lead.pk, to_stage=lead.status).exists()
    phone = MultiField.objects.get(entity_id=lead.pk, type_id=MultiFieldType.PHONE)
    assert (phone.value, phone.normalized) == ("8 916 123-45-67", "+79161234567")


def test_lead_needs_some_name_and_dictionary_values_of_the_right_kind(org):
    with pytest.raises(Invalid) as nameless:
        services.create_lead(by=org.sales_rep)
    with pytest.raises(Invalid) as wrong_source:
        make_lead(by=org.sales_rep, source=status("INDUSTRY", "IT"))
    with pytest.raises(Invalid) as negative:
        make_lead(by=org.sales_rep, amount=Decimal("-1"))

    assert (nameless.value.field, wrong_source.value.field, negative.value.field) == ("title", "source", "amount")
    assert not Lead.objects.exists()


def test_changing_a_lead_status_is_kept_in_the_stage_history(org):
    lead = make_lead(by=org.sales_rep)

    services.update_lead(lead, by=org.sales_rep, status=status("STATUS", "IN_PROCESS"), amount=Decimal("10"))

    move = StageHistory.objects.get(entity_type=EntityType.LEAD, entity_id=lead.pk, from_stage__status_id="NEW")
    assert move.to_stage.status_id == "IN_PROCESS" and move.seconds_in_previous is not None
    change = history.for_object(lead).filter(action="update").get()
    assert set(change.changes) == {"status", "amount"}


def test_converted_lead_keeps_its_status(org):
    lead = make_lead(by=org.sales_rep, status=status("STATUS", "CONVERTED"))

    with pytest.raises(Invalid) as error:
        services.update_lead(lead, by=org.sales_rep, status=status("STATUS", "NEW"))

    assert error.value.code == "ALREADY_CONVERTED"


def test_unknown_lead_field_is_refused(org):
    lead = make_lead(by=org.sales_rep)

    with pytest.raises(Invalid) as error:
        services.update_lead(lead, by=org.sales_rep, deleted_at=timezone.now())

    assert error.value.field == "deleted_at"


def test_employee_changes_only_own_leads_and_cannot_hand_one_out_of_reach(org):
    lead = make_lead("Заявка", by=org.sales_rep)

    with pytest.raises(Forbidden):
        services.update_lead(lead, by=org.kazan_rep, title="Чужая")
    with pytest.raises(Forbidden):
        services.update_lead(lead, by=org.sales_rep, title="Передана", responsible=org.marketing_rep)

    lead.refresh_from_db()
    assert (lead.title, lead.responsible) == ("Заявка", org.sales_rep)


def test_head_may_hand_a_lead_within_the_department_tree(org):
    lead = make_lead(by=org.sales_rep)

    services.update_lead(lead, by=org.sales_head, responsible=org.kazan_rep)

    lead.refresh_from_db()
    assert lead.responsible == org.kazan_rep


# Contacts and companies -------------------------------------------------------------------------------------


def test_contact_needs_a_name_and_real_emails(org):
    with pytest.raises(Invalid) as nameless:
        services.create_contact(by=org.sales_rep, first_name=" ", last_name="")
    with pytest.raises(Invalid) as bad_email:
        make_contact(by=org.sales_rep, emails=["ivan@example.test", "нет"])

    assert (nameless.value.field, bad_email.value.field) == ("last_name", "emails")
    assert not Contact.objects.exists() and not MultiField.objects.exists()


def test_contact_works_for_companies_and_changing_them_is_history(org):
    vector, zenit = make_company("Вектор", by=org.sales_rep), make_company("Зенит", by=org.sales_rep)
    contact = make_contact(by=org.sales_rep, companies=[vector])

    services.update_contact(contact, by=org.sales_rep, companies=[vector, zenit], position="Директор")

    assert set(contact.companies.all()) == {vector, zenit}
    change = history.for_object(contact).filter(action="update").get()
    assert change.changes["companies"] == [[vector.pk], sorted([vector.pk, zenit.pk])]
    assert change.changes["position"] == ["", "Директор"]


def test_contact_cannot_lose_its_whole_name(org):
    contact = make_contact("Петров", by=org.sales_rep)

    with pytest.raises(Invalid):
        services.update_contact(contact, by=org.sales_rep, first_name="", last_name="")

    contact.refresh_from_db()
    assert contact.last_name == "Петров"


def test_contact_with_a_blank_first_name_keeps_its_last_name(org):
    contact = make_contact("Петров", by=org.sales_rep)

    services.update_contact(contact, by=org.sales_rep, first_name=" ")

    contact.refresh_from_db()
    assert contact.last_name == "Петров"


def test_contact_source_must_come_from_the_sources_dictionary(org):
    contact = make_contact(by=org.sales_rep)

    with pytest.raises(Invalid):
        services.update_contact(contact, by=org.sales_rep, source=status("INDUSTRY", "IT"))


def test_company_needs_a_title_and_its_dictionaries(org):
    with pytest.raises(Invalid) as no_title:
        services.create_company(by=org.sales_rep, title="  ")
    with pytest.raises(Invalid) as wrong_industry:
        make_company(by=org.sales_rep, industry=status("COMPANY_TYPE", "CUSTOMER"))
    company = make_company(by=org.sales_rep, industry=status("INDUSTRY", "IT"), employees=40)
    with pytest.raises(Invalid) as blanked:
        services.update_company(company, by=org.sales_rep, title="")

    assert (no_title.value.field, wrong_industry.value.field, blanked.value.field) == ("title", "industry", "title")
    assert Company.objects.get().title == "Вектор"


def test_company_events_are_emitted_after_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        company = make_company(by=org.sales_rep)
        services.update_company(company, by=org.sales_rep, employees=12)

    assert list(Event.objects.filter(name__startswith="crm.").order_by("id").values_list("name", flat=True)) == [
        "crm.company.created",
        "crm.company.updated",
    ]


# Phones and emails ------------------------------------------------------------------------------------------


def test_set_multifields_replaces_one_kind_only_and_records_the_change(org):
    company = make_company(by=org.sales_rep, phones=["+7 495 111-22-33"], emails=["info@vector.test"])

    services.set_multifields(
        company, by=org.sales_rep, type_id=MultiFieldType.PHONE, values=["8 495 000-00-00", ("+7 916 1", "MOBILE")]
    )

    assert values(company, MultiFieldType.PHONE) == ["+7 916 1", "8 495 000-00-00"]
    assert values(company, MultiFieldType.EMAIL) == ["info@vector.test"]
    change = history.for_object(company).filter(action="update").get()
    assert change.changes == {"phone": [["+7 495 111-22-33"], ["+7 916 1", "8 495 000-00-00"]]}


def test_set_multifields_refuses_a_bad_email_and_keeps_the_old_ones(org):
    contact = make_contact(by=org.sales_rep, emails=["ivan@example.test"])

    with pytest.raises(Invalid):
        services.set_multifields(contact, by=org.sales_rep, type_id=MultiFieldType.EMAIL, values=["ivan@", ""])

    assert values(contact, MultiFieldType.EMAIL) == ["ivan@example.test"]


def test_same_phone_in_any_format_finds_the_record_for_those_who_may_see_it(org):
    lead = make_lead(by=org.sales_rep, phones=["+7 (916) 123-45-67"])

    assert selectors.find_by_communication(org.sales_head, "89161234567") == {EntityType.LEAD: [lead.pk]}
    assert selectors.find_by_communication(org.marketing_rep, "89161234567") == {EntityType.LEAD: []}


def test_colleague_cannot_change_someone_elses_phones(org):
    lead = make_lead(by=org.sales_rep, phones=["+7 916 000-00-00"])

    with pytest.raises(Forbidden):
        services.set_multifields(lead, by=org.kazan_rep, type_id=MultiFieldType.PHONE, values=[])

    assert values(lead, MultiFieldType.PHONE) == ["+7 916 000-00-00"]


# Activities and comments ------------------------------------------------------------------------------------


def test_planned_activity_goes_to_the_records_responsible_by_default(org):
    deal = make_deal(by=org.sales_rep)

    activity = services.plan_activity(deal, by=org.sales_head, subject=" Позвонить ", type_id=ActivityType.CALL)

    assert (activity.subject, activity.responsible, activity.author) == ("Позвонить", org.sales_rep, org.sales_head)
    assert (activity.owner_type, activity.owner_id) == (EntityType.DEAL, deal.pk)
    assert list(selectors.my_activities(org.sales_rep)) == [activity]


def test_activity_needs_a_subject_a_known_type_and_the_right_to_change_the_record(org):
    deal = make_deal(by=org.sales_rep)

    with pytest.raises(Invalid) as no_subject:
        services.plan_activity(deal, by=org.sales_rep, subject=" ")
    with pytest.raises(Invalid) as bad_type:
        services.plan_activity(deal, by=org.sales_rep, subject="X", type_id=99)
    with pytest.raises(Forbidden):
        services.plan_activity(deal, by=org.kazan_rep, subject="X")

    assert (no_subject.value.field, bad_type.value.field) == ("subject", "type_id")
    assert not Activity.objects.exists()


def test_completing_and_reopening_an_activity(org):
    lead = make_lead(by=org.sales_rep)
    activity = services.plan_activity(lead, by=org.sales_rep, subject="Позвонить")

    services.complete_activity(activity, by=org.sales_rep)
    done_at = activity.completed_at
    services.complete_activity(activity, by=org.sales_rep, done=False)

    assert done_at is not None
    activity.refresh_from_db()
    assert (activity.completed, activity.completed_at) == (False, None)
    assert list(selectors.my_activities(org.sales_rep)) == [activity]


def test_activity_is_completed_only_by_those_who_may_change_it(org):
    lead = make_lead(by=org.sales_rep)
    activity = services.plan_activity(lead, by=org.sales_rep, subject="Позвонить")

    with pytest.raises(Forbidden):
        services.complete_activity(activity, by=org.kazan_rep)
    services.complete_activity(activity, by=org.sales_head)

    activity.refresh_from_db()
    assert activity.completed


def test_update_activity_changes_the_deadline_and_refuses_other_fields(org):
    lead = make_lead(by=org.sales_rep)
    activity = services.plan_activity(lead, by=org.sales_rep, subject="Позвонить")
    deadline = timezone.now() + datetime.timedelta(days=1)

    services.update_activity(activity, by=org.sales_rep, deadline=deadline)
    with pytest.raises(Invalid):
        services.update_activity(activity, by=org.sales_rep, owner_id=999)

    activity.refresh_from_db()
    assert (activity.deadline, activity.owner_id) == (deadline, lead.pk)


def test_overdue_count_counts_only_open_overdue_activities_outside_the_bin(org):
    lead = make_lead(by=org.sales_rep)
    past = timezone.now() - datetime.timedelta(hours=1)
    services.plan_activity(lead, by=org.sales_rep, subject="Просрочено", deadline=past)
    done = services.plan_activity(lead, by=org.sales_rep, subject="Сделано", deadline=past)
    services.complete_activity(done, by=org.sales_rep)
    services.plan_activity(lead, by=org.sales_rep, subject="Потом", deadline=past + datetime.timedelta(days=2))

    assert selectors.overdue_activity_count(org.sales_rep.pk) == 1
    services.delete_record(lead, by=org.sales_rep)
    assert selectors.overdue_activity_count(org.sales_rep.pk) == 0


def test_anyone_who_may_read_may_comment_and_the_timeline_shows_it_first(org):
    deal = make_deal(by=org.sales_rep)

    comment = services.add_comment(deal, by=org.reader, text="  Клиент просил перезвонить  ")
    with pytest.raises(Forbidden):
        services.add_comment(deal, by=org.nobody, text="Привет")
    with pytest.raises(Invalid):
        services.add_comment(deal, by=org.sales_rep, text=" ")

    assert comment.text == "Клиент просил перезвонить"
    timeline = selectors.timeline(deal)
    assert [entry["kind"] for entry in timeline] == ["comment", "change"]
    assert Comment.objects.count() == 1


# Recycle bin ------------------------------------------------------------------------------------------------


def test_deleting_moves_the_record_and_its_activities_to_the_bin(org, django_capture_on_commit_callbacks):
    contact = make_contact(by=org.sales_rep)
    services.plan_activity(contact, by=org.sales_rep, subject="Встреча")

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_record(contact, by=org.sales_rep)

    assert not Contact.objects.exists()
    assert Contact.all_objects.get().deleted_by == org.sales_rep
    assert Activity.objects.get().in_bin and not selectors.my_activities(org.sales_rep).exists()
    assert Event.objects.filter(name="crm.contact.deleted").exists()
    with pytest.raises(Invalid):
        services.delete_record(Contact.all_objects.get(), by=org.admin)


def test_only_those_who_may_delete_move_records_to_the_bin(org):
    company = make_company(by=org.sales_rep)

    with pytest.raises(Forbidden):
        services.delete_record(company, by=org.kazan_rep)
    with pytest.raises(Forbidden):
        services.delete_record(company, by=org.reader)

    assert Company.objects.filter(pk=company.pk).exists()


def test_administrator_restores_a_record_with_its_activities(org):
    deal = make_deal(by=org.sales_rep)
    services.plan_activity(deal, by=org.sales_rep, subject="Встреча")
    services.delete_record(deal, by=org.sales_rep)
    binned = Deal.all_objects.get(pk=deal.pk)

    services.restore_record(binned, by=org.admin)

    assert Deal.objects.filter(pk=deal.pk).exists()
    assert not Activity.objects.get().in_bin
    with pytest.raises(Invalid):
        services.restore_record(binned, by=org.admin)


def test_owner_restores_their_own_record(org):
    lead = make_lead(by=org.sales_rep)
    services.delete_record(lead, by=org.sales_rep)

    services.restore_record(Lead.all_objects.get(pk=lead.pk), by=org.sales_rep)

    assert Lead.objects.filter(pk=lead.pk).exists()


def test_purge_is_for_administrators_and_only_from_the_bin(org):
    company = make_company(by=org.sales_rep, phones=["+7 495 111-22-33"])
    deal = make_deal(by=org.sales_rep, company=company)
    services.set_product_rows(deal, [{"product_name": "Сервер", "price": Decimal("10")}], by=org.sales_rep)
    services.add_comment(deal, by=org.sales_rep, text="Привет")
    services.plan_activity(deal, by=org.sales_rep, subject="Встреча")
    with pytest.raises(Invalid):
        services.purge_record(deal, by=org.admin)
    services.delete_record(deal, by=org.sales_rep)
    binned = Deal.all_objects.get(pk=deal.pk)

    with pytest.raises(Forbidden):
        services.purge_record(binned, by=org.sales_rep)
    services.purge_record(binned, by=org.admin)

    assert not Deal.all_objects.filter(pk=deal.pk).exists()
    assert not (ProductRow.objects.exists() or Activity.objects.exists())
    assert not Comment.objects.filter(entity_type=EntityType.DEAL).exists()
    assert not StageHistory.objects.filter(entity_type=EntityType.DEAL).exists()
    assert MultiField.objects.filter(entity_type=EntityType.COMPANY, entity_id=company.pk).exists()
