from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kontora.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kontora import events
        from kontora.accounts import access, demo, selectors, subscribers
        from kontora.accounts.models import Level, Role, User
        from kontora.core.demo import DemoBuilder
        from kontora.core.registry import MenuEntry, SearchProvider, registry

        # The people directory is open to every employee; only admins edit other people's profiles.
        everyone_reads = {"read": Level.ALL}
        access.register_entity(
            access.EntityType(
                key="accounts.user",
                model=User,
                owner="",
                actions=("read", "update", "add", "delete", "export"),
                presets={
                    Role.Preset.EMPLOYEE: {
                        **everyone_reads,
                        "update": Level.OWN,
                        "add": Level.NONE,
                        "delete": Level.NONE,
                        "export": Level.NONE,
                    },
                    Role.Preset.HEAD: {
                        **everyone_reads,
                        "update": Level.OWN,
                        "add": Level.NONE,
                        "delete": Level.NONE,
                        "export": Level.SUBTREE,
                    },
                    Role.Preset.READ_ONLY: everyone_reads,
                },
            )
        )
        registry.register("menu", "company", MenuEntry("company", _("Company"), "accounts:org_chart", "org", order=80))
        registry.register(
            "menu",
            "settings",
            MenuEntry(
                "settings",
                _("Settings"),
                "accounts:settings",
                "settings",
                order=900,
                visible=lambda user: selectors.is_administrator(user),
            ),
        )
        registry.register("search_providers", "people", SearchProvider("people", _("People"), selectors.search_people))
        registry.register("demo", "accounts", DemoBuilder(10, demo.build))
        events.declare("accounts.user.created", _("Employee added"), "ONUSERADD")
        events.declare("accounts.user.updated", _("Employee profile changed"))
        events.declare("accounts.department.created", _("Department added"))
        events.declare("accounts.department.updated", _("Department changed"))
        events.declare("accounts.department.deleted", _("Department deleted"))
        events.subscribe("accounts.user.updated", subscribers.tell_user_about_profile_change)
