"""The tabs shared by every task screen."""

from django.urls import reverse
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
    ("team", "tasks:team_counters", _("Team")),
)


def tabs(current: str) -> list[dict]:
    """The tabs, the current one marked."""
    return [
        {"key": key, "url": reverse(url_name), "label": label, "current": key == current}
        for key, url_name, label in TABS
    ]
