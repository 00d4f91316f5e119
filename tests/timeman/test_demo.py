"""The demo company's absences: a sales manager is on vacation today, so robots skip her."""

from datetime import timedelta

from django.utils import timezone

from kontora.accounts import demo as accounts_demo
from kontora.accounts.models import User
from kontora.timeman import demo
from kontora.timeman.models import Absence
from kontora.timeman.selectors import absent_user_ids


def test_a_sales_manager_is_away_today(db):
    accounts_demo.build("Demo-pass-2026")

    demo.build(None)

    sales = User.objects.filter(position="Менеджер по продажам")
    away = absent_user_ids(sales.values_list("pk", flat=True), timezone.now())
    assert [User.objects.get(pk=pk).username for pk in away] == ["ekaterina"]
    assert Absence.objects.count() == len(demo.ABSENCES)
    later = absent_user_ids(sales.values_list("pk", flat=True), timezone.now() + timedelta(days=30))
    assert later == set()
