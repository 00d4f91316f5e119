"""Sales analytics screens."""
