from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "tests.support"
    label = "support"

    def ready(self) -> None:
        from kontora.accounts import access
        from tests.support.models import Memo

        access.register_entity(access.EntityType(key="support.memo", model=Memo, owner="responsible"))
