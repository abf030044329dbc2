"""Check a whole file against bd's import rules, reporting every bad line by number."""

from __future__ import annotations

import json
from pathlib import Path

from incident_beads.beads.fileio import read_regular
from incident_beads.beads.rules import CUSTOM_TYPE_RULE, Violation, import_violations
from incident_beads.beads.snapshot import check_line
from incident_beads.errors import MalformedFile


def validate(path: Path | str) -> list[Violation]:
    """Every line of the file that breaks a rule, in line order (empty: `bd import` accepts it)."""
    path = Path(path)
    read = read_regular(path)
    data = read[0] if read is not None else b""
    found: list[Violation] = []
    seen: dict[str, int] = {}
    targets: list[tuple[int, str, str]] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, piece in enumerate(lines, start=1):
        try:
            issue_id = check_line(str(path), number, piece, seen, None)
        except MalformedFile as exc:
            # the message starts with `<file>:<line>: `, and a file name may hold ": " too
            found.append(Violation(number, "?", exc.message.removeprefix(f"{path}:{number}: ")))
            continue
        if issue_id is None:
            continue
        record = json.loads(piece)
        found.extend(Violation(number, issue_id, rule,
                               "warning" if rule.endswith(CUSTOM_TYPE_RULE) else "error")
                     for rule in import_violations(record))
        for dep in record.get("dependencies") or []:
            targets.append((number, issue_id, str(dep.get("depends_on_id", ""))))
    for number, issue_id, target in targets:
        if target not in seen and not target.startswith("external:"):
            found.append(Violation(number, issue_id,
                                   f"depends on {target}, which is not in the file "
                                   "(bd drops the dependency)", "warning"))
    return sorted(found)
