"""Demo people: a company selling cloud database clusters, with a furniture workshop line."""

import secrets

from kontora.accounts import services
from kontora.accounts.models import Department, Role

DEPARTMENTS = [
    # key, name, parent key
    ("board", "Руководство", None),
    ("sales", "Отдел продаж (Москва)", "board"),
    ("kazan", "Отдел продаж (Казань)", "sales"),
    ("marketing", "Маркетинг", "board"),
    ("accounting", "Бухгалтерия", "board"),
    ("hr", "Отдел кадров", "board"),
    ("it", "ИТ-отдел", "board"),
    ("workshop", "Мебельная мастерская", "board"),
]

PEOPLE = [
    # login, first, last, middle, position, department, role preset, heads
    ("alexey", "Алексей", "Смирнов", "Викторович", "Генеральный директор", "board", Role.Preset.HEAD, True),
    ("oleg", "Олег", "Петров", "Николаевич", "Руководитель отдела продаж", "sales", Role.Preset.HEAD, True),
    ("anna", "Анна", "Иванова", "Сергеевна", "Менеджер по продажам", "sales", Role.Preset.EMPLOYEE, False),
    ("ekaterina", "Екатерина", "Морозова", "Андреевна", "Менеджер по продажам", "sales", Role.Preset.EMPLOYEE, False),
    ("rustam", "Рустам", "Галиев", "Ильдарович", "Руководитель группы продаж", "kazan", Role.Preset.HEAD, True),
    ("elena", "Елена", "Захарова", "Игоревна", "Менеджер по продажам", "kazan", Role.Preset.EMPLOYEE, False),
    ("irina", "Ирина", "Соколова", "Павловна", "Маркетолог", "marketing", Role.Preset.HEAD, True),
    ("pavel", "Павел", "Кузнецов", "Олегович", "Главный бухгалтер", "accounting", Role.Preset.HEAD, True),
    ("viktor", "Виктор", "Лебедев", "Петрович", "Аудитор", "accounting", Role.Preset.READ_ONLY, False),
    ("maria", "Мария", "Волкова", "Дмитриевна", "Менеджер по персоналу", "hr", Role.Preset.HEAD, True),
    ("sergey", "Сергей", "Фёдоров", "Александрович", "Системный администратор", "it", Role.Preset.ADMINISTRATOR, True),
    ("dmitry", "Дмитрий", "Орлов", "Евгеньевич", "Интегратор", "it", Role.Preset.EMPLOYEE, False),
    ("nikolay", "Николай", "Белов", "Степанович", "Мастер цеха", "workshop", Role.Preset.HEAD, True),
]


def build(password: str | None) -> list[tuple[str, str, str]]:
    roles = {preset: Role.objects.builtin(preset) for preset in Role.BUILTIN_NAMES}
    departments: dict[str, Department] = {}
    for sort, (key, name, parent) in enumerate(DEPARTMENTS):
        departments[key] = services.save_department(
            None, by=None, name=name, parent=departments.get(parent), sort=sort * 10
        )
    logins = []
    for login, first, last, middle, position, department_key, preset, heads in PEOPLE:
        secret = password or secrets.token_urlsafe(9)
        department = departments[department_key]
        user = services.create_user(
            by=None,
            username=login,
            password=secret,
            roles=[roles[preset]],
            first_name=first,
            last_name=last,
            middle_name=middle,
            position=position,
            department=department,
            email=f"{login}@demo.kontora.local",
            phone=f"+7 900 {100 + len(logins):03d}-{len(login):02d}-{len(first):02d}",
        )
        if heads:
            services.save_department(
                department, by=None, name=department.name, parent=department.parent, head=user, sort=department.sort
            )
        logins.append((login, secret, f"{first} {last}, {position} — {roles[preset].name}"))
    return logins
