"""The one place that reads process configuration from the environment (12-factor), with embedded defaults."""

import os
from pathlib import Path


def text(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def listing(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def var_dir() -> Path:
    """Where the embedded mode keeps its database, job queue and files."""
    return Path(os.environ.get("KONTORA_VAR_DIR", Path.cwd() / "var")).resolve()


def database_url() -> str:
    return text("DATABASE_URL")


def redis_url() -> str:
    return text("REDIS_URL")


def is_distributed() -> bool:
    """Only configuration modules may ask this; application code never branches on the mode."""
    return bool(redis_url())
