"""Customer satisfaction: a won deal e-mails a signed rating link; averages per person over what the viewer sees."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kontora.analytics import services
from kontora.analytics.models import RatingRequest
from kontora.analytics.selectors_builder import satisfaction
from kontora.crm import services as crm
from kontora.events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


def _win(owner, email: str | None, capture) -> RatingRequest:
    contact = factories.make_contact(by=owner, emails=[email] if email else [])
    deal = factories.make_deal(by=owner, amount=Decimal(100), contacts=[contact])
    with capture(execute=True):
        crm.move_deal(deal, factories.stage("WON"), by=owner)
    return RatingRequest.objects.get(deal=deal)


def test_a_won_deal_mails_its_contact_a_link_that_takes_one_to_five_stars(org, django_capture_on_commit_callbacks):
    request = _win(org.sales_rep, "client@example.test", django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["client@example.test"]
    link = re.search(r"https?://\S+/analytics/rate/(\S+)/", mail.outbox[0].body)
    assert link is not None
    request.refresh_from_db()
    assert request.sent_at is not None and request.responsible == org.sales_rep

    client = Client()
    page = client.get(reverse("analytics:rate", args=[link.group(1)]))
    assert page.status_code == 200
    answer = client.post(reverse("analytics:rate", args=[link.group(1)]), {"rating": "4", "comment": "Спасибо"})
    assert answer.status_code == 200
    request.refresh_from_db()
    assert (request.rating, request.comment) == (4, "Спасибо")
    assert client.post(reverse("analytics:rate", args=[link.group(1)]), {"rating": "9"}).status_code == 200
    request.refresh_from_db()
    assert request.rating == 4
    assert Event.objects.filter(name="analytics.deal.rated").count() == 1


def test_a_forged_link_is_not_found_and_a_deal_is_asked_once(org, django_capture_on_commit_callbacks):
    request = _win(org.sales_rep, None, django_capture_on_commit_callbacks)
    assert request.email == "" and len(mail.outbox) == 0
    token = services.rating_token(request)
    assert Client().get(reverse("analytics:rate", args=[token[:-2] + "xx"])).status_code == 404
    assert services.request_rating(request.deal) is None


def test_satisfaction_averages_match_bare_sql_and_follow_the_gate(org, django_capture_on_commit_callbacks):
    given = [(org.sales_rep, 5), (org.sales_rep, 3), (org.kazan_rep, 2), (org.marketing_rep, 4)]
    for owner, stars in given:
        request = _win(owner, f"{owner.username}@client.test", django_capture_on_commit_callbacks)
        services.rate(request, rating=stars)
    unrated = _win(org.sales_rep, "late@client.test", django_capture_on_commit_callbacks)
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(minutes=1)

    everyone = satisfaction(org.admin, start, end)
    with connection.cursor() as cursor:
        cursor.execute("SELECT responsible_id, AVG(rating), COUNT(*) FROM analytics_ratingrequest "
                       "WHERE rating IS NOT NULL GROUP BY responsible_id")  # fmt: skip
        expected = {pk: (float(average), count) for pk, average, count in cursor.fetchall()}
    assert {pk: (row["average"], row["count"]) for pk, row in everyone["people"].items()} == expected
    assert everyone["average"] == pytest.approx(14 / 4) and everyone["count"] == 4
    assert everyone["requests"] == 5 and unrated.rating is None

    rep_view = satisfaction(org.sales_rep, start, end)  # his department: his own deals, not Kazan's or Marketing's
    assert rep_view["people"] == {org.sales_rep.pk: {"average": 4.0, "count": 2}}
    only_kazan = satisfaction(org.sales_head, start, end, users=[org.kazan_rep])
    assert only_kazan["average"] == 2.0 and only_kazan["count"] == 1
    assert satisfaction(org.admin, end, end + timedelta(days=1))["count"] == 0


def test_the_kpi_screen_and_its_export_show_satisfaction_for_both_periods(org, django_capture_on_commit_callbacks):
    for stars in (5, 4):
        request = _win(org.sales_rep, "client@client.test", django_capture_on_commit_callbacks)
        services.rate(request, rating=stars)
    client = Client()
    client.force_login(org.admin)

    page = client.get(reverse("analytics:kpi")).content.decode()
    export = client.get(reverse("analytics:kpi"), {"export": "csv"}).content.decode("utf-8-sig")

    row = re.search(r'<tr data-kpi="satisfaction"><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>', page)
    assert row is not None and row.groups() == ("Удовлетворённость клиентов, из 5", "4,5", "—")
    assert "Удовлетворённость клиентов, из 5;4.5;" in export
