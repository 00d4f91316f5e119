"""Read a configuration folder and apply it in one transaction: plan each section, then make its changes."""

from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from kontora.configuration.sections import (
    FORMAT_VERSION,
    MANIFEST,
    Change,
    ConfigError,
    ConfigErrors,
    Section,
    sections,
)


def load(directory: str | Path) -> dict[str, Any]:
    """{relative file name: data}: YAML files parsed, other files as text. Raises `ConfigErrors`."""
    root = Path(directory)
    if not (root / MANIFEST).is_file():
        raise ConfigErrors([ConfigError(MANIFEST, "", "missing: this is not a Kontora configuration folder")])
    bundle: dict[str, Any] = {}
    errors = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yaml", ".yml"):
            try:
                bundle[name] = yaml.safe_load(text)
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                key = f"line {mark.line + 1}" if mark is not None else ""
                errors.append(ConfigError(name, key, f"not valid YAML: {getattr(error, 'problem', None) or error}"))
        else:
            bundle[name] = text
    if errors:
        raise ConfigErrors(errors)
    _check_manifest(bundle.get(MANIFEST))
    return bundle


def _check_manifest(data: Any) -> None:
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise ConfigErrors([ConfigError(MANIFEST, "version", "required: the format version")])
    if version > FORMAT_VERSION:
        message = f"format version {version} is newer than this Kontora reads ({FORMAT_VERSION})"
        raise ConfigErrors([ConfigError(MANIFEST, "version", message)])


def files_of(section: Section, bundle: dict[str, Any]) -> dict[str, Any]:
    return {name: data for name, data in bundle.items() if any(fnmatch(name, pattern) for pattern in section.files)}


def run(bundle: dict[str, Any], *, by: Any, commit: bool) -> list[Change]:
    """Plan and apply every section present in the folder, in order, in one transaction; roll back unless `commit`.

    A section plans against the installation as the sections before it left it, so a robot may name a pipeline
    added by the same folder. Sections without any file in the folder are left as they are.
    """
    changes: list[Change] = []
    with transaction.atomic():
        for section in sections():
            data = files_of(section, bundle)
            if not data:
                continue
            changes.extend(section.plan(data))
            section.apply(data, by=by)
        if not commit:
            transaction.set_rollback(True)
    return changes


def plan(bundle: dict[str, Any], *, by: Any) -> list[Change]:
    """The changes applying the folder would make, found by applying it and rolling back (errors included)."""
    return run(bundle, by=by, commit=False)


def apply(bundle: dict[str, Any], *, by: Any) -> list[Change]:
    return run(bundle, by=by, commit=True)
