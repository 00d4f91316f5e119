"""Reactions to account events: people hear when someone else changed their profile or access."""

from django.utils.translation import gettext as _

from kontora.accounts.models import User
from kontora.events.models import Event
from kontora.events.notifications import notify, render_for


def tell_user_about_profile_change(event: Event) -> None:
    user = User.objects.filter(pk=event.object_id).first()
    if user is None or event.actor_id in (None, user.pk):
        return
    names = sorted(event.data.get("changes", {}))

    def message() -> str:
        labels = ", ".join(str(User._meta.get_field(name).verbose_name) for name in names)
        return _("%(actor)s changed your profile: %(fields)s") % {"actor": event.actor.full_name, "fields": labels}

    notify(user, render_for(user, message), link=user.get_absolute_url(), by=event.actor)
