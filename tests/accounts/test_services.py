"""Services for people and departments: validated, recorded in history, announced, never half-saved."""

import pytest

from kontora.accounts import services
from kontora.accounts.models import Department, User
from kontora.core.errors import Forbidden, Invalid
from kontora.events.models import ChangeSet, Event
from tests import factories


def test_create_user_hashes_password_with_argon2_in_production_settings(db):
    from kontora import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_create_user_records_history_and_emits(org):
    user = services.create_user(by=org.admin, username="new", password="Str0ng-pass-2026", first_name="Ivan")

    change = ChangeSet.objects.get(object_id=str(user.pk), action="create", content_type__model="user")
    assert change.actor == org.admin
    assert change.changes["first_name"] == [None, "Ivan"]
    assert Event.objects.filter(name="accounts.user.created", object_id=str(user.pk)).exists()
    assert user.check_password("Str0ng-pass-2026")


def test_duplicate_login_and_weak_password_are_field_errors(org):
    with pytest.raises(Invalid) as duplicate:
        services.create_user(by=org.admin, username="ANNA", password="Str0ng-pass-2026")
    with pytest.raises(Invalid) as weak:
        services.create_user(by=org.admin, username="weak", password="123")

    assert duplicate.value.field == "username"
    assert weak.value.field == "password"
    assert not User.objects.filter(username="weak").exists()


def test_only_administrators_add_people(org):
    with pytest.raises(Forbidden):
        services.create_user(by=org.sales_head, username="intruder")


def test_everyone_edits_own_profile_but_not_others(org):
    services.update_user(org.sales_rep, by=org.sales_rep, position="Senior manager")

    assert User.objects.get(pk=org.sales_rep.pk).position == "Senior manager"
    with pytest.raises(Forbidden):
        services.update_user(org.marketing_rep, by=org.sales_rep, position="Hacked")


def test_employee_cannot_move_himself_to_another_department(org):
    with pytest.raises(Forbidden):
        services.update_user(org.sales_rep, by=org.sales_rep, department=org.marketing)


def test_update_records_only_real_changes(org):
    services.update_user(org.sales_rep, by=org.admin, position="Lead", phone=org.sales_rep.phone)

    change = ChangeSet.objects.filter(object_id=str(org.sales_rep.pk), action="update").get()
    assert change.changes == {"position": ["", "Lead"]}


def test_role_change_is_recorded_and_takes_effect(org):
    from kontora.accounts import access
    from tests.support.models import Memo

    Memo.objects.create(title="x", responsible=org.marketing_rep)
    assert not access.visible(org.sales_rep, Memo).exists()

    services.update_user(org.sales_rep, by=org.admin, roles=[factories.role("read_only")])

    assert access.visible(org.sales_rep, Memo).exists()
    assert "roles" in ChangeSet.objects.filter(object_id=str(org.sales_rep.pk)).first().changes


def test_department_cannot_be_moved_under_its_own_child(org):
    with pytest.raises(Invalid) as error:
        services.save_department(org.sales, by=org.admin, name="Sales", parent=org.kazan, head=org.sales_head)

    assert error.value.field == "parent"
    assert Department.objects.get(pk=org.sales.pk).parent == org.board


def test_non_empty_department_is_not_deleted(org):
    with pytest.raises(Invalid):
        services.delete_department(org.sales, by=org.admin)
    empty = factories.make_department("Empty", parent=org.board)

    services.delete_department(empty, by=org.admin)

    assert not Department.objects.filter(pk=empty.pk).exists()


def test_set_language_rejects_unknown_language(org):
    with pytest.raises(Invalid):
        services.set_language(org.sales_rep, "de")
    services.set_language(org.sales_rep, "en")

    assert User.objects.get(pk=org.sales_rep.pk).language == "en"


def test_user_is_notified_when_someone_else_changes_his_profile(org, django_capture_on_commit_callbacks):
    from kontora.events import notifications

    with django_capture_on_commit_callbacks(execute=True):
        services.update_user(org.sales_rep, by=org.sales_rep, position="Self-edit")
    assert notifications.unread_count(org.sales_rep) == 0

    org.sales_rep.language = "en"
    org.sales_rep.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_user(org.sales_rep, by=org.admin, department=org.kazan, roles=[factories.role("head")])

    [note] = notifications.recent(org.sales_rep)
    assert note.message == "Admin Testov changed your profile: department, roles"
    assert note.actor == org.admin
