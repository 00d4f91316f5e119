"""The absence chart page: everyone sees it, heads and administrators add to it, removal through the gate."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kontora.timeman.models import Absence
from tests.factories import PASSWORD, make_absence


@pytest.fixture(autouse=True)
def english(org):
    for person in org.people():
        person.language = "en"
        person.save(update_fields=["language"])


def test_everyone_sees_the_month_chart_with_bars_per_day(client, org):
    make_absence(org.kazan_rep, date(2026, 2, 26), date(2026, 3, 3), "sick_leave")
    make_absence(org.marketing_rep, date(2026, 3, 30), date(2026, 4, 2), "business_trip")
    client.login(username=org.sales_rep.username, password=PASSWORD)

    page = client.get("/timeman/absences/?month=2026-03")
    html = page.content.decode()

    assert page.status_code == 200
    assert html.count('data-kind="sick_leave"') == 3  # 1–3 March
    assert html.count('data-kind="business_trip"') == 2  # 30–31 March
    assert "Add an absence" not in html  # an employee only looks
    assert client.post("/timeman/absences/", {}).status_code == 404


def test_department_filter_keeps_its_subtree(client, org):
    client.login(username=org.sales_rep.username, password=PASSWORD)

    page = client.get(f"/timeman/absences/?department={org.sales.pk}").content.decode()

    shown = {person.pk for person in org.people() if f'data-person="{person.pk}"' in page}
    assert shown == {org.sales_head.pk, org.sales_rep.pk, org.kazan_rep.pk, org.nobody.pk}


def test_head_adds_an_absence_for_his_people_only(client, org):
    client.login(username=org.sales_head.username, password=PASSWORD)
    start = timezone.localdate() + timedelta(days=3)

    mine = client.post("/timeman/absences/", {
        "absence-user": org.kazan_rep.pk, "absence-kind": "day_off", "absence-start": start.isoformat(),
        "absence-end": start.isoformat(), "absence-note": "",
    })  # fmt: skip
    foreign = client.post("/timeman/absences/", {
        "absence-user": org.marketing_rep.pk, "absence-kind": "day_off", "absence-start": start.isoformat(),
        "absence-end": start.isoformat(),
    })  # fmt: skip
    backwards = client.post("/timeman/absences/", {
        "absence-user": org.sales_rep.pk, "absence-kind": "vacation", "absence-start": start.isoformat(),
        "absence-end": (start - timedelta(days=1)).isoformat(),
    })  # fmt: skip

    assert mine.status_code == 302
    assert list(Absence.objects.values_list("user_id", "kind", "start")) == [(org.kazan_rep.pk, "day_off", start)]
    assert "Select a valid choice" in foreign.content.decode()
    assert "The last day cannot be before the first one." in backwards.content.decode()


def test_removal_only_where_the_gate_allows(client, org):
    theirs = make_absence(org.marketing_rep, date(2026, 5, 4), date(2026, 5, 5))
    ours = make_absence(org.sales_rep, date(2026, 5, 4), date(2026, 5, 5))
    client.login(username=org.sales_head.username, password=PASSWORD)

    page = client.get("/timeman/absences/?month=2026-05").content.decode()
    refused = client.post(f"/timeman/absences/{theirs.pk}/delete/")
    done = client.post(f"/timeman/absences/{ours.pk}/delete/")

    assert f'data-absence-row="{theirs.pk}"' in page and f"/timeman/absences/{theirs.pk}/delete/" not in page
    assert f"/timeman/absences/{ours.pk}/delete/" in page
    assert refused.status_code == 404 and done.status_code == 302
    assert list(Absence.objects.values_list("pk", flat=True)) == [theirs.pk]
