"""The UI shell: menu from the registry, bell counter, search, notifications page, language switch."""

from django.urls import reverse

from kontora.core.registry import MenuEntry, registry
from kontora.events import notifications


def test_menu_hides_areas_not_built_and_settings_from_non_admins(client, org):
    client.force_login(org.sales_rep)

    html = client.get(reverse("web:home")).content.decode()

    assert 'data-menu="company"' in html
    assert 'data-menu="settings"' not in html
    assert 'data-menu="crm"' not in html  # not built yet: hidden, not a dead link


def test_menu_shows_settings_to_administrator_and_registered_entries(client, org):
    registry.register("menu", "testarea", MenuEntry("testarea", "Test area", "web:search", "x", order=1))
    try:
        client.force_login(org.admin)
        html = client.get(reverse("web:home")).content.decode()
    finally:
        registry.unregister("menu", "testarea")

    assert 'data-menu="settings"' in html
    assert html.index('data-menu="testarea"') < html.index('data-menu="company"')


def test_bell_shows_unread_count(client, org):
    notifications.notify(org.sales_rep, "one", email=False)
    notifications.notify(org.sales_rep, "two", email=False)
    client.force_login(org.sales_rep)

    html = client.get(reverse("web:home")).content.decode()

    assert 'data-counter="notifications">2</span>' in html


def test_notifications_page_marks_all_read(client, org):
    notifications.notify(org.sales_rep, "Deal won", email=False)
    client.force_login(org.sales_rep)

    assert "Deal won" in client.get(reverse("web:notifications")).content.decode()
    response = client.post(reverse("web:notifications_read_all"), headers={"HX-Request": "true"})

    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert notifications.unread_count(org.sales_rep) == 0


def test_global_search_goes_through_the_gate_and_finds_people(client, org):
    client.force_login(org.sales_rep)

    response = client.get(reverse("web:search"), {"q": "irina"})

    assert "Irina" in response.content.decode()


def test_language_switch_stores_choice_in_profile(client, org):
    client.force_login(org.sales_rep)

    response = client.post(reverse("web:set_language"), {"language": "en", "next": "/company/"})

    assert response.status_code == 302 and response.url == "/company/"
    org.sales_rep.refresh_from_db()
    assert org.sales_rep.language == "en"
    assert 'lang="en"' in client.get(reverse("web:home")).content.decode()


def test_language_switch_refuses_unknown_language_and_foreign_redirects(client, org):
    client.force_login(org.sales_rep)

    assert client.post(reverse("web:set_language"), {"language": "xx"}).status_code == 400
    response = client.post(reverse("web:set_language"), {"language": "ru", "next": "https://evil.example/"})
    assert response.url == "/"


def test_anonymous_language_switch_sets_cookie(client, db):
    response = client.post(reverse("web:set_language"), {"language": "en", "next": "/login/"})

    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get("/login/").content.decode()


def test_pages_fit_a_phone_viewport(client, org):
    client.force_login(org.sales_rep)

    html = client.get(reverse("web:home")).content.decode()

    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'class="burger"' in html


def test_registered_counters_show_in_the_header(client, org):
    from kontora.core.registry import Counter

    registry.register("counters", "test", Counter("test", "Overdue things", "web:search", lambda user: 3))
    try:
        client.force_login(org.sales_rep)
        html = client.get(reverse("web:home")).content.decode()
    finally:
        registry.unregister("counters", "test")

    assert 'data-counter="test">3</span>' in html


def test_read_only_and_roleless_users_may_switch_their_language(client, org):
    for person in (org.reader, org.nobody):
        client.force_login(person)

        response = client.post(reverse("web:set_language"), {"language": "en", "next": "/"})

        assert response.status_code == 302
        person.refresh_from_db()
        assert person.language == "en"


def test_empty_choices_read_in_russian_where_django_has_no_word(client, org):
    client.force_login(org.sales_head)  # the installation's language, Russian
    page = client.get("/analytics/plans/").content.decode()
    assert "- Выберите -" in page and "Select an option" not in page
