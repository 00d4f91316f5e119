"""The REST API, wire-compatible with Bitrix24's: webhooks and OAuth apps, the method registry, batch, events."""
