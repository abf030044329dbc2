"""Give theirs' child issue a free number when both sides added a different `<parent>.<n>`.

Child ids are counters (`inc-a1b.1`, `inc-a1b.2`), so two branches that each add a child to the
same incident (a post-mortem on one, a hotfix on the other) both take `.1`. Neither may be
dropped, so theirs' child moves to the next free number and every exact reference to it on
theirs' side (its own id, dependencies, comments, incident metadata) follows it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from incident_beads.beads.ids import child_id
from incident_beads.beads.issue import encode_line
from incident_beads.errors import InvalidInput

_CHILD = re.compile(r"(.+)\.(\d+)")


def added_apart(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    """True when both sides added an issue with one id but they are different issues."""
    return ours.get("created_at") != theirs.get("created_at")


def renumber_children(base_ids: set[str], ours: dict[str, bytes], theirs_ids: list[str | None],
                      theirs_lines: list[bytes]) -> list[tuple[str, str]]:
    """Renumber theirs' colliding children in place (ids and lines); return (old, new) pairs."""
    theirs = {issue_id: n for n, issue_id in enumerate(theirs_ids) if issue_id is not None}
    taken = base_ids | set(ours) | set(theirs)
    renamed: list[tuple[str, str]] = []
    for old in sorted(set(ours) & set(theirs) - base_ids):
        match = _CHILD.fullmatch(old)
        if match is None or not added_apart(json.loads(ours[old]),
                                            json.loads(theirs_lines[theirs[old]])):
            continue
        try:
            new = child_id(match.group(1), taken)
        except InvalidInput:
            continue  # deeper than bd allows: left to the conflict report
        taken.add(new)
        renamed.append((old, new))
        theirs_ids[theirs[old]] = new
        quoted = f'"{old}"'.encode()
        for n, line in enumerate(theirs_lines):
            if theirs_ids[n] is not None and quoted in line:  # other records stay as written
                data = json.loads(line)
                rewritten = _replace(data, old, new)
                if rewritten != data:
                    theirs_lines[n] = encode_line(rewritten)
    return renamed


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        if value == old:
            return new
        if value.startswith("{") and f'"{old}"' in value:  # metadata kept as JSON text
            try:
                return json.dumps(_replace(json.loads(value), old, new),
                                  ensure_ascii=False, separators=(",", ":"))
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        return [_replace(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, old, new) for key, item in value.items()}
    return value
