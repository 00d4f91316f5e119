"""What the CRM declares at start: its entities for the gate, its event types, search and the counters."""

from django.utils.translation import gettext_lazy as _

from kontora import events
from kontora.accounts import access
from kontora.core.registry import Counter, MenuEntry, SearchProvider, registry

EVENT_TYPES = [
    # name, label, Bitrix24 REST event
    ("crm.lead.created", _("Lead created"), "ONCRMLEADADD"),
    ("crm.lead.updated", _("Lead changed"), "ONCRMLEADUPDATE"),
    ("crm.lead.deleted", _("Lead deleted"), "ONCRMLEADDELETE"),
    ("crm.lead.restored", _("Lead restored"), ""),
    ("crm.lead.purged", _("Lead deleted for good"), ""),
    ("crm.lead.converted", _("Lead converted"), "ONCRMLEADUPDATE"),
    ("crm.deal.created", _("Deal created"), "ONCRMDEALADD"),
    ("crm.deal.updated", _("Deal changed"), "ONCRMDEALUPDATE"),
    ("crm.deal.stage_changed", _("Deal moved to another stage"), "ONCRMDEALUPDATE"),
    ("crm.deal.deleted", _("Deal deleted"), "ONCRMDEALDELETE"),
    ("crm.deal.restored", _("Deal restored"), ""),
    ("crm.deal.purged", _("Deal deleted for good"), ""),
    ("crm.contact.created", _("Contact created"), "ONCRMCONTACTADD"),
    ("crm.contact.updated", _("Contact changed"), "ONCRMCONTACTUPDATE"),
    ("crm.contact.deleted", _("Contact deleted"), "ONCRMCONTACTDELETE"),
    ("crm.contact.restored", _("Contact restored"), ""),
    ("crm.contact.purged", _("Contact deleted for good"), ""),
    ("crm.company.created", _("Company created"), "ONCRMCOMPANYADD"),
    ("crm.company.updated", _("Company changed"), "ONCRMCOMPANYUPDATE"),
    ("crm.company.deleted", _("Company deleted"), "ONCRMCOMPANYDELETE"),
    ("crm.company.restored", _("Company restored"), ""),
    ("crm.company.purged", _("Company deleted for good"), ""),
    ("crm.activity.created", _("Activity planned"), "ONCRMACTIVITYADD"),
    ("crm.activity.updated", _("Activity changed"), "ONCRMACTIVITYUPDATE"),
    ("crm.activity.completed", _("Activity done"), "ONCRMACTIVITYUPDATE"),
    ("crm.activity.deleted", _("Activity deleted"), "ONCRMACTIVITYDELETE"),
    ("crm.comment.created", _("Comment added"), "ONCRMTIMELINECOMMENTADD"),
    ("crm.comment.updated", _("Comment changed"), "ONCRMTIMELINECOMMENTUPDATE"),
    ("crm.comment.deleted", _("Comment deleted"), "ONCRMTIMELINECOMMENTDELETE"),
    ("crm.category.created", _("Pipeline created"), "ONCRMDEALCATEGORYADD"),
    ("crm.category.updated", _("Pipeline changed"), "ONCRMDEALCATEGORYUPDATE"),
    ("crm.stage.created", _("Stage added"), ""),
    ("crm.stage.updated", _("Stage changed"), ""),
    ("crm.stage.reordered", _("Stages reordered"), ""),
    ("crm.stage.deleted", _("Stage deleted"), ""),
]


def register() -> None:
    from django.db.models.signals import post_migrate

    from kontora.accounts.selectors import is_administrator
    from kontora.core.demo import DemoBuilder
    from kontora.crm import defaults, demo, search
    from kontora.crm.models import Activity, Company, Contact, Deal, Lead
    from kontora.crm.selectors import overdue_activity_count

    for key, model in (
        ("crm.lead", Lead),
        ("crm.deal", Deal),
        ("crm.contact", Contact),
        ("crm.company", Company),
        ("crm.activity", Activity),
    ):
        access.register_entity(access.EntityType(key=key, model=model, owner="responsible"))
    for name, label, bitrix_name in EVENT_TYPES:
        events.declare(name, label, bitrix_name)
    registry.register("search_providers", "crm", SearchProvider("crm", _("CRM"), search.search))
    for key, label, url_name, order in (
        ("crm_deals", _("Deals"), "crm:deal_kanban", 10),
        ("crm_leads", _("Leads"), "crm:lead_list", 11),
        ("crm_contacts", _("Contacts"), "crm:contact_list", 12),
        ("crm_companies", _("Companies"), "crm:company_list", 13),
        ("crm_activities", _("My activities"), "crm:activities", 14),
        ("crm_products", _("Product catalogue"), "crm:products", 15),
    ):
        registry.register("menu", key, MenuEntry(key, label, url_name, "crm", order=order))
    registry.register(
        "menu", "crm_settings",
        MenuEntry("crm_settings", _("CRM settings"), "crm:pipeline_settings", "settings", order=890,
                  visible=lambda user: is_administrator(user)),
    )  # fmt: skip
    registry.register(
        "menu", "crm_fields",
        MenuEntry("crm_fields", _("Custom fields"), "crm:custom_fields", "settings", order=891,
                  visible=lambda user: is_administrator(user)),
    )  # fmt: skip
    registry.register(
        "counters", "crm_activities",
        Counter("crm_activities", _("Overdue activities"), "crm:activities",
                lambda user: overdue_activity_count(user.pk)),
    )  # fmt: skip
    registry.register("demo", "crm", DemoBuilder(20, demo.build))
    post_migrate.connect(_install_defaults, dispatch_uid="kontora.crm.defaults")
    del defaults


def _install_defaults(sender, **kwargs) -> None:
    from kontora.crm.defaults import install_defaults

    if sender.label == "crm":
        install_defaults()
