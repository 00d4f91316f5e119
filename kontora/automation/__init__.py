"""Automation: robots and triggers on the stages of deals and leads (business processes come later)."""
