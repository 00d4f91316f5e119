"""tasks.task.* and the legacy task.*item methods over HTTP, as Bitrix24's clients call them."""

import json
from datetime import timedelta

from django.utils import timezone

from kontora.tasks.models import Task
from kontora.tasks.services.comments import mark_seen
from tests.factories import make_project, make_task


def post(client, url: str, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def form(client, url: str, body: str):
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


def test_add_then_get_writes_camel_case_strings_and_people(client, hook, org):
    base = hook(org.sales_head)
    deadline = (timezone.now() + timedelta(days=3)).replace(microsecond=0)

    added = post(client, f"{base}tasks.task.add", {"fields": {
        "TITLE": "Позвонить клиенту", "RESPONSIBLE_ID": org.sales_rep.pk, "DEADLINE": deadline.isoformat(),
        "PRIORITY": "2", "AUDITORS": [org.director.pk], "TAGS": ["звонок"], "TASK_CONTROL": "Y",
    }})  # fmt: skip
    task = added.json()["result"]["task"]
    got = post(client, f"{base}tasks.task.get", {"taskId": task["id"]}).json()["result"]["task"]

    assert added.status_code == 200
    assert got["title"] == "Позвонить клиенту"
    assert (got["responsibleId"], got["createdBy"]) == (str(org.sales_rep.pk), str(org.sales_head.pk))
    assert (got["priority"], got["status"], got["taskControl"]) == ("2", "2", "Y")
    assert got["auditors"] == [str(org.director.pk)] and got["accomplices"] == []
    assert got["tags"] == ["звонок"] and got["groupId"] == "0" and got["parentId"] is None
    assert got["deadline"] == timezone.localtime(deadline).isoformat(timespec="seconds")
    assert got["responsible"] == {"id": str(org.sales_rep.pk), "name": org.sales_rep.full_name,
                                  "link": org.sales_rep.get_absolute_url(), "icon": "", "workPosition": ""}  # fmt: skip
    assert got["creator"]["id"] == str(org.sales_head.pk)


def test_add_requires_title_and_responsible(client, hook, org):
    base = hook(org.sales_head)

    no_title = post(client, f"{base}tasks.task.add", {"fields": {"RESPONSIBLE_ID": org.sales_rep.pk}})
    no_responsible = post(client, f"{base}tasks.task.add", {"fields": {"TITLE": "x"}})

    assert (no_title.status_code, no_title.json()["error"]) == (400, "ERROR_CORE")
    assert (no_responsible.status_code, no_responsible.json()["error"]) == (400, "ERROR_CORE")
    assert not Task.objects.exists()


def test_control_loop_over_rest(client, hook, org):
    head, rep = hook(org.sales_head), hook(org.sales_rep)
    task = make_task("Отчёт", by=org.sales_head, responsible=org.sales_rep, requires_control=True)

    started = post(client, f"{rep}tasks.task.start", {"taskId": task.pk}).json()["result"]["task"]
    completed = post(client, f"{rep}tasks.task.complete", {"taskId": task.pk}).json()["result"]["task"]
    refused = post(client, f"{rep}tasks.task.approve", {"taskId": task.pk})
    returned = post(client, f"{head}tasks.task.disapprove", {"taskId": task.pk}).json()["result"]["task"]
    post(client, f"{rep}tasks.task.complete", {"taskId": task.pk})
    approved = post(client, f"{head}tasks.task.approve", {"taskId": task.pk}).json()["result"]["task"]
    renewed = post(client, f"{head}tasks.task.renew", {"taskId": task.pk}).json()["result"]["task"]

    assert started["status"] == "3"
    assert completed["status"] == "4"
    assert (refused.status_code, refused.json()["error"]) == (400, "ERROR_CORE")
    assert returned["status"] == "3"
    assert approved["status"] == "5" and approved["closedBy"] == str(org.sales_head.pk)
    assert renewed["status"] == "2"


def test_pause_defer_and_status_through_update(client, hook, org):
    base = hook(org.sales_rep)
    task = make_task(by=org.sales_rep)

    post(client, f"{base}tasks.task.start", {"taskId": task.pk})
    paused = post(client, f"{base}tasks.task.pause", {"taskId": task.pk}).json()["result"]["task"]
    deferred = post(client, f"{base}tasks.task.defer", {"taskId": task.pk}).json()["result"]["task"]
    done = post(client, f"{base}tasks.task.update", {"taskId": task.pk, "fields": {"STATUS": 5, "TITLE": "Готово"}})

    assert paused["status"] == "2" and deferred["status"] == "6"
    assert done.json()["result"]["task"]["status"] == "5"
    assert done.json()["result"]["task"]["title"] == "Готово"


def test_update_delegate_and_delete(client, hook, org):
    base = hook(org.sales_head)
    task = make_task(by=org.sales_head, responsible=org.sales_rep)

    updated = post(client, f"{base}tasks.task.update", {"taskId": task.pk, "fields": {
        "ACCOMPLICES": [org.kazan_rep.pk], "DESCRIPTION": "подробности", "TIME_ESTIMATE": 3600,
    }}).json()["result"]["task"]  # fmt: skip
    delegated = post(client, f"{base}tasks.task.delegate", {"taskId": task.pk, "userId": org.kazan_rep.pk})
    deleted = post(client, f"{base}tasks.task.delete", {"taskId": task.pk})

    assert updated["accomplices"] == [str(org.kazan_rep.pk)] and updated["timeEstimate"] == "3600"
    assert updated["description"] == "подробности"
    assert delegated.json()["result"]["task"]["responsibleId"] == str(org.kazan_rep.pk)
    assert deleted.json()["result"] == {"task": True}
    assert not Task.objects.filter(pk=task.pk).exists()


def test_the_responsible_may_not_edit_anothers_task(client, hook, org):
    task = make_task("Чужая", by=org.sales_head, responsible=org.sales_rep)

    response = post(client, f"{hook(org.sales_rep)}tasks.task.update", {"taskId": task.pk, "fields": {"TITLE": "x"}})

    assert (response.status_code, response.json()["error"]) == (400, "ERROR_CORE")
    task.refresh_from_db()
    assert task.title == "Чужая"


def test_sub_status_overdue_unviewed_almost_overdue(client, hook, org):
    now = timezone.now()
    overdue = make_task("late", by=org.sales_head, responsible=org.sales_rep, deadline=now - timedelta(hours=2))
    fresh = make_task("new", by=org.sales_head, responsible=org.sales_rep)
    soon = make_task("soon", by=org.sales_head, responsible=org.sales_rep, deadline=now + timedelta(hours=5))
    plain = make_task("seen", by=org.sales_head, responsible=org.sales_rep)
    for task in (soon, plain):
        mark_seen(task, org.sales_rep)
    base = hook(org.sales_rep)

    rows = post(client, f"{base}tasks.task.list", {"select": ["ID", "STATUS"]}).json()["result"]["tasks"]
    late_only = post(client, f"{base}tasks.task.list", {"filter": {"STATUS": -1}}).json()["result"]["tasks"]
    real = post(client, f"{base}tasks.task.list", {"filter": {"REAL_STATUS": 2}}).json()["result"]["tasks"]

    sub = {row["id"]: row["subStatus"] for row in rows}
    assert sub == {str(overdue.pk): "-1", str(fresh.pk): "-2", str(soon.pk): "-3", str(plain.pk): "2"}
    assert [row["id"] for row in late_only] == [str(overdue.pk)]
    assert len(real) == 4


def test_list_filters_order_select_and_subfilter_params(client, hook, org):
    project = make_project("Сайт", by=org.sales_head, members=[org.sales_rep])
    now = timezone.now()
    first = make_task("Сверстать макет", by=org.sales_head, responsible=org.sales_rep, project=project,
                      deadline=now + timedelta(days=10))  # fmt: skip
    make_task("Купить бумагу", by=org.sales_head, responsible=org.sales_head, deadline=now + timedelta(days=1))
    base = hook(org.sales_head)

    by_people = post(client, f"{base}tasks.task.list", {"filter": {
        "RESPONSIBLE_ID": org.sales_rep.pk, "CREATED_BY": org.sales_head.pk, "GROUP_ID": project.pk,
        "::SUBFILTER-PARAMS": {"x": 1},
    }}).json()["result"]  # fmt: skip
    by_text = post(client, f"{base}tasks.task.list", {
        "filter": {"%TITLE": "макет", ">=DEADLINE": (now + timedelta(days=5)).date().isoformat()},
        "select": ["ID", "TITLE", "RESPONSIBLE_ID"], "order": {"ID": "desc"},
    }).json()["result"]["tasks"]  # fmt: skip
    ordered = post(client, f"{base}tasks.task.list", {"order": {"DEADLINE": "asc"}}).json()["result"]["tasks"]

    assert [row["id"] for row in by_people["tasks"]] == [str(first.pk)] and by_people == {"tasks": by_people["tasks"]}
    assert by_text == [{"id": str(first.pk), "title": "Сверстать макет", "responsibleId": str(org.sales_rep.pk),
                        "responsible": by_text[0]["responsible"]}]  # fmt: skip
    assert [row["title"] for row in ordered] == ["Купить бумагу", "Сверстать макет"]


def test_list_pages_by_fifty_with_total_and_next(client, hook, org):
    for number in range(55):
        make_task(f"t{number}", by=org.sales_rep)
    base = hook(org.sales_rep)

    first = post(client, f"{base}tasks.task.list", {"select": ["ID"], "order": {"ID": "ASC"}}).json()
    second = post(client, f"{base}tasks.task.list", {"select": ["ID"], "order": {"ID": "ASC"}, "start": 50}).json()

    assert (len(first["result"]["tasks"]), first["total"], first["next"]) == (50, 55, 50)
    assert (len(second["result"]["tasks"]), second["total"]) == (5, 55) and "next" not in second


def test_an_employee_lists_only_tasks_he_may_see(client, hook, org):
    project = make_project("Склад", by=org.director, members=[org.kazan_rep])
    own = make_task("моя", by=org.kazan_rep)
    observed = make_task("наблюдаю", by=org.sales_head, auditors=[org.kazan_rep])
    in_project = make_task("проект", by=org.director, project=project)
    other = make_task("чужая", by=org.sales_head, responsible=org.sales_rep)
    base = hook(org.kazan_rep)

    listed = post(client, f"{base}tasks.task.list", {"select": ["ID"]}).json()
    denied = post(client, f"{base}tasks.task.get", {"taskId": other.pk})

    assert {row["id"] for row in listed["result"]["tasks"]} == {str(own.pk), str(observed.pk), str(in_project.pk)}
    assert listed["total"] == 3
    assert (denied.status_code, denied.json()["error"]) == (400, "ERROR_CORE")


def test_get_fields_describes_the_required_fields(client, hook):
    fields = post(client, f"{hook()}tasks.task.getFields").json()["result"]["fields"]

    assert fields["TITLE"]["required"] is True and fields["RESPONSIBLE_ID"]["required"] is True
    assert fields["ID"]["primary"] is True
    assert fields["STATUS"]["values"]["-1"] == "Overdue"


def test_comment_items_positional_and_named(client, hook, org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    base = hook(org.sales_rep)

    by_position = form(client, f"{base}task.commentitem.add", f"0={task.pk}&1[POST_MESSAGE]=Первый+комментарий")
    by_array = client.post(f"{base}task.commentitem.add", data=json.dumps([task.pk, {"POST_MESSAGE": "Второй"}]),
                           content_type="application/json")  # fmt: skip
    by_name = post(client, f"{base}task.commentitem.add", {"TASKID": task.pk, "FIELDS": {"POST_MESSAGE": "Третий"}})
    comment_id = by_position.json()["result"]
    post(client, f"{base}task.commentitem.update", [task.pk, comment_id, {"POST_MESSAGE": "Исправлено"}])
    listed = post(client, f"{base}task.commentitem.getlist", {"TASKID": task.pk, "ORDER": {"ID": "asc"}}).json()
    got = post(client, f"{base}task.commentitem.get", {"TASKID": task.pk, "ITEMID": comment_id}).json()["result"]
    deleted = post(client, f"{base}task.commentitem.delete", [task.pk, by_name.json()["result"]]).json()

    assert isinstance(comment_id, int) and isinstance(by_array.json()["result"], int)
    assert [row["POST_MESSAGE"] for row in listed["result"]] == ["Исправлено", "Второй", "Третий"]
    assert got["AUTHOR_ID"] == str(org.sales_rep.pk) and got["ID"] == str(comment_id)
    assert deleted["result"] is True
    assert task.comments.count() == 2


def test_a_stranger_cannot_comment_or_read_comments(client, hook, org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    base = hook(org.marketing_rep)

    added = post(client, f"{base}task.commentitem.add", [task.pk, {"POST_MESSAGE": "hi"}])
    listed = post(client, f"{base}task.commentitem.getlist", [task.pk])

    assert (added.status_code, added.json()["error"]) == (400, "ERROR_CORE")
    assert listed.status_code == 400
    assert task.comments.count() == 0


def test_checklist_items(client, hook, org):
    task = make_task(by=org.sales_head, responsible=org.sales_rep)
    base = hook(org.sales_rep)

    first = post(client, f"{base}task.checklistitem.add", [task.pk, {"TITLE": "Собрать данные"}]).json()["result"]
    second = form(client, f"{base}task.checklistitem.add", f"TASKID={task.pk}&FIELDS[TITLE]=Проверить"
                                                           "&FIELDS[IS_COMPLETE]=Y").json()["result"]  # fmt: skip
    post(client, f"{base}task.checklistitem.complete", [task.pk, first])
    post(client, f"{base}task.checklistitem.renew", {"TASKID": task.pk, "ITEMID": second})
    post(client, f"{base}task.checklistitem.update", [task.pk, first, {"TITLE": "Собрать все данные"}])
    rows = post(client, f"{base}task.checklistitem.getlist", [task.pk]).json()["result"]
    got = post(client, f"{base}task.checklistitem.get", [task.pk, first]).json()["result"]

    items = {row["ID"]: row for row in rows if row["PARENT_ID"] != "0"}
    assert {row["TITLE"]: row["IS_COMPLETE"] for row in items.values()} == {"Собрать все данные": "Y", "Проверить": "N"}
    assert len([row for row in rows if row["PARENT_ID"] == "0"]) == 1  # the checklist itself
    assert got["TASK_ID"] == str(task.pk) and got["IS_COMPLETE"] == "Y"
    assert post(client, f"{base}task.checklistitem.delete", [task.pk, second]).json()["result"] is True
    assert task.checklist.filter(pk=second).count() == 0


def test_elapsed_items_and_nav_params(client, hook, org):
    task = make_task(by=org.sales_rep)
    base = hook(org.sales_rep)

    ids = [post(client, f"{base}task.elapseditem.add", [task.pk, {"SECONDS": 600 * n, "COMMENT_TEXT": f"часть {n}"}])
           .json()["result"] for n in (1, 2, 3)]  # fmt: skip
    page = post(client, f"{base}task.elapseditem.getlist", {
        "TASKID": task.pk, "ORDER": {"ID": "asc"}, "PARAMS": {"NAV_PARAMS": {"nPageSize": 2, "iNumPage": 2}},
    }).json()  # fmt: skip
    everywhere = post(client, f"{base}task.elapseditem.getlist", [{"ID": "desc"}, {">=SECONDS": 1200}]).json()
    post(client, f"{base}task.elapseditem.update", [task.pk, ids[0], {"SECONDS": 60}])
    got = post(client, f"{base}task.elapseditem.get", [task.pk, ids[0]]).json()["result"]
    missing_comment = post(client, f"{base}task.elapseditem.add", [task.pk, {"SECONDS": 60}])

    assert page["total"] == 3 and [row["ID"] for row in page["result"]] == [str(ids[2])]
    assert page["result"][0]["MINUTES"] == "30" and page["result"][0]["USER_ID"] == str(org.sales_rep.pk)
    assert [row["ID"] for row in everywhere["result"]] == [str(ids[2]), str(ids[1])]
    assert (got["SECONDS"], got["MINUTES"]) == ("60", "1")
    assert missing_comment.status_code == 400
    assert post(client, f"{base}task.elapseditem.delete", [task.pk, ids[1]]).json()["result"] is True
    assert task.time_entries.count() == 2


def test_crm_links_members_filter_and_creator_of_record(client, hook, org):
    from tests.factories import make_deal

    deal = make_deal(by=org.sales_rep)
    base = hook(org.sales_rep)
    code = f"D_{deal.pk}"

    added = post(client, f"{base}tasks.task.add", {"fields": {
        "TITLE": "По сделке", "RESPONSIBLE_ID": org.sales_rep.pk, "UF_CRM_TASK": [code], "CREATED_BY": org.sales_rep.pk,
        "ACCOMPLICES": [org.sales_head.pk],
    }}).json()["result"]["task"]  # fmt: skip
    make_task("Без сделки", by=org.sales_rep)
    linked = post(client, f"{base}tasks.task.list", {"filter": {"UF_CRM_TASK": code}}).json()["result"]["tasks"]
    helped = post(client, f"{base}tasks.task.list", {"filter": {"ACCOMPLICE": org.sales_head.pk}}).json()
    not_helped = post(client, f"{base}tasks.task.list", {"filter": {"!ACCOMPLICE": [org.sales_head.pk]}}).json()
    someone_else = post(client, f"{base}tasks.task.add", {"fields": {
        "TITLE": "От имени", "RESPONSIBLE_ID": org.sales_rep.pk, "CREATED_BY": org.sales_head.pk,
    }})  # fmt: skip

    assert added["ufCrmTask"] == [code]
    assert [row["id"] for row in linked] == [added["id"]]
    assert [row["id"] for row in helped["result"]["tasks"]] == [added["id"]]
    assert [row["title"] for row in not_helped["result"]["tasks"]] == ["Без сделки"]
    assert (someone_else.status_code, someone_else.json()["error"]) == (400, "ERROR_CORE")
    assert not Task.objects.filter(title="От имени").exists()


def test_batch_of_task_methods_with_references(client, hook, org):
    base = hook(org.sales_rep)

    body = post(client, f"{base}batch", {"halt": 0, "cmd": {
        "a": f"tasks.task.add?fields[TITLE]=Из+пакета&fields[RESPONSIBLE_ID]={org.sales_rep.pk}",
        "c": "task.commentitem.add?0=$result[a][task][id]&1[POST_MESSAGE]=ok",
        "g": "tasks.task.get?taskId=$result[a][task][id]&select[]=COMMENTS_COUNT",
    }}).json()["result"]  # fmt: skip

    assert body["result_error"] == []
    assert isinstance(body["result"]["c"], int)
    assert body["result"]["g"]["task"] == {"id": body["result"]["a"]["task"]["id"], "commentsCount": "1"}
