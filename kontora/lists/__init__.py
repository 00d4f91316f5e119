"""Universal lists."""
