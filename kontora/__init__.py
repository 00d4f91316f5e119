"""Kontora: an open-source, self-hosted business suite."""
