"""bd's import rules: what every line must satisfy for `bd import` to accept the file."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from incident_beads.beads.issue import parse_ts
from incident_beads.errors import InvalidInput

STATUSES = frozenset({"open", "in_progress", "blocked", "deferred", "closed", "pinned", "hooked"})
ISSUE_TYPES = frozenset({"bug", "feature", "task", "epic", "chore", "decision", "message",
                         "molecule", "gate", "spike", "story", "milestone", "event"})
DEPENDENCY_TYPES = frozenset({
    "blocks", "related", "parent-child", "discovered-from", "conditional-blocks", "waits-for",
    "replies-to", "relates-to", "duplicates", "supersedes", "authored-by", "assigned-to",
    "approved-by", "attests", "tracks", "until", "caused-by", "validates", "delegated-from",
})
BLOCKING_TYPES = frozenset({"blocks", "parent-child", "conditional-blocks", "waits-for"})
MAX_TITLE = 500
_TIMESTAMPS = ("created_at", "updated_at", "started_at", "closed_at", "due_at", "defer_until")


class Violation(NamedTuple):
    """One broken import rule at a line of a file (1-based).

    `level` is "error" when `bd import` refuses the whole file, "warning" when bd imports it but
    loses something (a dependency on a missing issue) or needs configuration (a custom type).
    """

    line: int
    issue_id: str
    rule: str
    level: str = "error"

    def __str__(self) -> str:
        return f"line {self.line} ({self.issue_id}): {self.level}: {self.rule}"


CUSTOM_TYPE_RULE = "is not built-in (configure it as custom in bd)"


def import_violations(data: dict[str, Any], *, custom_types: frozenset[str] = frozenset(),
                      custom_statuses: frozenset[str] = frozenset()) -> list[str]:
    """List the import rules an issue breaks; empty when `bd import` accepts it."""
    problems: list[str] = []
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append("title is missing or empty")
    elif len(title) > MAX_TITLE:
        problems.append(f"title has {len(title)} characters (at most {MAX_TITLE})")
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 4:
        problems.append(f"priority {priority!r} is not an integer 0-4")
    status = data.get("status") or "open"
    if status == "tombstone":
        return problems  # bd skips tombstones on import; they are kept, never revived
    if status not in STATUSES | custom_statuses:
        problems.append(f"status {status!r} is not a built-in status")
    issue_type = data.get("issue_type") or "task"
    if issue_type not in ISSUE_TYPES | custom_types:
        problems.append(f"issue_type {issue_type!r} {CUSTOM_TYPE_RULE}")
    has_closed_at = bool(data.get("closed_at"))
    if status == "closed" and not has_closed_at:
        problems.append("status is closed but closed_at is missing")
    if status != "closed" and has_closed_at:
        problems.append(f"closed_at is set on a {status} issue")
    if isinstance(data.get("metadata"), str):
        try:
            json.loads(data["metadata"])
        except ValueError:
            problems.append("metadata is not valid JSON")
    for key in _TIMESTAMPS:
        value = data.get(key)
        if value in (None, ""):
            if key in ("created_at", "updated_at"):
                problems.append(f"{key} is missing")
            continue
        try:
            parse_ts(str(value))
        except ValueError:
            problems.append(f"{key} {value!r} is not an RFC 3339 timestamp")
    return problems


def check_title(title: object) -> None:
    """Refuse a title bd would not import: empty, more than one line, or too long."""
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("a title is required")
    if any(ch in title for ch in "\n\r\x00") or (not title.isprintable() and any(
            ord(ch) < 32 for ch in title)):
        raise InvalidInput("a title must be one line without control characters")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"a title has at most {MAX_TITLE} characters "
                           f"(this one has {len(title)})")
