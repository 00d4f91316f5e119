"""Demo CRM: a seller of managed database clusters with a furniture workshop line, and six months of history."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.crm import services
from kontora.crm.choices import ActivityType, Dictionary, EntityType, Semantics, ValueType
from kontora.crm.models import (
    Activity,
    Category,
    Company,
    Contact,
    Deal,
    Lead,
    LossReason,
    Product,
    ProductSection,
    StageHistory,
    Status,
)
from kontora.events.models import ChangeSet, Event


def _lines(text: str) -> list[str]:
    return text.strip().splitlines()


SEED = 2026
HISTORY_DAYS = 182
SALES = ("oleg", "anna", "ekaterina", "rustam", "elena")
VAT = Decimal(20)

# name | industry | company type | city
COMPANIES = [
    tuple(part.strip() for part in line.split("|"))
    for line in _lines("""
ООО «Датастрим» | IT | CUSTOMER | Москва
АО «Кодерра» | IT | CUSTOMER | Москва
ООО «Синтез Софт» | IT | CUSTOMER | Санкт-Петербург
ООО «Логикс» | IT | CUSTOMER | Казань
ООО «Инфосфера» | IT | CUSTOMER | Новосибирск
ООО «Цифровой горизонт» | IT | CUSTOMER | Москва
ООО «Бит и Байт» | IT | CUSTOMER | Екатеринбург
ООО «Нейролаб» | IT | CUSTOMER | Москва
ООО «АйТи Гарант» | IT | CUSTOMER | Казань
ООО «Метрика Про» | IT | CUSTOMER | Москва
ООО «Гиперион» | IT | CUSTOMER | Санкт-Петербург
ООО «Пиксель Студио» | IT | CUSTOMER | Самара
ООО «Интеграл Системс» | IT | PARTNER | Москва
ООО «Квант Диджитал» | IT | CUSTOMER | Казань
ООО «Облакотека» | IT | COMPETITOR | Москва
ООО «ДатаЦентр Север» | IT | SUPPLIER | Санкт-Петербург
ООО «Ромашка» | RETAIL | CUSTOMER | Москва
ООО «Домашний очаг» | RETAIL | CUSTOMER | Казань
ООО «Лавка вкуса» | RETAIL | CUSTOMER | Москва
АО «Мегамаркет Центр» | RETAIL | CUSTOMER | Москва
ООО «ТоргСнаб» | RETAIL | CUSTOMER | Нижний Новгород
ООО «Фермерский двор» | RETAIL | CUSTOMER | Казань
ООО «Гранд Маркет» | RETAIL | CUSTOMER | Екатеринбург
ООО «Стиль и мода» | RETAIL | CUSTOMER | Москва
ООО «Книжный квартал» | RETAIL | CUSTOMER | Санкт-Петербург
ООО «Зоомир» | RETAIL | CUSTOMER | Самара
ПАО «ВолгаСвязь» | TELECOM | CUSTOMER | Казань
ООО «Телесеть Урал» | TELECOM | CUSTOMER | Екатеринбург
ООО «СибЛинк» | TELECOM | CUSTOMER | Новосибирск
АО «ТелекомПлюс» | TELECOM | CUSTOMER | Москва
ООО «Финтех Капитал» | FINANCE | CUSTOMER | Москва
ООО «Кредит Эксперт» | FINANCE | CUSTOMER | Москва
АО «Страховой дом „Опора“» | FINANCE | CUSTOMER | Москва
ООО «Инвест-Актив» | FINANCE | CUSTOMER | Казань
КБ «Северная казна» | BANKING | CUSTOMER | Екатеринбург
АО «Банк Приволжье» | BANKING | CUSTOMER | Казань
ООО «Платёжные технологии» | BANKING | CUSTOMER | Москва
ООО «МикроЗайм Онлайн» | FINANCE | CUSTOMER | Самара
АО «УралТехМаш» | MANUFACTURING | CUSTOMER | Екатеринбург
ООО «Камский завод металлоконструкций» | MANUFACTURING | CUSTOMER | Набережные Челны
ООО «Сибирский лес» | MANUFACTURING | SUPPLIER | Новосибирск
АО «ПолимерПром» | MANUFACTURING | CUSTOMER | Казань
ООО «ТехноКерамика» | MANUFACTURING | CUSTOMER | Нижний Новгород
АО «Завод „Прогресс“» | MANUFACTURING | CUSTOMER | Самара
ООО «Новые материалы» | MANUFACTURING | CUSTOMER | Москва
ООО «Агрокомплекс „Заря“» | MANUFACTURING | CUSTOMER | Казань
ООО «Фурнитура-Опт» | MANUFACTURING | SUPPLIER | Москва
ООО «Лесобаза „Кедр“» | MANUFACTURING | SUPPLIER | Казань
ООО «ТрансЛогистик» | DELIVERY | CUSTOMER | Москва
ООО «ГрузЭкспресс» | DELIVERY | CUSTOMER | Казань
ООО «КурьерСервис 24» | DELIVERY | CUSTOMER | Москва
ООО «Северный путь» | DELIVERY | CUSTOMER | Санкт-Петербург
ООО «Склад-Онлайн» | DELIVERY | CUSTOMER | Нижний Новгород
ООО «ВолгаТранс» | DELIVERY | CUSTOMER | Самара
ООО «Бизнес-Консалт» | CONSULTING | CUSTOMER | Москва
ООО «Аудит-Центр» | CONSULTING | CUSTOMER | Казань
ООО «Правовой альянс» | CONSULTING | CUSTOMER | Москва
ООО «Стратегия роста» | CONSULTING | PARTNER | Санкт-Петербург
ООО «Клиника „Здоровье“» | OTHER | CUSTOMER | Казань
ООО «Фитнес-клубы „Атлет“» | OTHER | CUSTOMER | Москва
АНО «Образовательный центр „Знание“» | OTHER | CUSTOMER | Москва
ООО «Гостиница „Волга“» | OTHER | CUSTOMER | Нижний Новгород
ООО «Ресторанная группа „Вкус“» | OTHER | CUSTOMER | Москва
ООО «Агентство „Медиаплан“» | OTHER | PARTNER | Москва
ООО «Застройщик „Новый квартал“» | OTHER | CUSTOMER | Казань
ООО «Архитектурное бюро „Линия“» | OTHER | PARTNER | Казань
ООО «Кофейня „Зерно“» | OTHER | CUSTOMER | Москва
ООО «Онлайн-школа „Код“» | IT | CUSTOMER | Москва
ООО «Геймдев Лаб» | IT | CUSTOMER | Санкт-Петербург
ООО «Маркетплейс „Всё рядом“» | RETAIL | CUSTOMER | Москва
ООО «Такси Плюс» | DELIVERY | CUSTOMER | Казань
ООО «Медиахолдинг „Эфир“» | OTHER | CUSTOMER | Москва
ООО «ЭнергоСбыт Регион» | OTHER | CUSTOMER | Самара
АО «Аэропорт-Сервис» | DELIVERY | CUSTOMER | Новосибирск
ООО «Умный дом» | IT | CUSTOMER | Екатеринбург
ООО «ТуристТур» | OTHER | CUSTOMER | Санкт-Петербург
ООО «Офис-Комфорт» | RETAIL | CUSTOMER | Казань
ООО «Коворкинг „Точка“» | OTHER | CUSTOMER | Москва
ООО «Вектор» | IT | CUSTOMER | Москва
ООО «Салон мебели „Уют“» | RETAIL | PARTNER | Казань
""")
]
CITIES = {
    "Москва": "495",
    "Санкт-Петербург": "812",
    "Казань": "843",
    "Новосибирск": "383",
    "Екатеринбург": "343",
    "Нижний Новгород": "831",
    "Самара": "846",
    "Набережные Челны": "8552",
}
STREETS = _lines("""
ул. Баумана
пр. Мира
ул. Ленина
Ленинградский пр.
ул. Пушкина
наб. Казанки
ул. Профсоюзная
ул. Кремлёвская
пр. Победы
ул. Садовая
ул. Гагарина
Технопарковая ул.
""")
MEN = """
Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил Никита Роман Евгений Владимир Игорь
Тимур Руслан Павел Денис Константин Вадим Антон Ильдар Марат Айдар
""".split()
WOMEN = """
Анна Мария Елена Ольга Наталья Татьяна Екатерина Ирина Юлия Светлана Дарья Алина Ксения Виктория Полина
Гульнара Лилия Марина Валерия Софья
""".split()
PATRONYMICS = """
Александров Сергеев Дмитриев Андреев Игорев Викторов Олегов Николаев Владимиров Михайлов Петров Юрьев
Ильдаров Рустамов Евгеньев
""".split()
SURNAMES = """
Кузнецов Попов Васильев Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров
Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев
Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков
Сорокин Виноградов Ковалёв Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Богданов
Осипов Сидоров Титов Марков Миронов Крылов Куликов Власов Мельников Денисов Тихонов Хабибуллин Сафин Гарипов
Закиров Валиев Нуриев Вишневский Островский Шевченко Ковальчук Ким Бондаренко
""".split()
POSITIONS = _lines("""
Технический директор
Руководитель отдела инфраструктуры
Ведущий администратор баз данных
DevOps-инженер
Руководитель разработки
Архитектор данных
Финансовый директор
Менеджер по закупкам
Генеральный директор
Руководитель отдела аналитики
ИТ-директор
Системный администратор
Офис-менеджер
Руководитель проектов
""")
MOBILE_CODES = [903, 905, 909, 910, 912, 915, 916, 917, 919, 925, 926, 927, 937, 950, 960, 962, 965, 977, 985, 987]
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)

# section, name, price (VAT 20% included), unit
PRODUCTS = [
    ("PostgreSQL", "Кластер PostgreSQL Standard (3 узла), месяц", 48000, "мес"),
    ("PostgreSQL", "Кластер PostgreSQL HighLoad (5 узлов), месяц", 132000, "мес"),
    ("PostgreSQL", "Реплика для чтения PostgreSQL, месяц", 14500, "мес"),
    ("ClickHouse", "Кластер ClickHouse (2 шарда × 2 реплики), месяц", 156000, "мес"),
    ("ClickHouse", "Кластер ClickHouse Start (1 шард), месяц", 54000, "мес"),
    ("Redis", "Redis Cluster (3 мастера), месяц", 21000, "мес"),
    ("Redis", "Redis Sentinel (1+2), месяц", 9800, "мес"),
    ("Хранение и резервные копии", "Хранилище резервных копий, 1 ТБ в месяц", 3500, "ТБ"),
    ("Хранение и резервные копии", "Восстановление на момент времени (PITR), месяц", 6000, "мес"),
    ("Услуги", "Миграция базы данных «под ключ»", 180000, "шт"),
    ("Услуги", "Аудит производительности базы данных", 95000, "шт"),
    ("Услуги", "Поддержка 24/7 с SLA 99,95 %, месяц", 60000, "мес"),
    ("Услуги", "Обучение команды (день)", 45000, "день"),
    ("Кухни", "Кухонный гарнитур из массива дуба, погонный метр", 68000, "пог. м"),
    ("Кухни", "Столешница из искусственного камня, погонный метр", 24000, "пог. м"),
    ("Шкафы и гардеробные", "Шкаф-купе на заказ", 96000, "шт"),
    ("Шкафы и гардеробные", "Гардеробная система, погонный метр", 31000, "пог. м"),
    ("Столы и стулья", "Обеденный стол из массива ясеня", 64000, "шт"),
    ("Столы и стулья", "Стул «Скандинавия»", 11500, "шт"),
    ("Столы и стулья", "Офисный стол с кабель-каналом", 28000, "шт"),
    ("Работы", "Доставка и подъём", 4500, "шт"),
    ("Работы", "Монтаж мебели", 15000, "шт"),
]
SECTIONS = {
    "Управляемые базы данных": ["PostgreSQL", "ClickHouse", "Redis", "Хранение и резервные копии"],
    "Услуги": [],
    "Мебель на заказ": ["Кухни", "Шкафы и гардеробные", "Столы и стулья", "Работы"],
}
# A deal's theme: title pattern, the products it sells (name fragment, quantity range), the amount range without rows
CLOUD_THEMES = [
    ("Кластер PostgreSQL для {c}", [("PostgreSQL Standard", 12, 12), ("Хранилище", 2, 8), ("Поддержка", 12, 12)]),
    ("Миграция на управляемый PostgreSQL — {c}", [("Миграция", 1, 1), ("PostgreSQL HighLoad", 12, 12)]),
    ("Аналитика на ClickHouse для {c}", [("ClickHouse (2", 12, 12), ("Обучение", 1, 3)]),
    ("Пилот ClickHouse — {c}", [("ClickHouse Start", 3, 3)]),
    ("Redis-кластер под кэш сессий, {c}", [("Redis Cluster", 12, 12)]),
    ("Реплики для чтения и PITR — {c}", [("Реплика", 12, 24), ("PITR", 12, 12)]),
    ("Продление поддержки 24/7 — {c}", [("Поддержка", 12, 12)]),
    ("Аудит производительности БД — {c}", [("Аудит", 1, 1)]),
]
FURNITURE_THEMES = [
    ("Кухня из массива дуба — {c}", [("Кухонный гарнитур", 3, 6), ("Столешница", 3, 6), ("Монтаж", 1, 1)]),
    ("Шкаф-купе в прихожую — {c}", [("Шкаф-купе", 1, 1), ("Доставка", 1, 1), ("Монтаж", 1, 1)]),
    ("Гардеробная — {c}", [("Гардеробная система", 3, 8), ("Монтаж", 1, 1)]),
    ("Обеденная группа — {c}", [("Обеденный стол", 1, 1), ("Стул", 4, 8), ("Доставка", 1, 1)]),
    ("Офисная мебель для {c}", [("Офисный стол", 6, 30), ("Доставка", 1, 3), ("Монтаж", 1, 2)]),
]
FURNITURE_STAGES = [
    ("Замер", "#2FC6F6"),
    ("Эскиз и смета", "#55D0E0"),
    ("Предоплата", "#47E4C2"),
    ("Производство", "#FFA900"),
    ("Доставка и монтаж", "#FFD24C"),
]
LOSS_WEIGHTS = {
    "Цена": 40,
    "Выбрали конкурента": 20,
    "Нет бюджета": 15,
    "Не выходит на связь": 12,
    "Нет потребности": 8,
    "Другое": 5,
}
LOSS_COMMENTS = {
    "Цена": [
        "Дороже, чем у крупного облака",
        "Урезали бюджет на год",
        "Просили скидку 30 %",
        "Смета выше ожиданий клиента",
    ],
    "Выбрали конкурента": ["Ушли к «Облакотеке»", "Остались на своём железе"],
}
CALLS = _lines("""
Созвон: требования к кластеру
Уточнить объём данных и нагрузку
Перезвонить по коммерческому предложению
Обсудить SLA и окна обслуживания
Звонок: согласование договора
""")
MEETINGS = _lines("""
Встреча с техническим директором
Демонстрация панели управления
Воркшоп по миграции
Презентация ClickHouse для аналитиков
""")
TODOS = _lines("""
Подготовить коммерческое предложение
Рассчитать конфигурацию кластера
Выставить счёт на предоплату
Отправить договор на подпись
Настроить пилотный стенд
""")
WORKSHOP_TODOS = _lines("""
Выезд на замер
Согласовать эскиз
Отправить смету
Заказать фасады у поставщика
Согласовать дату монтажа
""")
COMMENTS = _lines("""
Клиент просит скидку за годовую предоплату.
Отправил КП, ждём обратной связи до пятницы.
Технический директор в отпуске до конца месяца.
Нужен договор в редакции клиента, юристы смотрят.
Пилот прошёл успешно: запросы ускорились в 4 раза.
Просят показать, как работает восстановление.
Бюджет согласуют в следующем квартале.
Держите меня в курсе, это важный клиент.
Есть риск ухода к конкуренту — предложил бесплатный аудит.
Клиент доволен замером, ждёт эскиз.
""")
UTM = [
    ("yandex", "cpc", "pg_cluster_autumn"),
    ("google", "cpc", "managed_clickhouse"),
    ("telegram", "social", "redis"),
    ("habr", "referral", "clickhouse_webinar"),
    ("email", "email", "newsletter_oct"),
    ("yandex", "cpc", "kitchen_sale"),
    ("vk", "social", "furniture_showroom"),
]


@dataclass
class _Stamps:
    """What `_backdate` will write: the times the story says things happened, collected while it is told."""

    fields: dict[type, dict[int, dict]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    writes: dict[type, dict[int, list[datetime]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    moves: dict[tuple[int, int], list[tuple[datetime, int | None]]] = field(default_factory=dict)

    def set(self, record: models.Model, **values) -> None:
        self.fields[type(record)][record.pk].update(values)

    def wrote(self, record: models.Model, at: datetime) -> None:
        """A service call wrote one change set and emitted one event about this record at `at`."""
        self.writes[type(record)][record.pk].append(at)


class _Story:
    """Six months of the company, told through the services by the people who would have done each thing.

    Every record is created and changed by its own responsible person (only some comments come from the heads), so
    there is no "assigned to you by someone else" for a notification subscriber to mail about.
    """

    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311  the same demo every time, not security
        self.now = timezone.now()
        self.start = self.now - timedelta(days=HISTORY_DAYS)
        self.stamps = _Stamps()
        self.used_phones: set[str] = set()
        users = {
            user.username: user
            for user in User.objects.filter(username__in=[*SALES, "irina", "nikolay", "alexey", "sergey"])
        }
        missing = {*SALES, "irina"} - set(users)
        if missing:
            raise LookupError(f"the accounts demo builder must run first (missing {sorted(missing)})")
        self.users = users
        self.dictionary = {
            (row.entity_id, row.status_id): row
            for row in Status.objects.filter(entity_id__in=[d.value for d in Dictionary if d != Dictionary.DEAL_STAGE])
        }
        self.reasons = list(LossReason.objects.filter(active=True))

    # -- helpers ---------------------------------------------------------------------------------------------------
    def pick(self, options, weights=None):
        return self.rng.choices(options, weights=weights)[0]

    def status(self, dictionary: str, code: str) -> Status | None:
        return self.dictionary.get((dictionary, code))

    def at(self, earliest: datetime, latest: datetime | None = None) -> datetime:
        latest = latest or self.now
        if latest <= earliest:
            return earliest
        return earliest + (latest - earliest) * self.rng.random()

    def phone(self, landline: str | None = None) -> str:
        while True:
            code = landline or str(self.pick(MOBILE_CODES))
            digits = f"{self.rng.randrange(10**6, 10**7) if len(code) == 3 else self.rng.randrange(10**5, 10**6)}"
            if code + digits not in self.used_phones:
                self.used_phones.add(code + digits)
                break
        if landline:
            return f"+7 ({code}) {digits[:-4]}-{digits[-4:-2]}-{digits[-2:]}"
        a, b, c = digits[:3], digits[3:5], digits[5:]
        return self.pick(
            [
                f"+7 {code} {a}-{b}-{c}",
                f"8 ({code}) {a}-{b}-{c}",
                f"8{code}{digits}",
                f"+7{code}{digits}",
                f"+7 ({code}) {digits}",
                f"8-{code}-{a}-{b}-{c}",
            ]
        )

    @staticmethod
    def latin(text: str) -> str:
        return "".join(TRANSLIT.get(ch, ch) for ch in text.lower() if ch.isalnum()).replace("-", "")

    def person(self) -> tuple[str, str, str]:
        woman = self.rng.random() < 0.45
        surname = self.pick(SURNAMES)
        if woman:
            first, middle = self.pick(WOMEN), self.pick(PATRONYMICS) + "на"
            if surname.endswith(("ов", "ев", "ёв", "ин")):
                surname += "а"
            elif surname.endswith("ский"):
                surname = surname[:-2] + "ая"
        else:
            first, middle = self.pick(MEN), self.pick(PATRONYMICS) + "ич"
        return first, middle, surname

    # -- the story -------------------------------------------------------------------------------------------------
    def tell(self) -> None:
        self.pipelines()
        self.catalogue()
        self.companies()
        self.contacts()
        self.leads()
        self.deals()

    def pipelines(self) -> None:
        admin = self.users.get("sergey")
        default = Category.objects.get(pk=0)
        workshop = services.create_category(by=admin, name="Мебельная мастерская", sort=20)
        for stage_name, color in FURNITURE_STAGES:
            services.create_stage(workshop, by=admin, name=stage_name, color=color)
        for code, stage_name in (("NEW", "Новая заявка"), ("WON", "Заказ выполнен"), ("LOSE", "Отказ")):
            stage = Status.objects.get(entity_id=workshop.stage_entity, status_id=f"{workshop.stage_prefix}{code}")
            services.update_stage(stage, by=admin, name=stage_name)
        self.pipelines_ = {}
        for category in (default, workshop):
            stages = list(Status.objects.filter(entity_id=category.stage_entity).order_by("sort", "id"))
            self.pipelines_[category.pk] = {
                "category": category,
                "process": [stage for stage in stages if stage.semantics == Semantics.PROCESS],
                "won": next(stage for stage in stages if stage.semantics == Semantics.SUCCESS),
                "lost": [stage for stage in stages if stage.semantics == Semantics.FAILURE],
            }
        self.default, self.workshop = default, workshop

    def catalogue(self) -> None:
        """There is no product service yet: the catalogue is written directly."""
        sections = {}
        for parent_name, children in SECTIONS.items():
            parent = sections[parent_name] = ProductSection.objects.create(name=parent_name)
            for child in children:
                sections[child] = ProductSection.objects.create(name=child, parent=parent)
        self.products = Product.objects.bulk_create(
            Product(
                name=name, section=sections[section], price=Decimal(price), vat_rate=VAT, vat_included=True, unit=unit
            )
            for section, name, price, unit in PRODUCTS
        )

    def owner_for(self, city: str) -> User:
        """The Kazan group works the Volga region; Moscow sells everywhere else."""
        volga = city in ("Казань", "Набережные Челны", "Самара")
        return self.users[
            self.pick(["rustam", "elena"] if volga else ["oleg", "anna", "anna", "ekaterina", "ekaterina"])
        ]

    def companies(self) -> None:
        self.company_list = []
        dated = [(self.at(self.now - timedelta(days=400), self.start + timedelta(days=20)), row) for row in COMPANIES]
        for created, (title, industry, kind, city) in sorted(dated):
            owner = self.owner_for(city)
            domain = self.latin(title.split("«")[-1].strip("»“„").split("„")[-1]) + ".ru"
            company = services.create_company(
                by=owner,
                title=title,
                responsible=owner,
                company_type=self.status("COMPANY_TYPE", kind),
                industry=self.status("INDUSTRY", industry),
                employees=self.pick([15, 40, 120, 350, 900, 2500]),
                revenue=Decimal(self.rng.randrange(20, 9000)) * 1_000_000,
                address=f"г. {city}, {self.pick(STREETS)}, д. {self.rng.randrange(1, 120)}",
                phones=[self.phone(CITIES[city])],
                emails=[f"info@{domain}"],
            )
            company.city, company.domain = city, domain
            self.stamps.set(company, created_at=created, updated_at=created)
            self.stamps.wrote(company, created)
            self.company_list.append(company)

    def new_contact(self, *, by: User, created: datetime, company: Company | None = None) -> Contact:
        first, middle, last = self.person()
        domain = company.domain if company is not None else self.pick(["mail.ru", "yandex.ru", "gmail.com"])
        email = f"{self.latin(first)[0]}.{self.latin(last)}@{domain}"
        contact = services.create_contact(
            by=by,
            responsible=by,
            first_name=first,
            middle_name=middle,
            last_name=last,
            position=self.pick(POSITIONS) if company else "",
            companies=[company] if company else [],
            contact_type=self.status("CONTACT_TYPE", "CLIENT"),
            source=self.status("SOURCE", self.pick(["CALL", "WEB", "RECOMMENDATION", "TRADE_SHOW", "EMAIL"])),
            phones=[(self.phone(), ValueType.MOBILE)],
            emails=[email] if self.rng.random() < 0.85 else [],
        )
        self.stamps.set(contact, created_at=created, updated_at=created)
        self.stamps.wrote(contact, created)
        return contact

    def contacts(self) -> None:
        self.people_of: dict[int, list[Contact]] = defaultdict(list)
        self.private: list[Contact] = []
        planned = []
        for company in self.company_list:
            since = self.stamps.fields[Company][company.pk]["created_at"]
            for _ in range(self.pick([1, 1, 2, 2, 2])):
                planned.append((self.at(since, self.start + timedelta(days=30)), company))
        for _ in range(30):
            planned.append((self.at(self.start, self.now - timedelta(days=5)), None))
        for created, company in sorted(planned, key=lambda item: item[0]):
            if company is None:
                owner = self.users[self.pick(["ekaterina", "elena", "anna"])]
                self.private.append(self.new_contact(by=owner, created=created))
            else:
                owner = self.users[company.responsible.username]
                self.people_of[company.pk].append(self.new_contact(by=owner, created=created, company=company))

    def leads(self) -> None:
        new, working, processed, junk = (
            self.status("STATUS", code) for code in ("NEW", "IN_PROCESS", "PROCESSED", "JUNK")
        )
        self.converted: list[tuple] = []
        for index, created in enumerate(sorted(self.at(self.start, self.now - timedelta(hours=2)) for _ in range(150))):
            furniture = index % 4 == 0
            first, middle, last = self.person()
            company = None if furniture or self.rng.random() < 0.3 else self.pick(self.company_list)
            if index % 3 == 0:
                owner = self.users["irina"]  # marketing's web leads
            elif company is not None:
                owner = self.owner_for(company.city)  # a known client calls the people who already work with it
            else:
                owner = self.users[self.pick(SALES)]
            source = self.pick(
                ["WEB", "WEBFORM", "CALL", "EMAIL", "ADVERTISING", "RECOMMENDATION", "TRADE_SHOW", "CALLBACK"],
                [25, 20, 15, 8, 12, 8, 6, 6],
            )
            utm = self.pick(UTM[5:] if furniture else UTM[:5]) if source in ("WEB", "WEBFORM", "ADVERTISING") else None
            if furniture:
                title = self.pick(["Заявка на кухню", "Шкаф на заказ", "Расчёт гардеробной", "Обеденная группа"])
            else:
                title = self.pick(
                    [
                        "Заявка с сайта: управляемый PostgreSQL",
                        "Запрос на ClickHouse",
                        "Обратный звонок: Redis",
                        "Консультация по миграции БД",
                    ]
                )
            amount = self.rng.randrange(6, 60) * (10_000 if furniture else 50_000)
            phone = self.phone()
            lead = services.create_lead(
                by=owner,
                title=f"{title} — {first} {last}",
                responsible=owner,
                first_name=first,
                middle_name=middle,
                last_name=last,
                company_title=company.title if company else "",
                position="" if furniture else self.pick(POSITIONS),
                source=self.status("SOURCE", source),
                amount=Decimal(amount),
                phones=[phone],
                emails=[f"{self.latin(first)}.{self.latin(last)}@{self.pick(['mail.ru', 'yandex.ru'])}"],
                utm_source=utm[0] if utm else "",
                utm_medium=utm[1] if utm else "",
                utm_campaign=utm[2] if utm else "",
            )
            moves = [(created, None)]
            self.stamps.wrote(lead, created)
            when, current = created, new
            for target in (working, processed, None):  # None: converted
                step = when + timedelta(days=self.rng.uniform(0.3, 9))
                if step >= self.now or self.rng.random() < 0.12:
                    break  # not yet, or the lead is stuck where it is
                target = junk if self.rng.random() < 0.17 else target
                moves.append((step, int((step - when).total_seconds())))
                when, current = step, target
                if target is None:
                    self.hand_over(lead, company, step)
                    self.converted.append((step, lead, company, furniture))
                    break
                services.update_lead(lead, by=owner, status=target)
                self.stamps.wrote(lead, step)
                if target == junk:
                    break
            self.stamps.set(lead, created_at=created, updated_at=when, status_changed_at=when)
            self.stamps.moves[(EntityType.LEAD, lead.pk)] = moves
            if current in (new, working) and self.rng.random() < 0.6:
                deadline = when + timedelta(hours=self.rng.uniform(2, 96))
                self.activity(lead, owner, ActivityType.CALL, "Перезвонить: уточнить задачу", when, deadline, False)

    def hand_over(self, lead: Lead, company: Company | None, when: datetime) -> None:
        """Marketing qualifies, sales sells: the director passes marketing's good leads to a sales manager."""
        director = self.users.get("alexey")
        if lead.responsible.username != "irina" or director is None:
            return
        rep = self.owner_for(company.city) if company else self.users[self.pick(["ekaterina", "elena"])]
        services.update_lead(lead, by=director, responsible=rep)
        self.stamps.wrote(lead, when - timedelta(hours=1))

    def activity(
        self, record, owner: User, type_id: int, subject: str, created: datetime, deadline: datetime, done: bool
    ) -> Activity:
        activity = services.plan_activity(record, by=owner, subject=subject, type_id=type_id, deadline=deadline)
        self.stamps.wrote(activity, created)
        values = {"created_at": created, "updated_at": created}
        if done:
            finished = min(self.now, deadline + timedelta(hours=self.rng.uniform(-20, 6)))
            finished = max(finished, created)
            services.complete_activity(activity, by=owner)
            self.stamps.wrote(activity, finished)
            values.update(completed_at=finished, updated_at=finished)
        self.stamps.set(activity, **values)
        return activity

    def deals(self) -> None:
        self.loss_weights = [LOSS_WEIGHTS.get(reason.name, 5) for reason in self.reasons]
        planned = []
        for converted_at, lead, company, furniture in self.converted:
            owner = self.users[lead.responsible.username]
            category = self.workshop if furniture else self.default
            planned.append((converted_at, owner, category, company, [], lead))
        for _ in range(300 - len(self.converted)):
            furniture = self.rng.random() < 0.2
            created = self.at(self.start + timedelta(days=1), self.now - timedelta(hours=3))
            if furniture:
                owner = self.users[
                    self.pick(
                        ["nikolay", "nikolay", "ekaterina", "elena"]
                        if "nikolay" in self.users
                        else ["ekaterina", "elena"]
                    )
                ]
                if self.rng.random() < 0.8 or not self.private:
                    company, contacts = None, [self.pick(self.private)] if self.private else []
                else:
                    company = self.pick(self.company_list)
                    contacts = self.people_of[company.pk][:1]
            elif self.rng.random() < 0.06:
                owner, company = self.users["irina"], self.pick(self.company_list)
                contacts = self.people_of[company.pk][:1]
            else:
                company = self.pick(self.company_list)
                owner = self.users[company.responsible.username]
                contacts = self.people_of[company.pk][: self.pick([1, 1, 2])]
            planned.append((created, owner, self.workshop if furniture else self.default, company, contacts, None))
        for created, owner, category, company, contacts, lead in sorted(planned, key=lambda item: item[0]):
            self.deal(owner, category, created, company, contacts, lead)

    def path(self, pipeline: dict, created: datetime) -> list[tuple[Status, datetime]]:
        """The stages the deal went through, with the time it entered each: most move on, some stall, some lose."""
        process, visits = pipeline["process"], [(pipeline["process"][0], created)]
        index, when = 0, created
        furniture = pipeline["category"].pk != 0
        while True:
            slow = furniture and process[index].name == "Производство"
            dwell = self.rng.uniform(10, 25) if slow else self.rng.uniform(3, 22)
            if self.rng.random() < 0.1:
                dwell *= 4  # a deal that got stuck
            when = when + timedelta(days=dwell)
            if when >= self.now:
                return visits
            if self.rng.random() < (0.07 if furniture else 0.11):
                lost = pipeline["lost"]
                return [*visits, (lost[1] if len(lost) > 1 and self.rng.random() < 0.15 else lost[0], when)]
            index += 2 if self.rng.random() < 0.12 else 1
            if index >= len(process):
                return [*visits, (pipeline["won"], when)]
            visits.append((process[index], when))

    def deal(self, owner: User, category: Category, created: datetime, company, contacts, lead) -> None:
        pipeline = self.pipelines_[category.pk]
        furniture = category.pk != 0
        theme, products = self.pick(FURNITURE_THEMES if furniture else CLOUD_THEMES)
        if company is not None:
            client = company.title
        else:
            client = f"{contacts[0].first_name} {contacts[0].last_name}" if contacts else "частный клиент"
        visits = self.path(pipeline, created)
        if lead is not None:
            deal = self.convert(lead, owner, category, created, company)
        else:
            deal = services.create_deal(
                by=owner,
                title=theme.format(c=client),
                category=category,
                stage=visits[0][0],
                responsible=owner,
                company=company,
                contacts=contacts,
                begin_date=created.date(),
                close_date=(created + timedelta(days=self.rng.randrange(20, 90))).date(),
                amount=Decimal(self.rng.randrange(8, 120) * (5_000 if furniture else 25_000)),
                source=self.status("SOURCE", self.pick(["CALL", "PARTNER", "RECOMMENDATION", "EMAIL", "TRADE_SHOW"])),
                deal_type=self.status(
                    "DEAL_TYPE", "GOODS" if furniture else self.pick(["SALE", "SERVICES", "SERVICE"])
                ),
            )
            self.stamps.wrote(deal, created)
        if self.rng.random() < (0.7 if furniture else 0.4):
            rows = []
            for fragment, low, high in products:
                product = next(item for item in self.products if fragment in item.name)
                rows.append(
                    {
                        "product": product,
                        "quantity": self.rng.randint(low, high),
                        "discount_rate": self.pick([0, 0, 0, 5, 10, 15]),
                    }
                )
            services.set_product_rows(deal, rows, by=owner)
            self.stamps.wrote(deal, created + timedelta(minutes=self.rng.randrange(20, 300)))
        moves = [(created, None)]
        for (stage, entered), (_previous, since) in zip(visits[1:], visits, strict=False):
            reason = None
            if stage.semantics == Semantics.FAILURE:
                reason = self.rng.choices(self.reasons, weights=self.loss_weights)[0]
            comment = self.pick(LOSS_COMMENTS.get(reason.name, [""])) if reason else ""
            services.move_deal(deal, stage, by=owner, loss_reason=reason, loss_comment=comment)
            moves.append((entered, int((entered - since).total_seconds())))
            self.stamps.wrote(deal, entered)
        self.stamps.moves[(EntityType.DEAL, deal.pk)] = moves
        last = visits[-1][1]
        self.stamps.set(deal, created_at=created, moved_at=last, updated_at=last)
        self.deal_activities(deal, owner, visits, furniture)
        self.deal_comments(deal, owner, created, last)

    def convert(self, lead: Lead, owner: User, category: Category, when: datetime, company) -> Deal:
        """The lead becomes a contact and a deal (linked to the company it named, if the manager may read it)."""
        if company is not None and not access.can(owner, "read", company):
            company = None
        result = services.convert_lead(lead, by=owner, company=company, create_company=False, category=category)
        self.stamps.wrote(lead, when)  # the status change
        self.stamps.wrote(lead, when)  # the conversion itself
        if result.contact is not None:
            self.stamps.set(result.contact, created_at=when, updated_at=when)
            self.stamps.wrote(result.contact, when)
        self.stamps.wrote(result.deal, when)
        return result.deal

    def deal_activities(self, deal: Deal, owner: User, visits, furniture: bool) -> None:
        ends = [entered for _stage, entered in visits[1:]] + [self.now]
        for (stage, entered), left in zip(visits, ends, strict=True):
            if stage.semantics != Semantics.PROCESS or self.rng.random() < 0.35:
                continue
            kind = self.pick([ActivityType.CALL, ActivityType.MEETING, ActivityType.TODO], [5, 2, 3])
            subject = self.pick(
                {ActivityType.CALL: CALLS, ActivityType.MEETING: MEETINGS}.get(
                    kind, WORKSHOP_TODOS if furniture else TODOS
                )
            )
            created = self.at(entered, min(left, entered + timedelta(days=2)))
            deadline = created + timedelta(hours=self.rng.uniform(3, 96))
            if left < self.now:
                self.activity(deal, owner, kind, subject, created, deadline, True)
        if deal.closed or self.rng.random() < 0.25:
            return  # a closed deal has nothing planned; a quarter of open ones are forgotten
        entered = visits[-1][1]
        kind = self.pick([ActivityType.CALL, ActivityType.MEETING, ActivityType.TODO], [4, 2, 4])
        subject = self.pick(
            {ActivityType.CALL: CALLS, ActivityType.MEETING: MEETINGS}.get(kind, WORKSHOP_TODOS if furniture else TODOS)
        )
        if self.rng.random() < 0.35:
            deadline = self.at(max(entered, self.now - timedelta(days=12)), self.now - timedelta(hours=1))
        else:
            deadline = self.now + timedelta(hours=self.rng.uniform(2, 14 * 24))
        created = self.at(entered, min(deadline, self.now) - timedelta(minutes=30))
        self.activity(deal, owner, kind, subject, created, deadline, False)

    def deal_comments(self, deal: Deal, owner: User, created: datetime, last: datetime) -> None:
        for _ in range(self.pick([0, 0, 1, 1, 2])):
            author = owner
            if owner.username in SALES and self.rng.random() < 0.3:
                author = self.users["oleg"]
            elif "alexey" in self.users and self.rng.random() < 0.08:
                author = self.users["alexey"]
            comment = services.add_comment(deal, by=author, text=self.pick(COMMENTS))
            when = self.at(created, max(last, created + timedelta(days=3)) if not deal.closed else last)
            self.stamps.set(comment, created_at=min(when, self.now))
            self.stamps.wrote(comment, min(when, self.now))


def _backdate(stamps: _Stamps, first_change: int, first_event: int) -> None:
    """Demo data fabrication: services stamp now(); rewrite the times so the story spans the last six months.

    Only the demo does this. Records, stage history (moved_at, seconds_in_previous), activities, comments, and the
    change sets and events the services wrote are updated in bulk to the times the story chose for them.
    """
    for model, rows in stamps.fields.items():
        names = sorted({name for values in rows.values() for name in values})
        objects = []
        for pk, values in rows.items():
            obj = model(pk=pk)
            for name in names:
                setattr(obj, name, values.get(name))
            objects.append(obj)
        for name in names:  # not every record has every field: update each field over the records that have it
            batch = [obj for obj in objects if rows[obj.pk].get(name) is not None]
            manager = getattr(model, "all_objects", model._default_manager)
            manager.bulk_update(batch, [name], batch_size=500)
    history = []
    for entity_type in (EntityType.DEAL, EntityType.LEAD):
        ids = [entity_id for kind, entity_id in stamps.moves if kind == entity_type]
        rows = defaultdict(list)
        for pk, entity_id in (
            StageHistory.objects.filter(entity_type=entity_type, entity_id__in=ids)
            .order_by("id")
            .values_list("id", "entity_id")
        ):
            rows[entity_id].append(pk)
        for entity_id, pks in rows.items():
            for pk, (moved_at, seconds) in zip(pks, stamps.moves[(entity_type, entity_id)], strict=False):
                history.append(StageHistory(pk=pk, moved_at=moved_at, seconds_in_previous=seconds))
    StageHistory.objects.bulk_update(history, ["moved_at", "seconds_in_previous"], batch_size=500)
    for log, first in ((ChangeSet, first_change), (Event, first_event)):
        updates = []
        for model, writes in stamps.writes.items():
            content_type = ContentType.objects.get_for_model(model)
            rows = defaultdict(list)
            for pk, object_id in (
                log.objects.filter(pk__gt=first, content_type=content_type)
                .order_by("id")
                .values_list("id", "object_id")
            ):
                rows[object_id].append(pk)
            for object_id, times in writes.items():
                for pk, when in zip(rows.get(str(object_id), []), times, strict=False):
                    updates.append(log(pk=pk, created_at=when))
        log.objects.bulk_update(updates, ["created_at"], batch_size=500)


def build(password: str | None) -> list[tuple[str, str, str]]:
    """Create the CRM of the demo company as its people would have, then move it into the past. Logins: none."""
    first_change = ChangeSet.objects.order_by("-id").values_list("id", flat=True).first() or 0
    first_event = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    story = _Story()
    story.tell()
    # The services stamped everything with now(); the story's own times go in afterwards (demo fabrication only).
    _backdate(story.stamps, first_change, first_event)
    return []
