"""Demo lists: the built-in ones, their readers (HR, accounting), and a few requests already filed."""

from datetime import timedelta

from django.utils import timezone

from kontora.accounts.models import User
from kontora.lists import builtin, services


def build(password: str | None) -> list[tuple[str, str, str]]:
    lists = builtin.ensure_builtin_lists()
    people = {user.username: user for user in User.objects.filter(is_active=True)}
    if not people:
        return []
    readers = {builtin.VACATION: ["maria"], builtin.DISMISSAL: ["maria"], builtin.BUSINESS_TRIP: ["maria", "pavel"],
               builtin.CASH: ["pavel"], builtin.OUTGOING_DOCUMENTS: ["alexey"]}  # fmt: skip
    for code, logins in readers.items():
        services.update_list(lists[code], by=None, readers=[people[login] for login in logins if login in people])
    today = timezone.localdate()
    requests = [
        ("dmitry", builtin.CASH, "Лицензии на сервер 1С", {"amount": 48000, "purpose": "Продление лицензий 1С",
                                                            "needed_on": today + timedelta(days=7)}),
        ("irina", builtin.CASH, "Сувениры к выставке", {"amount": 15500.5, "purpose": "Ручки и блокноты с логотипом"}),
        ("rustam", builtin.BUSINESS_TRIP, "Выставка в Екатеринбурге", {
            "destination": "Екатеринбург", "start": today + timedelta(days=9), "end": today + timedelta(days=11),
            "purpose": "Стенд на выставке «Иннопром»", "budget": 60000}),
        ("pavel", builtin.OUTGOING_DOCUMENTS, "Акт сверки для «Вектора»", {
            "title": "Акт сверки за квартал", "recipient": "ООО «Вектор»"}),
    ]  # fmt: skip
    for login, code, name, values in requests:
        if login in people:
            services.add_element(lists[code], by=people[login], name=name, values=values)
    return []
