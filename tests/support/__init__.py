"""Test-only app: a small owned model for the gate's matrix, jobs and mail backends used by process tests."""
