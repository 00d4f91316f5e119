"""Write the installation's configuration into a folder: a manifest plus each section's files."""

from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from kontora.configuration.sections import FORMAT_VERSION, MANIFEST, sections


def dump(data: Any) -> str:
    """YAML the same way every time: keys in the order the section gave them, Unicode as is."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=120)


def manifest() -> dict[str, Any]:
    return {"format": "kontora-configuration", "version": FORMAT_VERSION, "sections": [s.name for s in sections()]}


def collect() -> dict[str, str]:
    """{relative file name: text} of the whole configuration, the manifest included."""
    files = {MANIFEST: dump(manifest())}
    for section in sections():
        for name, data in section.export().items():
            files[name] = data if isinstance(data, str) else dump(data)
    return files


def export(directory: str | Path) -> list[str]:
    """Write the configuration into `directory`, removing files of the sections' that are no longer exported
    (a deleted process's .bpmn); other files in the folder are left alone. Returns the names written."""
    root = Path(directory)
    files = collect()
    patterns = [MANIFEST, *(pattern for section in sections() for pattern in section.files)]
    if root.exists():
        for path in sorted(root.rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.is_file() and name not in files and any(fnmatch(name, pattern) for pattern in patterns):
                path.unlink()
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return sorted(files)
