"""user.*, department.* and im.notify.* over HTTP."""

import json

from kontora.accounts.models import Department, User
from kontora.events.models import Notification
from tests.factories import make_user


def post(client, url: str, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def test_user_get_rows_and_department_filter(client, hook, org):
    base = hook(org.sales_rep)

    rows = post(client, f"{base}user.get", {"FILTER": {"UF_DEPARTMENT": org.sales.pk}}).json()
    top_level = post(client, f"{base}user.get", {"ID": org.kazan_rep.pk}).json()["result"]

    anna = next(row for row in rows["result"] if row["ID"] == str(org.sales_rep.pk))
    assert {row["ID"] for row in rows["result"]} == {str(org.sales_head.pk), str(org.sales_rep.pk), str(org.nobody.pk)}
    assert rows["total"] == 3
    assert anna["ACTIVE"] is True and anna["UF_DEPARTMENT"] == [org.sales.pk]
    assert (anna["NAME"], anna["EMAIL"], anna["USER_TYPE"]) == ("Anna", "anna@example.test", "employee")
    assert [row["ID"] for row in top_level] == [str(org.kazan_rep.pk)]


def test_user_get_active_name_search_and_crm_prefixes(client, hook, org):
    gone = make_user("ushel", department=org.sales, is_active=False)
    base = hook(org.sales_rep)

    active = post(client, f"{base}user.get", {"filter": {"ACTIVE": "Y"}}).json()["result"]
    inactive = post(client, f"{base}user.get", {"filter": {"ACTIVE": False}}).json()["result"]
    searched = post(client, f"{base}user.get", {"filter": {"NAME_SEARCH": "elena"}}).json()["result"]
    prefixed = post(client, f"{base}user.get", {"filter": {"%LAST_NAME": "testov", ">ID": org.marketing_rep.pk,
                                                           "USER_TYPE": "employee"}}).json()["result"]  # fmt: skip
    extranet = post(client, f"{base}user.get", {"filter": {"USER_TYPE": "extranet"}}).json()

    assert str(gone.pk) not in {row["ID"] for row in active} and len(active) == 8
    assert [row["ID"] for row in inactive] == [str(gone.pk)] and inactive[0]["ACTIVE"] is False
    assert [row["ID"] for row in searched] == [str(org.kazan_rep.pk)]
    assert {int(row["ID"]) for row in prefixed} == {
        user.pk for user in User.objects.filter(pk__gt=org.marketing_rep.pk)
    }
    assert extranet["result"] == [] and extranet["total"] == 0


def test_user_get_sort_order_and_paging(client, hook, org):
    for number in range(50):
        make_user(f"extra{number:02d}", department=org.marketing)
    base = hook(org.sales_rep)

    top = post(client, f"{base}user.get", {"sort": "ID", "order": "DESC"}).json()
    as_map = post(client, f"{base}user.get", {"order": {"ID": "ASC"}, "start": 50}).json()

    ids = [int(row["ID"]) for row in top["result"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 50
    assert (top["total"], top["next"]) == (58, 50)
    assert [int(row["ID"]) for row in as_map["result"]] == sorted(User.objects.values_list("pk", flat=True))[50:]


def test_a_user_without_a_role_sees_nobody(client, hook, org):
    response = post(client, f"{hook(org.nobody)}user.get")

    assert response.json()["result"] == []


def test_user_current_fields_and_search(client, hook, org):
    base = hook(org.kazan_rep)

    current = post(client, f"{base}user.current").json()["result"]
    fields = post(client, f"{base}user.fields").json()["result"]
    found = post(client, f"{base}user.search", {"FILTER": {"NAME": "ele"}}).json()["result"]

    assert current["ID"] == str(org.kazan_rep.pk) and current["UF_DEPARTMENT"] == [org.kazan.pk]
    assert fields["EMAIL"] == "E-mail" and "UF_DEPARTMENT" in fields
    assert [row["ID"] for row in found] == [str(org.kazan_rep.pk)]


def test_user_add_is_for_administrators_and_needs_an_email(client, hook, org):
    added = post(
        client,
        f"{hook(org.admin)}user.add",
        {"EMAIL": "new@example.test", "NAME": "Пётр", "UF_DEPARTMENT": [org.kazan.pk], "WORK_POSITION": "Кладовщик"},
    )
    no_email = post(client, f"{hook(org.admin)}user.add", {"NAME": "Без почты"})
    refused = post(client, f"{hook(org.sales_head)}user.add", {"EMAIL": "other@example.test"})

    user = User.objects.get(pk=added.json()["result"])
    assert (user.email, user.first_name, user.department, user.position) == (
        "new@example.test",
        "Пётр",
        org.kazan,
        "Кладовщик",
    )
    assert user.roles.filter(preset="employee").exists()
    assert no_email.status_code == 400
    assert (refused.status_code, refused.json()["error"]) == (400, "ACCESS_DENIED")
    assert not User.objects.filter(email="other@example.test").exists()


def test_user_update_own_profile_but_department_needs_an_admin(client, hook, org):
    base = hook(org.sales_rep)

    own = post(client, f"{base}user.update", {"ID": org.sales_rep.pk, "WORK_POSITION": "Старший менеджер"})
    move = post(client, f"{base}user.update", {"ID": org.sales_rep.pk, "UF_DEPARTMENT": [org.kazan.pk]})
    other = post(client, f"{base}user.update", {"ID": org.kazan_rep.pk, "NAME": "X"})
    by_admin = post(client, f"{hook(org.admin)}user.update", {"ID": org.sales_rep.pk, "UF_DEPARTMENT": [org.kazan.pk]})

    org.sales_rep.refresh_from_db()
    assert own.json()["result"] is True and by_admin.json()["result"] is True
    assert move.status_code == 400 and other.status_code == 400
    assert (org.sales_rep.position, org.sales_rep.department) == ("Старший менеджер", org.kazan)
    assert User.objects.get(pk=org.kazan_rep.pk).first_name == "Elena"


def test_department_get_rows_and_filter(client, hook, org):
    base = hook(org.sales_rep)

    every = post(client, f"{base}department.get", {"sort": "ID", "order": "ASC"}).json()
    children = post(client, f"{base}department.get", {"PARENT": org.board.pk}).json()["result"]

    board = every["result"][0]
    assert every["total"] == 4
    assert board == {"ID": str(org.board.pk), "NAME": "Board", "SORT": 100, "UF_HEAD": str(org.director.pk)}
    assert {row["NAME"] for row in children} == {"Sales", "Marketing"}
    assert all(row["PARENT"] == str(org.board.pk) for row in children)


def test_department_crud_is_for_administrators(client, hook, org):
    admin, rep = hook(org.admin), hook(org.sales_rep)

    added = post(client, f"{admin}department.add", {"NAME": "Логистика", "PARENT": org.board.pk, "SORT": 300,
                                                    "UF_HEAD": org.kazan_rep.pk})  # fmt: skip
    pk = added.json()["result"]
    refused = post(client, f"{rep}department.add", {"NAME": "Тайный", "PARENT": org.board.pk})
    no_parent = post(client, f"{admin}department.add", {"NAME": "Сирота"})
    updated = post(client, f"{admin}department.update", {"ID": pk, "NAME": "Логистика и склад", "PARENT": org.sales.pk})
    rep_update = post(client, f"{rep}department.update", {"ID": pk, "NAME": "x"})
    department = Department.objects.get(pk=pk)
    snapshot = (department.name, department.parent, department.sort, department.head)
    rep_delete = post(client, f"{rep}department.delete", {"ID": pk})
    deleted = post(client, f"{admin}department.delete", {"ID": pk})
    fields = post(client, f"{rep}department.fields").json()["result"]

    assert isinstance(pk, int) and updated.json()["result"] is True and deleted.json()["result"] is True
    assert snapshot == ("Логистика и склад", org.sales, 300, org.kazan_rep)
    assert (refused.status_code, refused.json()["error"]) == (400, "ACCESS_DENIED")
    assert no_parent.status_code == 400
    assert rep_update.status_code == 400 and rep_delete.status_code == 400
    assert not Department.objects.filter(pk=pk).exists()
    assert set(fields) == {"ID", "NAME", "SORT", "PARENT", "UF_HEAD"}


def test_im_notify_creates_a_notification(client, hook, org):
    base = hook(org.sales_rep)

    system = post(client, f"{base}im.notify.system.add", {"USER_ID": org.kazan_rep.pk, "MESSAGE": "Склад закрыт"})
    personal = client.post(f"{base}im.notify.personal.add", data=f"USER_ID={org.director.pk}&MESSAGE=Привет&TAG=x",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    empty = post(client, f"{base}im.notify.system.add", {"USER_ID": org.kazan_rep.pk, "MESSAGE": ""})
    no_scope = post(client, f"{hook(org.sales_rep, scopes=['crm'])}im.notify.system.add",
                    {"USER_ID": org.kazan_rep.pk, "MESSAGE": "x"})  # fmt: skip

    first = Notification.objects.get(pk=system.json()["result"])
    second = Notification.objects.get(pk=personal.json()["result"])
    assert (first.recipient, first.actor, first.message) == (org.kazan_rep, None, "Склад закрыт")
    assert (second.recipient, second.actor, second.message) == (org.director, org.sales_rep, "Привет")
    assert (empty.status_code, empty.json()["error"]) == (400, "MESSAGE_EMPTY")
    assert no_scope.status_code == 403
