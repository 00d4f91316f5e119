"""What timeman declares at start: the absence entity for the gate, its events, the menu entry and demo data."""

from django.utils.translation import gettext_lazy as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import Level, Role

# The absence chart is open to everyone (as in Bitrix24); administrators and heads (for their departments) put
# absences on it, employees' own vacations arrive through the vacation process.
ABSENCE_PRESETS = {
    Role.Preset.EMPLOYEE: {"read": Level.ALL, "add": Level.NONE, "update": Level.NONE, "delete": Level.NONE,
                           "export": Level.ALL},
    Role.Preset.HEAD: {"read": Level.ALL, "export": Level.ALL},
}  # fmt: skip


def register() -> None:
    from kontora.core.demo import DemoBuilder
    from kontora.core.registry import MenuEntry, registry
    from kontora.timeman import demo
    from kontora.timeman.models import Absence

    access.register_entity(access.EntityType(key="timeman.absence", model=Absence, owner="user",
                                             presets=ABSENCE_PRESETS))  # fmt: skip
    events.declare("timeman.absence.created", _("Absence added"))
    events.declare("timeman.absence.deleted", _("Absence removed"))
    registry.register(
        "menu", "absences", MenuEntry("absences", _("Absence chart"), "timeman:absences", "org", order=81)
    )
    registry.register("demo", "timeman", DemoBuilder(40, demo.build))
