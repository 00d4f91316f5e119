"""What lists declares at start: lists and elements for the gate, element events, the menu entry."""

from django.utils.translation import gettext_lazy as _

from kontora import events
from kontora.accounts import access
from kontora.accounts.models import Level, Role

# Lists are company configuration: everyone reads them, administrators change them.
LIST_PRESETS = {
    preset: {"read": Level.ALL, "add": Level.NONE, "update": Level.NONE, "delete": Level.NONE, "export": Level.NONE,
             "import": Level.NONE}
    for preset in (Role.Preset.EMPLOYEE, Role.Preset.HEAD)
}  # fmt: skip
# An employee reads his own elements, a head his departments' (and the lists' chosen readers theirs, through the
# audience); each changes only his own.
ELEMENT_PRESETS = {
    Role.Preset.EMPLOYEE: {"read": Level.OWN, "export": Level.OWN},
    Role.Preset.HEAD: {"read": Level.SUBTREE, "export": Level.SUBTREE, "add": Level.OWN, "update": Level.OWN,
                       "delete": Level.OWN, "import": Level.NONE},
}  # fmt: skip
EVENT_TYPES = [
    ("lists.element.created", _("List element added")),
    ("lists.element.updated", _("List element changed")),
    ("lists.element.deleted", _("List element deleted")),
]


def register() -> None:
    from kontora.core.demo import DemoBuilder
    from kontora.core.registry import MenuEntry, registry
    from kontora.lists import demo, selectors
    from kontora.lists.models import ListElement, UniversalList

    access.register_entity(access.EntityType(key="lists.list", model=UniversalList, owner="created_by",
                                             presets=LIST_PRESETS))  # fmt: skip
    access.register_entity(access.EntityType(
        key="lists.element", model=ListElement, owner="created_by", presets=ELEMENT_PRESETS,
        audience=selectors.element_audience,
    ))  # fmt: skip
    for name, label in EVENT_TYPES:
        events.declare(name, label)
    registry.register("menu", "lists", MenuEntry("lists", _("Lists"), "lists:directory", "tasks", order=60))
    registry.register("demo", "lists", DemoBuilder(45, demo.build))
