"""Shared UI: the layout shell, navigation, search, notifications bell, language switch and the WebSocket."""
