"""crm.activity.* and crm.timeline.comment.* over HTTP: Bitrix24's shapes, through the gate and the services."""

import json

from kontora.crm import services
from kontora.crm.choices import ActivityType, EntityType
from kontora.crm.models import Activity, Comment
from kontora.events.models import ChangeSet, Event
from tests.factories import make_contact, make_deal


def call(client, base: str, name: str, params: dict | None = None):
    return client.post(f"{base}{name}", data=json.dumps(params or {}), content_type="application/json")


def test_activity_add_get_and_fields_speak_bitrix(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    base = hook(org.sales_rep)

    added = call(client, base, "crm.activity.add", {"fields": {
        "OWNER_TYPE_ID": 2, "OWNER_ID": deal.pk, "TYPE_ID": 2, "SUBJECT": "Позвонить",
        "RESPONSIBLE_ID": org.sales_rep.pk,
        "COMMUNICATIONS": [{"VALUE": "+79990000000", "ENTITY_ID": deal.pk, "ENTITY_TYPE_ID": 2}],
        "DEADLINE": "2025-03-01T10:00:00+03:00", "DESCRIPTION": "Уточнить бюджет", "PRIORITY": 3,
    }})  # fmt: skip
    activity_id = added.json()["result"]
    got = call(client, base, "crm.activity.get", {"id": activity_id}).json()["result"]
    fields = call(client, base, "crm.activity.fields").json()["result"]

    assert isinstance(activity_id, int)
    activity = Activity.objects.get(pk=activity_id)
    assert (activity.type_id, activity.subject) == (ActivityType.CALL, "Позвонить")
    assert activity.author_id == org.sales_rep.pk
    assert got["ID"] == str(activity_id) and got["OWNER_ID"] == str(deal.pk) and got["OWNER_TYPE_ID"] == "2"
    assert got["TYPE_ID"] == "2" and got["COMPLETED"] == "N" and got["STATUS"] == "1"
    assert got["DEADLINE"].startswith("2025-03-01T") and got["DEADLINE"] == got["END_TIME"]
    assert got["AUTHOR_ID"] == str(org.sales_rep.pk) and got["DESCRIPTION"] == "Уточнить бюджет"
    assert fields["SUBJECT"]["isRequired"] is True and fields["AUTHOR_ID"]["isReadOnly"] is True
    assert Event.objects.filter(name="crm.activity.created", object_id=str(activity_id)).exists()


def test_activity_update_completes_and_changes_fields(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    activity = services.plan_activity(deal, by=org.sales_rep, subject="Встреча", type_id=ActivityType.MEETING)
    base = hook(org.sales_rep)

    updated = call(client, base, "crm.activity.update",
                   {"id": activity.pk, "fields": {"SUBJECT": "Встреча в офисе", "COMPLETED": "Y"}})  # fmt: skip

    assert updated.json()["result"] is True
    activity.refresh_from_db()
    assert (activity.subject, activity.completed) == ("Встреча в офисе", True)
    reopened = call(client, base, "crm.activity.update", {"id": activity.pk, "fields": {"STATUS": 1}})
    assert reopened.status_code == 200
    activity.refresh_from_db()
    assert activity.completed is False


def test_activity_list_filters_and_hides_activities_of_records_others_cannot_see(client, hook, org):
    mine = make_deal(by=org.sales_rep)
    kazan = make_deal(by=org.kazan_rep)
    call_one = services.plan_activity(mine, by=org.sales_rep, subject="Звонок", type_id=ActivityType.CALL)
    services.plan_activity(mine, by=org.sales_rep, subject="Письмо", type_id=ActivityType.EMAIL)
    hidden = services.plan_activity(kazan, by=org.kazan_rep, subject="Казань")

    calls = call(
        client,
        hook(org.sales_rep),
        "crm.activity.list",
        {"filter": {"OWNER_TYPE_ID": 2, "OWNER_ID": mine.pk, "TYPE_ID": 2}, "select": ["ID", "SUBJECT"]},
    )
    everything = call(client, hook(org.sales_rep), "crm.activity.list").json()
    stranger = call(client, hook(org.marketing_rep), "crm.activity.get", {"id": hidden.pk})

    assert calls.json()["result"] == [{"ID": str(call_one.pk), "SUBJECT": "Звонок"}]
    assert calls.json()["total"] == 1
    assert hidden.pk not in {int(row["ID"]) for row in everything["result"]}
    assert everything["total"] == 2
    assert (stranger.status_code, stranger.json()["error"]) == (400, "")


def test_activity_add_on_a_record_the_caller_cannot_see_is_not_found(client, hook, org):
    deal = make_deal(by=org.kazan_rep)

    response = call(client, hook(org.marketing_rep), "crm.activity.add",
                    {"fields": {"OWNER_TYPE_ID": 2, "OWNER_ID": deal.pk, "TYPE_ID": 3, "SUBJECT": "x"}})  # fmt: skip

    assert response.status_code == 400
    assert response.json() == {"error": "", "error_description": "Not found"}
    assert not Activity.objects.exists()


def test_read_only_user_sees_but_cannot_plan(client, hook, org):
    deal = make_deal(by=org.sales_rep)

    response = call(client, hook(org.reader), "crm.activity.add",
                    {"fields": {"OWNER_TYPE_ID": 2, "OWNER_ID": deal.pk, "TYPE_ID": 3, "SUBJECT": "x"}})  # fmt: skip

    assert response.json() == {"error": "", "error_description": "Access denied."}


def test_activity_delete_removes_it_and_keeps_history(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    activity = services.plan_activity(deal, by=org.sales_rep, subject="Удалить")

    denied = call(client, hook(org.reader), "crm.activity.delete", {"id": activity.pk})
    deleted = call(client, hook(org.sales_rep), "crm.activity.delete", {"id": activity.pk})

    assert denied.json()["error_description"] == "Access denied."
    assert deleted.json()["result"] is True
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert ChangeSet.objects.filter(action="delete", object_id=str(activity.pk)).exists()


def test_todo_add_answers_with_an_id_map(client, hook, org):
    contact = make_contact(by=org.sales_rep)

    response = call(client, hook(org.sales_rep), "crm.activity.todo.add", {
        "ownerTypeId": 3, "ownerId": contact.pk, "deadline": "2025-04-01T12:00:00", "title": "Перезвонить",
        "description": "после обеда", "responsibleId": org.sales_rep.pk,
    })  # fmt: skip

    result = response.json()["result"]
    activity = Activity.objects.get(pk=result["id"])
    assert result == {"id": activity.pk}
    assert (activity.owner_type, activity.owner_id, activity.type_id) == (EntityType.CONTACT, contact.pk, 3)
    assert (activity.subject, activity.description) == ("Перезвонить", "после обеда")


def test_timeline_comment_add_get_list_update_delete(client, hook, org):
    deal = make_deal(by=org.sales_rep)
    base = hook(org.sales_rep)

    comment_id = call(client, base, "crm.timeline.comment.add",
                      {"fields": {"ENTITY_ID": deal.pk, "ENTITY_TYPE": "deal", "COMMENT": "Клиент думает"}}
                      ).json()["result"]  # fmt: skip
    got = call(client, base, "crm.timeline.comment.get", {"id": comment_id}).json()["result"]
    listed = call(client, base, "crm.timeline.comment.list",
                  {"filter": {"ENTITY_ID": deal.pk, "ENTITY_TYPE": "deal"}}).json()  # fmt: skip
    updated = call(client, base, "crm.timeline.comment.update", {"id": comment_id, "fields": {"COMMENT": "Согласен"}})
    text_after = Comment.objects.get(pk=comment_id).text
    deleted = call(client, base, "crm.timeline.comment.delete", {"id": comment_id})

    assert isinstance(comment_id, int)
    assert got["ENTITY_TYPE"] == "deal" and got["ENTITY_ID"] == str(deal.pk) and got["COMMENT"] == "Клиент думает"
    assert got["AUTHOR_ID"] == str(org.sales_rep.pk) and got["CREATED"]
    assert [row["ID"] for row in listed["result"]] == [str(comment_id)] and listed["total"] == 1
    assert updated.json()["result"] == comment_id and text_after == "Согласен"
    assert deleted.json()["result"] is True and not Comment.objects.filter(pk=comment_id).exists()
    fields = call(client, base, "crm.timeline.comment.fields").json()["result"]
    assert fields["ENTITY_TYPE"]["isRequired"] is True


def test_comments_on_hidden_records_are_hidden_and_others_cannot_change_them(client, hook, org):
    deal = make_deal(by=org.kazan_rep)
    comment = services.add_comment(deal, by=org.kazan_rep, text="Казанский секрет")

    listed = call(client, hook(org.marketing_rep), "crm.timeline.comment.list").json()
    added = call(client, hook(org.marketing_rep), "crm.timeline.comment.add",
                 {"fields": {"ENTITY_ID": deal.pk, "ENTITY_TYPE": "deal", "COMMENT": "x"}})  # fmt: skip
    reader_edit = call(client, hook(org.reader), "crm.timeline.comment.update",
                       {"id": comment.pk, "fields": {"COMMENT": "чужое"}})  # fmt: skip

    assert listed["result"] == [] and listed["total"] == 0
    assert added.json() == {"error": "", "error_description": "Not found"}
    assert reader_edit.json() == {"error": "", "error_description": "Access denied."}
    comment.refresh_from_db()
    assert comment.text == "Казанский секрет"
