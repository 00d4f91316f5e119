"""The plan as text: per section, what will be added (+), changed (~) and removed (-)."""

from kontora.configuration.sections import Change

MARKS = {"add": "+", "change": "~", "remove": "-"}


def render(changes: list[Change]) -> str:
    if not changes:
        return "No changes.\n"
    lines: list[str] = []
    section = None
    for change in changes:
        if change.section != section:
            section = change.section
            lines.append(f"{section}:")
        lines.append(f"  {MARKS[change.op]} {change.key}")
        lines.extend(f"      {detail}" for detail in change.details)
    counts = {op: sum(1 for change in changes if change.op == op) for op in MARKS}
    lines.append(f"{counts['add']} to add, {counts['change']} to change, {counts['remove']} to remove.")
    return "\n".join(lines) + "\n"
