"""Pages about people: login, org chart, directory, profile editing, company settings."""

import pytest
from django.core import mail
from django.urls import reverse

from kontora.accounts.models import Department, User
from tests.factories import PASSWORD


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_login_with_wrong_password_shows_error_in_russian_by_default(client, org):
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": "wrong"})

    assert response.status_code == 200
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in response.content.decode()


def test_login_and_logout(client, org):
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302

    assert client.get(reverse("web:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("web:home")).status_code == 302


def test_pages_require_login(client, db):
    for name in ("web:home", "accounts:org_chart", "accounts:people", "web:notifications"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_org_chart_shows_tree_with_heads(as_user, org):
    html = as_user(org.sales_rep).get(reverse("accounts:org_chart")).content.decode()

    assert html.index("Board") < html.index("Sales") < html.index("Kazan")
    assert f'href="/company/people/{org.kazan_rep.pk}/"' in html


def test_people_search_finds_by_name_and_renders_only_rows_for_htmx(as_user, org):
    client = as_user(org.sales_head)

    full = client.get(reverse("accounts:people"), {"q": "elena"})
    partial = client.get(reverse("accounts:people"), {"q": "elena"}, headers={"HX-Request": "true"})

    assert "Elena" in full.content.decode() and "Irina" not in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'id="people-rows"' in partial.content.decode()


def test_people_filter_by_department_includes_sub_departments(as_user, org):
    response = as_user(org.sales_rep).get(reverse("accounts:people"), {"department": org.sales.pk})

    names = {person.username for person in response.context["people"]}
    assert names == {"oleg", "anna", "elena", "nobody"}


def test_profile_edit_with_bad_email_keeps_everything_unsaved(as_user, org):
    client = as_user(org.sales_rep)
    data = {
        "first_name": "Анна",
        "last_name": "Иванова",
        "email": "not-an-email",
        "language": "ru",
        "time_zone": "Europe/Moscow",
        "position": "Changed",
    }

    response = client.post(reverse("accounts:person_edit", args=[org.sales_rep.pk]), data)

    assert response.status_code == 200
    assert "Введите правильный адрес электронной почты" in response.content.decode()
    assert User.objects.get(pk=org.sales_rep.pk).position == ""


def test_profile_edit_saves_and_records_history(as_user, org):
    client = as_user(org.sales_rep)
    data = {
        "first_name": "Anna",
        "last_name": "Ivanova",
        "email": "anna@example.test",
        "language": "en",
        "time_zone": "Asia/Yekaterinburg",
        "position": "Senior",
    }

    response = client.post(reverse("accounts:person_edit", args=[org.sales_rep.pk]), data)

    assert response.status_code == 302
    anna = User.objects.get(pk=org.sales_rep.pk)
    assert (anna.position, anna.language, anna.time_zone) == ("Senior", "en", "Asia/Yekaterinburg")
    page = client.get(reverse("accounts:person", args=[anna.pk])).content.decode()
    assert "Senior" in page and 'lang="en"' in page


def test_editing_someone_else_is_not_found(as_user, org):
    response = as_user(org.sales_rep).get(reverse("accounts:person_edit", args=[org.marketing_rep.pk]))

    assert response.status_code == 404


def test_settings_are_for_administrators_only(as_user, org):
    assert as_user(org.sales_head).get(reverse("accounts:settings")).status_code == 404
    assert as_user(org.admin).get(reverse("accounts:settings")).status_code == 200


def test_admin_adds_employee_with_field_errors_first(as_user, org):
    client = as_user(org.admin)
    bad = {"username": "anna", "first_name": "", "last_name": "X", "email": "x@example.test", "password": "Str0ng-2026"}

    response = client.post(reverse("accounts:user_add"), bad)

    assert response.status_code == 200
    form = response.context["form"]
    assert "first_name" in form.errors
    good = {**bad, "username": "boris", "first_name": "Борис", "department": org.sales.pk}
    assert client.post(reverse("accounts:user_add"), good).status_code == 302
    assert User.objects.get(username="boris").department == org.sales


def test_admin_edits_department_and_cycle_is_a_field_error(as_user, org):
    client = as_user(org.admin)
    url = reverse("accounts:department_edit", args=[org.sales.pk])

    response = client.post(url, {"name": "Sales", "parent": org.kazan.pk, "sort": 10})

    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert client.post(url, {"name": "Продажи", "parent": org.board.pk, "sort": 10}).status_code == 302
    assert Department.objects.get(pk=org.sales.pk).name == "Продажи"


def test_password_reset_sends_a_link_by_email(client, org):
    response = client.post(reverse("accounts:password_reset"), {"email": org.sales_rep.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/password/reset/" in mail.outbox[0].body


def test_password_change_rejects_wrong_old_password(as_user, org):
    client = as_user(org.sales_rep)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "N3w-pass-2026", "new_password2": "N3w-pass-2026"},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors


def test_photo_upload_rejects_non_images_and_keeps_real_ones(as_user, org, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    client = as_user(org.sales_rep)
    url = reverse("accounts:person_edit", args=[org.sales_rep.pk])
    data = {
        "first_name": "Anna",
        "last_name": "Ivanova",
        "email": "anna@example.test",
        "language": "ru",
        "time_zone": "Europe/Moscow",
    }

    bad = client.post(url, {**data, "photo": SimpleUploadedFile("me.png", b"not an image", "image/png")})
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    good = client.post(url, {**data, "photo": SimpleUploadedFile("me.png", buffer.getvalue(), "image/png")})

    assert "photo" in bad.context["form"].errors
    assert good.status_code == 302
    photo = User.objects.get(pk=org.sales_rep.pk).photo
    assert photo.name.startswith("photos/")
    assert client.get(photo.url).status_code == 200


@pytest.mark.parametrize("page", ["accounts:org_chart", "accounts:people"])
def test_people_pages_make_the_same_number_of_queries_for_more_people(as_user, org, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories

    client = as_user(org.sales_rep)
    client.get(reverse(page))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(page))
    for index in range(15):
        factories.make_user(f"extra{index}", department=org.kazan)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(page))

    assert len(many) == len(few)


def test_people_search_ignores_case_in_cyrillic(as_user, org):
    from kontora.accounts import services

    services.update_user(org.sales_rep, by=org.admin, last_name="Иванова", position="Менеджер по продажам")
    client = as_user(org.sales_head)

    by_name = client.get(reverse("accounts:people"), {"q": "иванова"}).context["people"]
    by_position = client.get(reverse("accounts:people"), {"q": "МЕНЕДЖЕР"}).context["people"]

    assert [person.username for person in by_name] == ["anna"]
    assert [person.username for person in by_position] == ["anna"]
