"""The filter language: Bitrix24's prefixes over a field map, parsed once into Q for REST, lists and segments."""

import ast
import zoneinfo
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kontora.core import filters
from kontora.core.errors import Invalid
from kontora.crm import schema, services
from kontora.crm.choices import EntityType
from kontora.crm.models import Deal, FieldDefinition
from tests.factories import make_company, make_contact, make_deal, stage

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def titles(bitrix_filter: dict, fields=None) -> list[str]:
    fields = fields if fields is not None else schema.fields_of("deal")
    return sorted(filters.apply(Deal.objects.all(), bitrix_filter, fields).values_list("title", flat=True))


@pytest.fixture
def deals(org):
    """Three deals of Anna's: a small new one, a big won one with a company, an empty-amount one in preparation."""
    rep = org.sales_rep
    vector = make_company("Вектор", by=rep)
    small = make_deal("Иванов и партнёры", by=rep, amount=Decimal("1500.50"))
    big = make_deal("Поставка серверов", by=rep, amount=Decimal("900000"), company=vector)
    services.move_deal(big, stage("WON"), by=rep)
    idle = make_deal("Консалтинг_2025", by=rep, amount=Decimal("0"))
    services.move_deal(idle, stage("PREPARATION"), by=rep)
    return small, big, idle


def test_equal_not_equal_and_a_list_means_in(deals):
    assert titles({"STAGE_ID": "WON"}) == ["Поставка серверов"]
    assert titles({"=STAGE_ID": ["WON", "PREPARATION"]}) == ["Консалтинг_2025", "Поставка серверов"]
    assert titles({"!STAGE_ID": "WON"}) == ["Иванов и партнёры", "Консалтинг_2025"]
    assert titles({"!=STAGE_ID": ["WON", "PREPARATION"]}) == ["Иванов и партнёры"]


def test_comparisons_on_numbers(deals):
    assert titles({">OPPORTUNITY": "1500.50"}) == ["Поставка серверов"]
    assert titles({">=OPPORTUNITY": 1500.5}) == ["Иванов и партнёры", "Поставка серверов"]
    assert titles({"<OPPORTUNITY": "1500,50"}) == ["Консалтинг_2025"]
    assert titles({"<=OPPORTUNITY": Decimal("1500.50")}) == ["Иванов и партнёры", "Консалтинг_2025"]


def test_in_and_not_in(deals):
    small, big, _idle = deals

    assert titles({"@ID": [small.pk, big.pk]}) == ["Иванов и партнёры", "Поставка серверов"]
    assert titles({"@ID": f"{small.pk},{big.pk}"}) == ["Иванов и партнёры", "Поставка серверов"]
    assert titles({"!@ID": [small.pk]}) == ["Консалтинг_2025", "Поставка серверов"]
    assert titles({"@ID": {"0": str(small.pk)}}) == ["Иванов и партнёры"]  # PHP-style filter[@ID][0]=…


def test_empty_lists_match_nothing_or_everything(deals):
    assert titles({"@ID": []}) == []
    assert titles({"@ID": [""]}) == []  # b24pysdk sends an empty list as key[]=
    assert len(titles({"!@ID": []})) == 3


def test_contains_ignores_case_in_cyrillic(deals):
    assert titles({"%TITLE": "иванов"}) == ["Иванов и партнёры"]
    assert titles({"%TITLE": "ПОСТАВКА"}) == ["Поставка серверов"]
    assert titles({"!%TITLE": "иванов"}) == ["Консалтинг_2025", "Поставка серверов"]
    assert titles({"%TITLE": ["иванов", "серверов"]}) == ["Иванов и партнёры", "Поставка серверов"]


def test_like_with_percent_wildcards(deals):
    assert titles({"=%TITLE": "иван%"}) == ["Иванов и партнёры"]
    assert titles({"%=TITLE": "%серверов"}) == ["Поставка серверов"]
    assert titles({"=%TITLE": "серверов"}) == []  # no wildcard: the whole title
    assert titles({"=%TITLE": "консалтинг_%"}) == ["Консалтинг_2025"]  # "_" is an ordinary character
    assert titles({"=%TITLE": "консалтингX%"}) == []
    assert titles({"!=%TITLE": "иван%"}) == ["Консалтинг_2025", "Поставка серверов"]
    assert titles({"!%=TITLE": "%серверов"}) == ["Иванов и партнёры", "Консалтинг_2025"]


def test_between_and_not_between(deals):
    assert titles({"><OPPORTUNITY": [1000, 900000]}) == ["Иванов и партнёры", "Поставка серверов"]
    assert titles({"!><OPPORTUNITY": ["1000", "900000"]}) == ["Консалтинг_2025"]
    assert titles({"><OPPORTUNITY": ["", 1000]}) == ["Консалтинг_2025"]  # an open end


def test_empty_value_means_not_filled_in(deals):
    assert titles({"COMPANY_ID": ""}) == ["Иванов и партнёры", "Консалтинг_2025"]
    assert titles({"COMPANY_ID": 0}) == ["Иванов и партнёры", "Консалтинг_2025"]  # as Bitrix24 sends "no company"
    assert titles({"!COMPANY_ID": False}) == ["Поставка серверов"]
    assert titles({"COMMENTS": ""}) == titles({})
    assert len(titles({">OPPORTUNITY": ""})) == 3  # a blank comparison is no condition


def test_booleans_take_y_and_n(deals):
    assert titles({"CLOSED": "Y"}) == ["Поставка серверов"]
    assert titles({"CLOSED": "N"}) == ["Иванов и партнёры", "Консалтинг_2025"]
    assert titles({"CLOSED": False}) == ["Иванов и партнёры", "Консалтинг_2025"]
    assert titles({"CLOSED": 1}) == ["Поставка серверов"]


def backdated(deal, created_at: datetime):
    """The services stamp "now"; a test about dates needs other days."""
    type(deal).objects.filter(pk=deal.pk).update(created_at=created_at)
    deal.refresh_from_db()
    return deal


def test_a_date_on_a_datetime_field_means_the_whole_local_day(org):
    late = backdated(make_deal("Поздно вечером", by=org.sales_rep), datetime(2025, 1, 31, 23, 30, tzinfo=MOSCOW))
    backdated(make_deal("Ночью", by=org.sales_rep), datetime(2025, 2, 1, 0, 30, tzinfo=MOSCOW))

    assert titles({"DATE_CREATE": "2025-01-31"}) == ["Поздно вечером"]
    assert titles({"<=DATE_CREATE": "31.01.2025"}) == ["Поздно вечером"]
    assert titles({">DATE_CREATE": "2025-01-31"}) == ["Ночью"]
    assert titles({"<DATE_CREATE": "2025-02-01"}) == ["Поздно вечером"]
    assert titles({"><DATE_CREATE": ["2025-01-31", "2025-01-31"]}) == ["Поздно вечером"]
    assert titles({">=DATE_CREATE": "2025-01-31T23:45:00+03:00"}) == ["Ночью"]
    assert titles({">=DATE_CREATE": "31.01.2025 23:00"}) == ["Ночью", "Поздно вечером"]
    assert titles({"!DATE_CREATE": "2025-01-31"}) == ["Ночью"]
    assert late.created_at.date().isoformat() == "2025-01-31"


def test_date_fields_compare_dates(org):
    make_deal("Весной", by=org.sales_rep, close_date=datetime(2025, 4, 1, tzinfo=MOSCOW).date())
    make_deal("Без срока", by=org.sales_rep)

    assert titles({"<CLOSEDATE": "2025-05-01"}) == ["Весной"]
    assert titles({"CLOSEDATE": "01.04.2025"}) == ["Весной"]
    assert titles({"CLOSEDATE": ""}) == ["Без срока"]


def test_stage_codes_of_other_pipelines_carry_their_prefix(org):
    pipeline = services.create_category(by=org.admin, name="Тендеры")
    make_deal("Тендер", by=org.sales_rep, category=pipeline)
    make_deal("Обычная", by=org.sales_rep)

    assert titles({"STAGE_ID": f"C{pipeline.pk}:NEW"}) == ["Тендер"]
    assert titles({"CATEGORY_ID": 0}) == ["Обычная"]  # 0 is the default pipeline, not "empty"
    assert titles({"STAGE_SEMANTIC_ID": "P", "CATEGORY_ID": pipeline.pk}) == ["Тендер"]


def test_nested_groups_with_or_logic(deals):
    either = {"0": {"LOGIC": "OR", "%TITLE": "иванов", ">OPPORTUNITY": 100000}}
    assert titles(either) == ["Иванов и партнёры", "Поставка серверов"]
    assert titles({**either, "CLOSED": "N"}) == ["Иванов и партнёры"]


def test_names_match_upper_case_and_camel_case(deals):
    assert titles({"stageId": "WON"}) == ["Поставка серверов"]
    assert titles({">opportunity": 1000000}) == []


def test_unknown_field_is_named(deals):
    with pytest.raises(Invalid) as error:
        titles({">=NO_SUCH_FIELD": 1})

    assert (error.value.code, error.value.field) == ("UNKNOWN_FIELD", "NO_SUCH_FIELD")
    assert "NO_SUCH_FIELD" in error.value.message


@pytest.mark.parametrize(
    ("bitrix_filter", "code", "field"),
    [
        pytest.param({">OPPORTUNITY": "много"}, "BAD_VALUE", "OPPORTUNITY", id="not_a_number_case"),
        pytest.param({"ID": "1.5x"}, "BAD_VALUE", "ID", id="not_an_integer_case"),
        pytest.param({"CLOSED": "maybe"}, "BAD_VALUE", "CLOSED", id="not_y_or_n_case"),
        pytest.param({">DATE_CREATE": "вчера"}, "BAD_VALUE", "DATE_CREATE", id="not_a_date_case"),
        pytest.param({"><OPPORTUNITY": [1]}, "BAD_VALUE", "OPPORTUNITY", id="between_one_value_case"),
        pytest.param({">ID": [1, 2]}, "BAD_VALUE", "ID", id="compare_with_list_case"),
        pytest.param({"%STAGE_ID": "NE"}, "BAD_OPERATOR", "STAGE_ID", id="like_on_status_case"),
        pytest.param({">CLOSED": "Y"}, "BAD_OPERATOR", "CLOSED", id="compare_boolean_case"),
        pytest.param({"STAGE_SEMANTIC_ID": "X"}, "BAD_VALUE", "STAGE_SEMANTIC_ID", id="unknown_code_case"),
    ],
)
def test_bad_values_name_the_field(deals, bitrix_filter, code, field):
    with pytest.raises(Invalid) as error:
        titles(bitrix_filter)

    assert (error.value.code, error.value.field) == (code, field)


def test_custom_fields_filter_inside_the_json_column(org):
    for code, kind in (("UF_CRM_COLOR", "string"), ("UF_CRM_SEATS", "double"), ("UF_CRM_VIP", "boolean")):
        FieldDefinition.objects.create(entity_type=EntityType.DEAL, code=code, kind=kind, label_ru=code)
    rep = org.sales_rep
    make_deal("Синяя", by=rep, custom={"UF_CRM_COLOR": "Тёмно-синий", "UF_CRM_SEATS": 12, "UF_CRM_VIP": True})
    make_deal("Красная", by=rep, custom={"UF_CRM_COLOR": "Красный", "UF_CRM_SEATS": 3, "UF_CRM_VIP": False})
    make_deal("Без полей", by=rep)

    assert titles({"%UF_CRM_COLOR": "СИНИЙ"}) == ["Синяя"]
    assert titles({"UF_CRM_COLOR": "Красный"}) == ["Красная"]
    assert titles({"!UF_CRM_COLOR": "Красный"}) == ["Без полей", "Синяя"]
    assert titles({">UF_CRM_SEATS": 5}) == ["Синяя"]
    assert titles({"><UF_CRM_SEATS": [1, 5]}) == ["Красная"]
    assert titles({"UF_CRM_VIP": "Y"}) == ["Синяя"]
    assert titles({"UF_CRM_COLOR": ""}) == ["Без полей"]
    with pytest.raises(Invalid) as error:
        titles({"UF_CRM_NOPE": 1})
    assert error.value.field == "UF_CRM_NOPE"


def test_to_many_conditions_do_not_repeat_rows(org):
    rep = org.sales_rep
    first, second = make_contact("Петров", by=rep), make_contact("Сидоров", by=rep)
    make_deal("Двое", by=rep, contacts=[first, second])

    assert titles({"@CONTACT_IDS": [first.pk, second.pk]}) == ["Двое"]
    assert titles({"!CONTACT_ID": first.pk}) == []


def test_ordering_follows_bitrix_order(deals):
    fields = schema.fields_of("deal")
    by_amount = Deal.objects.order_by(*filters.ordering({"OPPORTUNITY": "desc"}, fields))

    assert [deal.title for deal in by_amount][0] == "Поставка серверов"
    with pytest.raises(Invalid):
        filters.ordering({"OPPORTUNITY": "UP"}, fields)


def test_core_filters_import_no_kontora_app():
    source = Path(filters.__file__).read_text(encoding="utf-8")
    modules = [node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom) and node.module]
    modules += [
        alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import) for alias in node.names
    ]

    assert [name for name in modules if name.startswith("kontora") and not name.startswith("kontora.core")] == []
