"""Task and project services: every write checks the gate, records history and emits an event."""
