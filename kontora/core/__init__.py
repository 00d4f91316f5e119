"""Shared bones: base models, registry, errors, durable work, the CLI, demo data and env settings."""
