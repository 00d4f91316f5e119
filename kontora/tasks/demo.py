"""Demo tasks: two projects with stages and linked work, and the company's everyday tasks, two months of history.

Everything is made through the services, as the people would have made it; the services stamp "now", so the
story's own moments (created_at, closed_at, status_changed_at, which no service lets one set) are written afterwards
with queryset updates, as the CRM demo does.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.tasks.choices import DependencyType, Priority, Status
from kontora.tasks.models import Task, TimeEntry
from kontora.tasks.services import checklist, comments, projects, status, timing
from kontora.tasks.services.dependencies import add_dependency
from kontora.tasks.services.tasks import create_task

SEED = 2026
HOUR = 3600
EVERYDAY_TASKS = 96

CRM_PROJECT = {
    "name": "Внедрение CRM в ООО Вектор",
    "description": "Настройка воронок, импорт клиентов, интеграция с телефонией и обучение отдела продаж «Вектора».",
    "owner": "oleg",
    "moderators": ["dmitry"],
    "members": ["anna", "ekaterina", "sergey", "rustam"],
    "stages": [("Обследование", "#00a2e8"), ("Настройка", "#f5a623"), ("Обучение", "#a08cde"), ("Запуск", "#7bd500")],
    "titles": [
        "Интервью с руководителем продаж «Вектора»",
        "Описать текущий процесс продаж",
        "Собрать список полей карточки",
        "Согласовать воронку сделок",
        "Настроить стадии воронки",
        "Настроить права доступа отделов",
        "Выгрузить клиентов из Excel",
        "Очистить дубли компаний",
        "Импортировать контакты",
        "Подключить телефонию",
        "Настроить запись звонков",
        "Подключить почтовые ящики менеджеров",
        "Настроить шаблоны писем",
        "Настроить роботов на стадиях",
        "Настроить отчёт по воронке",
        "Подготовить инструкцию для менеджеров",
        "Провести обучение менеджеров",
        "Провести обучение руководителей",
        "Тестовая неделя работы в CRM",
        "Собрать замечания после тестовой недели",
        "Исправить замечания по карточке сделки",
        "Перенести открытые сделки",
        "Закрыть доступ к старой таблице",
        "Подписать акт внедрения",
    ],
}
SITE_PROJECT = {
    "name": "Запуск сайта",
    "description": "Новый сайт компании: каталог услуг, форма заявки в CRM, блог.",
    "owner": "irina",
    "moderators": ["sergey"],
    "members": ["dmitry", "maria", "anna", "alexey"],
    "stages": [("Дизайн", "#00a2e8"), ("Вёрстка", "#f5a623"), ("Наполнение", "#a08cde"), ("Запуск", "#7bd500")],
    "titles": [
        "Собрать референсы сайтов конкурентов",
        "Написать техническое задание",
        "Согласовать структуру сайта",
        "Дизайн главной страницы",
        "Дизайн страницы услуги",
        "Дизайн мобильной версии",
        "Сверстать главную страницу",
        "Сверстать каталог услуг",
        "Подключить форму заявки к CRM",
        "Настроить SSL-сертификат",
        "Написать тексты для страниц услуг",
        "Подготовить фотографии команды",
        "Перенести статьи блога",
        "Настроить счётчики аналитики",
        "Проверить скорость загрузки",
        "Проверить сайт на телефонах",
        "Согласовать политику обработки персональных данных",
        "Настроить редиректы со старого сайта",
        "Запустить рекламную кампанию",
        "Анонс запуска в соцсетях",
    ],
}
EVERYDAY = [
    ("oleg", "Подготовить план продаж на квартал"),
    ("oleg", "Провести планёрку отдела продаж"),
    ("anna", "Подготовить коммерческое предложение для «Датастрим»"),
    ("anna", "Позвонить «Кодерре» по продлению"),
    ("anna", "Выставить счёт «Синтез Софт»"),
    ("ekaterina", "Встреча с ИТ-директором «Логикс»"),
    ("ekaterina", "Отправить договор «Инфосфере»"),
    ("ekaterina", "Обновить прайс-лист в CRM"),
    ("rustam", "Отчёт по продажам казанского отдела"),
    ("elena", "Демо панели для «АйТи Гарант»"),
    ("elena", "Согласовать скидку для «Квант Диджитал»"),
    ("irina", "Запустить e-mail рассылку"),
    ("irina", "Подготовить кейс для блога"),
    ("irina", "Заказать сувенирную продукцию к выставке"),
    ("pavel", "Закрыть месяц в бухгалтерии"),
    ("pavel", "Сверка с поставщиками"),
    ("pavel", "Подготовить отчётность в налоговую"),
    ("maria", "Подобрать кандидатов на вакансию менеджера"),
    ("maria", "Организовать обучение по охране труда"),
    ("maria", "Оформить отпуск сотрудникам"),
    ("sergey", "Обновить сервер 1С"),
    ("sergey", "Проверить резервные копии"),
    ("sergey", "Заменить ноутбук бухгалтера"),
    ("dmitry", "Интеграция CRM с 1С"),
    ("dmitry", "Обновить модуль обмена с сайтом"),
    ("nikolay", "Закупить фурнитуру для кухонь"),
    ("nikolay", "Замер кухни у клиента на Лесной"),
    ("nikolay", "Сдать заказ «Офисная мебель»"),
    ("alexey", "Утвердить бюджет на маркетинг"),
    ("alexey", "Согласовать договор аренды офиса"),
]
FOLLOW_UPS = ["", " (повторно)", " — уточнить детали", " — согласовать с клиентом", " — финальная версия"]
CHECKLIST = ["Собрать исходные данные", "Согласовать с руководителем", "Подготовить черновик", "Проверить",
             "Отправить результат"]  # fmt: skip
COMMENTS = ["Взял в работу.", "Нужна информация от клиента, жду ответа.", "Черновик готов, посмотрите, пожалуйста.",
            "Перенёс встречу на четверг.", "Готово, проверьте.", "Добавил файл с расчётами в описание.",
            "Есть вопрос по срокам — обсудим на планёрке?"]  # fmt: skip


class _Story:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311  a reproducible demo, not security
        self.now = timezone.now().replace(microsecond=0)
        self.people = {user.username: user for user in User.objects.filter(is_active=True)}
        self.backdated: dict[int, dict] = {}
        self.deals: dict[int, list[int]] = {}

    def person(self, login: str) -> User:
        return self.people[login]

    def deals_of(self, user: User) -> list[int]:
        if user.pk not in self.deals:
            from kontora.crm.models import Deal

            self.deals[user.pk] = list(access.visible(user, Deal).order_by("-id").values_list("pk", flat=True)[:20])
        return self.deals[user.pk]

    def tell(self) -> None:
        for spec in (CRM_PROJECT, SITE_PROJECT):
            self.project(spec)
        for number in range(EVERYDAY_TASKS):
            login, title = EVERYDAY[number % len(EVERYDAY)]
            title += FOLLOW_UPS[number // len(EVERYDAY)]
            creator = self.person(self.rng.choice(["alexey", "oleg", "irina", login, login]))
            self.task(creator, self.person(login), title, None, None)

    def project(self, spec: dict) -> None:
        owner = self.person(spec["owner"])
        project = projects.create_project(
            by=owner, name=spec["name"], description=spec["description"],
            moderators=[self.person(login) for login in spec["moderators"]],
            members=[self.person(login) for login in spec["members"]], stages=spec["stages"],
        )  # fmt: skip
        stages = list(project.stages.all())
        team = [spec["owner"], *spec["moderators"], *spec["members"]]
        previous = None
        for number, title in enumerate(spec["titles"]):
            stage = stages[min(len(stages) - 1, number * len(stages) // len(spec["titles"]))]
            task = self.task(owner, self.person(self.rng.choice(team[1:])), title, project, stage, team=team)
            if previous is not None and self.rng.random() < 0.6:
                add_dependency(previous, task, by=owner, type=DependencyType.FINISH_START)
            if self.rng.random() < 0.3:
                sub = self.task(owner, self.person(self.rng.choice(team[1:])), f"{title}: проверка", project, stage,
                                team=team, parent=task)  # fmt: skip
                add_dependency(task, sub, by=owner, type=DependencyType.FINISH_FINISH)
            previous = task

    def task(self, creator, responsible, title, project, stage, *, team=(), parent=None) -> Task:
        rng = self.rng
        created = self.now - timedelta(days=rng.randint(3, 60), hours=rng.randint(0, 8))
        fate = rng.choices(
            ["pending", "progress", "control", "on_time", "late", "deferred", "declined"],
            weights=[22, 24, 8, 26, 12, 5, 3],
        )[0]
        if fate in ("on_time", "late", "control", "declined"):
            deadline = created + timedelta(days=rng.randint(2, 20))
            deadline = min(deadline, self.now - timedelta(hours=rng.randint(2, 48)))
        else:  # open: a fifth of them already late
            ahead = rng.randint(-10, 25) if rng.random() < 0.85 else None
            deadline = None if ahead is None else self.now + timedelta(days=ahead, hours=rng.randint(1, 8))
        around = [login for login in team or self.people if login not in (creator.username, responsible.username)]
        others = [self.person(login) for login in around]
        deal = self.deals_of(creator) if project is None and rng.random() < 0.3 else []
        task = create_task(
            by=creator, title=title, responsible=responsible, project=project, stage=stage, parent=parent,
            description=f"<p>{title}. Подробности — в комментариях.</p>",
            deadline=deadline, priority=Priority.HIGH if rng.random() < 0.2 else Priority.NORMAL,
            requires_control=fate == "control" or rng.random() < 0.15,
            time_estimate=rng.choice([0, 2, 4, 8, 16]) * HOUR,
            start_date_plan=created + timedelta(days=1) if project else None,
            end_date_plan=max(deadline or created, created + timedelta(days=2)) if project else None,
            accomplices=rng.sample(others, 1) if others and rng.random() < 0.25 else [],
            auditors=rng.sample(others, 1) if others and rng.random() < 0.3 else [],
            crm=[f"D_{rng.choice(deal)}"] if deal else [],
        )  # fmt: skip
        if rng.random() < 0.4:
            for text in rng.sample(CHECKLIST, rng.randint(2, 5)):
                checklist.add_item(task, by=responsible, title=text, is_complete=fate in ("on_time", "late"))
        if fate != "pending":
            status.change_status(task, "start", by=responsible)
            started = created + timedelta(hours=rng.randint(2, 30))
            for _ in range(rng.randint(1, 3)):
                timing.add_time(task, by=responsible, seconds=rng.randint(2, 24) * 15 * 60,
                                comment=rng.choice(["", "Работа с документами", "Созвон"]),
                                started_at=min(started + timedelta(days=rng.randint(0, 5)), self.now))  # fmt: skip
        if rng.random() < 0.45:
            for author in rng.sample([creator, responsible], 2 if creator != responsible else 1):
                comments.add_comment(task, by=author, text=f"<p>{rng.choice(COMMENTS)}</p>")
        self.finish(task, fate, creator, responsible, created, deadline)
        return task

    def finish(self, task: Task, fate: str, creator, responsible, created: datetime, deadline) -> None:
        rng = self.rng
        stamps: dict = {"created_at": created, "status_changed_at": created + timedelta(hours=rng.randint(1, 48))}
        if fate == "deferred":
            status.change_status(task, "defer", by=responsible)
        elif fate == "declined" and creator != responsible:
            status.change_status(task, "decline", by=responsible)
            stamps["closed_at"] = deadline - timedelta(days=1)
        elif fate == "control" and creator != responsible:
            task.refresh_from_db()
            status.change_status(task, "complete", by=responsible)
        elif fate in ("on_time", "late"):
            status.change_status(task, "complete", by=responsible)
            task.refresh_from_db()
            if task.status == Status.AWAITING_CONTROL:
                status.change_status(task, "approve", by=creator)
            shift = timedelta(hours=rng.randint(1, 72))
            stamps["closed_at"] = max(created + timedelta(hours=3), deadline - shift if fate == "on_time" else
                                      min(deadline + shift, self.now))  # fmt: skip
            stamps["status_changed_at"] = stamps["closed_at"]
        self.backdated[task.pk] = stamps

    def running_timers(self) -> None:
        """Two people have a timer running on a task in progress."""
        for login in ("anna", "dmitry"):
            task = Task.objects.filter(responsible=self.person(login), status=Status.IN_PROGRESS).order_by("pk").first()
            if task is not None:
                entry = timing.start_timer(task, by=self.person(login))
                # demo fabrication: the timer has been running for a while (no service sets a start in the past)
                TimeEntry.objects.filter(pk=entry.pk).update(started_at=self.now - timedelta(minutes=40))


def build(password: str | None) -> list[tuple[str, str, str]]:
    """Create the tasks and projects of the demo company, then move their moments into the past. Logins: none."""
    story = _Story()
    if "oleg" not in story.people:
        return []
    story.tell()
    story.running_timers()
    # The services stamped creation and closing with now(); the story's own moments go in afterwards.
    for pk, stamps in story.backdated.items():
        Task.objects.filter(pk=pk).update(**stamps)
    return []
