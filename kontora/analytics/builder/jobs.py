"""Analytics background work: e-mailing rating requests (durable) and telling open walls to refresh."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kontora.accounts import access
from kontora.accounts.models import User
from kontora.analytics.models import RatingRequest, WallScreen
from kontora.core import durable
from kontora.crm import selectors as crm_selectors
from kontora.crm.models import Activity
from kontora.events import realtime

WALL_KIND = "analytics_wall"
WALL_REFETCH = timedelta(minutes=5)  # an open wall re-fetches its figures this often anyway
WALL_OPEN = 3 * WALL_REFETCH  # not seen for longer: closed


@task
def send_rating_request(pk: int) -> bool:
    return durable.perform(RatingRequest, pk, _send)


def _send(row: RatingRequest) -> None:
    from kontora.analytics.services import rating_token

    with translation.override(settings.LANGUAGE_CODE):
        link = settings.SITE_URL.rstrip("/") + reverse("analytics:rate", args=[rating_token(row)])
        send_mail(
            subject=_("How did we do? %(deal)s") % {"deal": row.deal.title[:80]},
            message=_("Thank you for your business. Please rate our work from 1 to 5 stars:\n\n%(link)s\n")
            % {"link": link},  # fmt: skip
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[row.email],
        )
    RatingRequest.objects.filter(pk=row.pk).update(sent_at=timezone.now())


@task
def push_wall_refresh(model: str, pk: int) -> int:
    """Tell the walls open now, of those who may read this deal or activity, to re-fetch their own figures."""
    recipients = []
    watching = WallScreen.objects.filter(seen_at__gte=timezone.now() - WALL_OPEN).values("user_id")
    for user in User.objects.filter(is_active=True, pk__in=watching).order_by("pk"):
        if model == "deal":
            seen = crm_selectors.visible_deals(user).filter(pk=pk).exists()
        else:
            seen = access.visible(user, Activity).filter(pk=pk).exists()
        if seen:
            recipients.append(user.pk)
    realtime.push(recipients, WALL_KIND, {"refresh": True})
    return len(recipients)


durable.register(RatingRequest, send_rating_request)
