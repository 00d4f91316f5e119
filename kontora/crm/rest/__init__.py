"""The CRM's REST methods (Bitrix24 names), registered when the rest app autodiscovers `rest` modules."""

from kontora.crm.rest import activities, dictionaries, dictionaries_links, items, products, records, userfields  # noqa: F401
