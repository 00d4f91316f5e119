"""What analytics declares at start: the menu entry to the sales analytics landing page, and demo plans."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from kontora.analytics import demo
    from kontora.core.demo import DemoBuilder
    from kontora.core.registry import MenuEntry, registry

    registry.register("menu", "analytics", MenuEntry("analytics", _("Analytics"), "analytics:landing", "analytics",
                                                     order=40))  # fmt: skip
    from kontora.analytics.builder import registration as builder  # plan/fact, report builder, channels, ratings

    builder.register()
    registry.register("demo", "analytics", DemoBuilder(70, demo.build))
