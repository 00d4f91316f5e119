"""The tabs shared by every task screen."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

TABS = (
    ("list", "tasks:list", _("Tasks")),
    ("deadlines", "tasks:deadline_board", _("Deadlines")),
    ("plan", "tasks:plan", _("My plan")),
    ("calendar", "tasks:calendar", _("Calendar")),
    ("gantt", "tasks:gantt", _("Gantt")),
    ("projects", "tasks:projects", _("Projects")),
    ("templates", "tasks:templates", _("Templates")),
    ("reports", "tasks:reports", _("Reports")),
)


def tabs(current: str) -> list[dict]:
    """The tabs, the current one marked. (While the screens are being built, a missing one is skipped.)"""
    result = []
    for key, url_name, label in TABS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        result.append({"key": key, "url": url, "label": label, "current": key == current})
    return result
