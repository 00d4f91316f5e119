"""Showing task text: mentions ([USER=5]Name[/USER] inside sanitized HTML) as links to people; durations."""

import html

from django import template
from django.urls import reverse
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kontora.tasks.services.comments import MENTION

register = template.Library()


def _mention(match) -> str:
    name = html.unescape(strip_tags(match[2])).strip() or match[1]
    return format_html('<a class="mention" href="{}">{}</a>', reverse("accounts:person", args=[int(match[1])]), name)


@register.filter
def task_text(value: str) -> SafeString:
    """Text that the services sanitized on the way in, with its mentions turned into links to the people.
    Only sanitized HTML may come here: the description and comments of tasks."""
    return mark_safe(MENTION.sub(_mention, value or ""))  # noqa: S308 - sanitized on the way in; names escaped


@register.filter
def duration(seconds) -> str:
    """Seconds as "2 h 05 min" (or "0 min")."""
    seconds = int(seconds or 0)
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def clock(seconds) -> str:
    """Seconds as a stopwatch shows them: 1:05:09."""
    seconds = int(seconds or 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
