"""Default dictionaries, the default pipeline and loss reasons, as Bitrix24 ships them (names in Russian).

Installed after every migrate (and after a test flush) by `install_defaults`; existing rows are left alone,
so administrators' renames and deletions of non-system entries survive upgrades.
"""

from kontora.crm.choices import Semantics

P, S, F = Semantics.PROCESS, Semantics.SUCCESS, Semantics.FAILURE

DEAL_STAGES = [
    ("NEW", "Новая", "#39A8EF", P),
    ("PREPARATION", "Подготовка документов", "#2FC6F6", P),
    ("PREPAYMENT_INVOICE", "Счёт на предоплату", "#55D0E0", P),
    ("EXECUTING", "В работе", "#47E4C2", P),
    ("FINAL_INVOICE", "Финальный счёт", "#FFA900", P),
    ("WON", "Сделка успешна", "#7BD500", S),
    ("LOSE", "Сделка провалена", "#FF5752", F),
    ("APOLOGY", "Анализ причины провала", "#FF5752", F),
]

DICTIONARIES = {
    "STATUS": [
        ("NEW", "Не обработан", "#39A8EF", P),
        ("IN_PROCESS", "В работе", "#2FC6F6", P),
        ("PROCESSED", "Обработан", "#55D0E0", P),
        ("CONVERTED", "Качественный лид", "#7BD500", S),
        ("JUNK", "Некачественный лид", "#FF5752", F),
    ],
    "SOURCE": [
        ("CALL", "Звонок"),
        ("EMAIL", "Электронная почта"),
        ("WEB", "Веб-сайт"),
        ("ADVERTISING", "Реклама"),
        ("PARTNER", "Существующий клиент"),
        ("RECOMMENDATION", "По рекомендации"),
        ("TRADE_SHOW", "Выставка"),
        ("WEBFORM", "CRM-форма"),
        ("CALLBACK", "Обратный звонок"),
        ("STORE", "Визит в магазин"),
        ("OTHER", "Другое"),
    ],
    "COMPANY_TYPE": [
        ("CUSTOMER", "Клиент"),
        ("SUPPLIER", "Поставщик"),
        ("PARTNER", "Партнёр"),
        ("COMPETITOR", "Конкурент"),
        ("OTHER", "Другое"),
    ],
    "CONTACT_TYPE": [("CLIENT", "Клиент"), ("SUPPLIER", "Поставщик"), ("PARTNER", "Партнёр"), ("OTHER", "Другое")],
    "INDUSTRY": [
        ("IT", "Информационные технологии"),
        ("TELECOM", "Телекоммуникации"),
        ("MANUFACTURING", "Производство"),
        ("BANKING", "Банковские услуги"),
        ("CONSULTING", "Консалтинг"),
        ("FINANCE", "Финансы"),
        ("RETAIL", "Розничная торговля"),
        ("DELIVERY", "Доставка"),
        ("OTHER", "Другое"),
    ],
    "DEAL_TYPE": [
        ("SALE", "Продажа"),
        ("COMPLEX", "Комплексная продажа"),
        ("GOODS", "Продажа товара"),
        ("SERVICES", "Продажа услуги"),
        ("SERVICE", "Сервисное обслуживание"),
    ],
}

LOSS_REASONS = ["Цена", "Выбрали конкурента", "Нет бюджета", "Не выходит на связь", "Нет потребности", "Другое"]


def install_defaults(**kwargs) -> None:
    """post_migrate receiver: create what is missing, touch nothing that exists."""
    from kontora.crm.models import Category, LossReason, Status

    default, _ = Category.objects.get_or_create(id=0, defaults={"name": "Продажи", "is_default": True, "sort": 10})
    for sort, (code, name, color, semantics) in enumerate(DEAL_STAGES, start=1):
        Status.objects.get_or_create(
            entity_id="DEAL_STAGE", status_id=code,
            defaults={"name": name, "color": color, "semantics": semantics, "sort": sort * 10, "category": default,
                      "system": code in {"NEW", "WON", "LOSE"}},
        )  # fmt: skip
    for entity_id, rows in DICTIONARIES.items():
        for sort, row in enumerate(rows, start=1):
            code, name, *rest = row
            color, semantics = rest if rest else ("", P)
            Status.objects.get_or_create(
                entity_id=entity_id, status_id=code,
                defaults={"name": name, "color": color, "semantics": semantics, "sort": sort * 10,
                          "system": entity_id == "STATUS" and code in {"NEW", "CONVERTED", "JUNK"}},
            )  # fmt: skip
    if not LossReason.objects.exists():
        LossReason.objects.bulk_create(LossReason(name=name, sort=i * 10) for i, name in enumerate(LOSS_REASONS, 1))
