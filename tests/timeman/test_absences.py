"""Absences: who may add them, dates that make sense, no double booking, and who is away at a moment."""

from datetime import UTC, date, datetime

import pytest

from kontora.core.errors import Forbidden, Invalid
from kontora.events.models import Event
from kontora.timeman import selectors, services
from kontora.timeman.models import Absence
from tests.factories import make_absence, make_user


def test_admin_adds_a_vacation_and_an_event_is_raised(org):
    absence = services.add_absence(org.sales_rep, date(2026, 7, 1), date(2026, 7, 14), by=org.admin, note=" море ")

    assert (absence.kind, absence.days, absence.note, absence.created_by) == ("vacation", 14, "море", org.admin)
    event = Event.objects.get(name="timeman.absence.created")
    assert event.data["user_id"] == org.sales_rep.pk and event.data["start"] == "2026-07-01"


def test_heads_add_for_their_departments_only_and_employees_not_at_all(org):
    start, end = date(2026, 8, 3), date(2026, 8, 7)

    by_head = services.add_absence(
        org.kazan_rep, start, end, "business_trip", by=org.sales_head
    )  # Kazan is under Sales
    with pytest.raises(Forbidden):
        services.add_absence(org.marketing_rep, start, end, by=org.sales_head)
    with pytest.raises(Forbidden):
        services.add_absence(org.sales_rep, start, end, by=org.sales_rep)
    by_process = services.add_absence(org.sales_rep, start, end, by=None, source="process:12")

    assert by_head.user == org.kazan_rep and by_process.source == "process:12"
    assert Absence.objects.count() == 2


def test_last_day_before_first_is_refused_naming_the_end(org):
    with pytest.raises(Invalid) as error:
        services.add_absence(org.sales_rep, date(2026, 5, 10), date(2026, 5, 9), by=org.admin)

    assert error.value.field == "end" and error.value.code == "INVALID_PERIOD"


@pytest.mark.parametrize(("start", "end", "clash"), [
    (date(2026, 3, 1), date(2026, 3, 5), False),  # the day before
    (date(2026, 3, 1), date(2026, 3, 6), True),  # touches the first day
    (date(2026, 3, 8), date(2026, 3, 9), True),  # inside
    (date(2026, 3, 10), date(2026, 3, 20), True),  # touches the last day
    (date(2026, 3, 11), date(2026, 3, 12), False),  # the day after
    (date(2026, 3, 1), date(2026, 3, 31), True),  # around it
])  # fmt: skip
def test_overlapping_absences_of_one_person_are_refused(org, start, end, clash):
    make_absence(org.sales_rep, date(2026, 3, 6), date(2026, 3, 10))

    if clash:
        with pytest.raises(Invalid) as error:
            services.add_absence(org.sales_rep, start, end, "day_off", by=org.admin)
        assert error.value.field == "start" and org.sales_rep.full_name in error.value.message
    else:
        services.add_absence(org.sales_rep, start, end, "day_off", by=org.admin)
    services.add_absence(org.kazan_rep, start, end, by=org.admin)  # someone else on the same days is fine

    assert Absence.objects.filter(user=org.sales_rep).count() == (1 if clash else 2)


def test_delete_is_for_those_who_may_add(org):
    absence = make_absence(org.marketing_rep, date(2026, 4, 1), date(2026, 4, 2))

    with pytest.raises(Forbidden):
        services.delete_absence(absence, by=org.sales_head)
    services.delete_absence(absence, by=org.admin)

    assert not Absence.objects.exists()
    assert Event.objects.filter(name="timeman.absence.deleted").count() == 1


def test_absent_user_ids_reads_the_day_in_each_persons_time_zone(org):
    moscow = make_user("msk", department=org.sales, time_zone="Europe/Moscow")  # UTC+3
    vladivostok = make_user("vvo", department=org.sales, time_zone="Asia/Vladivostok")  # UTC+10
    london = make_user("lon", department=org.sales, time_zone="Europe/London")  # UTC+0 in winter
    for person in (moscow, vladivostok, london):
        make_absence(person, date(2026, 12, 1), date(2026, 12, 1))
    everyone = [moscow.pk, vladivostok.pk, london.pk, org.sales_rep.pk]

    # 30 Nov 2026 15:00 UTC: 18:00 in Moscow and London's 15:00 are still the 30th; Vladivostok is at 1 Dec 01:00
    evening = selectors.absent_user_ids(everyone, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    # 1 Dec 22:30 UTC: Moscow is at 2 Dec 01:30, Vladivostok 2 Dec 08:30, London still 1 Dec
    late = selectors.absent_user_ids(iter(everyone), datetime(2026, 12, 1, 22, 30, tzinfo=UTC))
    noon = selectors.absent_user_ids(everyone, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))

    assert evening == {vladivostok.pk}
    assert late == {london.pk}
    assert noon == {moscow.pk, vladivostok.pk, london.pk}
    assert selectors.absent_user_ids([], datetime(2026, 12, 1, tzinfo=UTC)) == set()


def test_absences_between_takes_those_touching_the_period(org):
    inside = make_absence(org.sales_rep, date(2026, 6, 10), date(2026, 6, 12))
    crossing = make_absence(org.kazan_rep, date(2026, 5, 25), date(2026, 6, 2))
    make_absence(org.marketing_rep, date(2026, 6, 10), date(2026, 6, 12))  # not among the people asked
    make_absence(org.sales_rep, date(2026, 7, 1), date(2026, 7, 3))  # after the period
    people = org.sales.members.all() | org.kazan.members.all()

    found = list(selectors.absences_between(date(2026, 6, 1), date(2026, 6, 30), people))

    assert found == [crossing, inside]
