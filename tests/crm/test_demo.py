"""The CRM demo: a database-cluster seller with a furniture workshop, six months of history, built via services."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from kontora.accounts.models import User
from kontora.core import demo
from kontora.core.demo import DemoBuilder
from kontora.core.registry import registry
from kontora.crm import demo as crm_demo
from kontora.crm import selectors
from kontora.crm.choices import EntityType, Semantics
from kontora.crm.models import (
    Activity,
    Category,
    Comment,
    Company,
    Contact,
    Deal,
    Lead,
    MultiField,
    Product,
    ProductRow,
    StageHistory,
)


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    """The demo is built once for this module, inside a transaction rolled back at the end."""
    previous = registry.items("demo").get("crm")
    registry.register("demo", "crm", DemoBuilder(20, crm_demo.build))
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            demo.build("Demo-pass-2026")
            yield
            transaction.set_rollback(True)
    finally:
        if previous is None:
            registry.unregister("demo", "crm")
        else:
            registry.register("demo", "crm", previous)


def test_demo_has_a_company_sized_crm(demo_company, db):
    assert 75 <= Company.objects.count() <= 90
    assert 170 <= Contact.objects.count() <= 240
    assert 130 <= Lead.objects.count() <= 170
    assert 280 <= Deal.objects.count() <= 320
    assert Activity.objects.count() >= 400
    assert Comment.objects.count() >= 100
    assert ProductRow.objects.exists()
    assert set(Product.objects.values_list("vat_rate", flat=True)) == {20}


def test_both_pipelines_have_won_and_lost_deals_with_reasons(demo_company, db):
    workshop = Category.objects.get(name="Мебельная мастерская")

    for category in (Category.objects.get(pk=0), workshop):
        deals = Deal.objects.filter(category=category)
        assert deals.filter(stage__semantics=Semantics.SUCCESS).exists()
        lost = deals.filter(stage__semantics=Semantics.FAILURE)
        assert lost.exists()
        assert not lost.filter(loss_reason__isnull=True).exists()
        assert deals.filter(stage__semantics=Semantics.PROCESS).values("stage").distinct().count() >= 4
    reasons = Counter(Deal.objects.filter(loss_reason__isnull=False).values_list("loss_reason__name", flat=True))
    assert reasons.most_common(1)[0][0] == "Цена"


def test_history_spans_half_a_year_and_activities_are_due_or_overdue(demo_company, db):
    now = timezone.now()
    span = StageHistory.objects.filter(entity_type=EntityType.DEAL).aggregate(
        first=Min("moved_at"), last=Max("moved_at")
    )

    assert span["last"] - span["first"] > timedelta(days=150)
    assert span["first"] > now - timedelta(days=190)
    assert Deal.objects.filter(created_at__lt=now - timedelta(days=120)).exists()
    assert Activity.objects.filter(completed=False, deadline__lt=now).count() >= 10
    assert Activity.objects.filter(completed=False, deadline__gt=now).count() >= 10
    assert Activity.objects.filter(completed=True, completed_at__lt=now - timedelta(days=30)).exists()
    assert selectors.deals_without_activities(User.objects.get(username="oleg")).exists()


def test_leads_come_from_many_sources_and_phones_in_many_formats(demo_company, db):
    assert Lead.objects.values("status").distinct().count() == 5
    assert Lead.objects.exclude(utm_source="").exists()
    assert Lead.objects.values("source").distinct().count() >= 5
    phones = MultiField.objects.filter(entity_type=EntityType.CONTACT, type_id="PHONE")
    assert phones.filter(value__startswith="8").exists() and phones.filter(value__startswith="+7").exists()
    assert all(value.startswith("+79") for value in phones.values_list("normalized", flat=True))


def test_anna_sees_her_own_and_her_departments_deals_but_not_marketings(demo_company, db):
    anna = User.objects.get(username="anna")
    irina_deals = Deal.objects.filter(responsible__username="irina")

    owners = set(selectors.visible_deals(anna).values_list("responsible__username", flat=True))

    assert irina_deals.exists()
    assert owners == {"anna", "ekaterina", "oleg"}
    assert not selectors.visible_deals(anna).filter(pk__in=irina_deals).exists()
