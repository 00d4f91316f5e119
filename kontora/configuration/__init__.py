"""Configuration as code: export what administrators configured to YAML/BPMN files and apply such a folder."""


def register() -> None:
    """Register the sections of the apps built in; called once at start (from automation's registration)."""
    from kontora.configuration import sections_accounts, sections_automation, sections_crm, sections_fields
    from kontora.configuration.sections import register as add

    for section in (
        *sections_crm.SECTIONS,
        *sections_fields.SECTIONS,
        *sections_accounts.SECTIONS,
        *sections_automation.SECTIONS,
    ):
        add(section)
