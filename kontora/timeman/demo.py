"""Demo absences around today: a sales manager on vacation right now, a trip, a sick leave and a day off."""

from datetime import timedelta

from django.utils import timezone

from kontora.accounts.models import User
from kontora.timeman.models import AbsenceKind
from kontora.timeman.services import add_absence

ABSENCES = [
    # login, first day (from today), days, kind, note
    ("ekaterina", -3, 14, AbsenceKind.VACATION, "Ежегодный отпуск"),
    ("rustam", 9, 3, AbsenceKind.BUSINESS_TRIP, "Выставка в Екатеринбурге"),
    ("dmitry", -12, 5, AbsenceKind.SICK_LEAVE, ""),
    ("pavel", 4, 1, AbsenceKind.DAY_OFF, "Отгул за работу в выходной"),
    ("irina", 20, 10, AbsenceKind.VACATION, ""),
]


def build(password: str | None) -> list[tuple[str, str, str]]:
    people = {user.username: user for user in User.objects.filter(username__in=[row[0] for row in ABSENCES])}
    today = timezone.localdate()
    for login, offset, days, kind, note in ABSENCES:
        if login not in people:
            continue
        start = today + timedelta(days=offset)
        add_absence(people[login], start, start + timedelta(days=days - 1), kind, by=None, note=note)
    return []
