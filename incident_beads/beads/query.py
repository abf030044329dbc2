"""What a store query matches: its filters, and the bytes a word shows on a line that holds it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from incident_beads.beads.issue import Issue


def label_needle(label: str | None) -> bytes | None:
    """The bytes every line with `label` holds when written without escapes, or None when the
    label has characters JSON may spell in more than one way."""
    if not label or any(c in '"\\/' or c < " " or c == "\x7f" for c in label):
        return None
    return b'"' + label.encode("utf-8") + b'"'


def strings_in(value: Any) -> set[str]:
    """Every string a JSON value holds, keys included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set(value).union(*map(strings_in, value.values()))
    if isinstance(value, list):
        return set().union(*map(strings_in, value))
    return set()


def matcher(status: str | Iterable[str] | None = None, issue_type: str | None = None,
            label: str | None = None, priority: int | None = None,
            include_closed: bool = False) -> Callable[[Issue], bool]:
    """The test `BeadsStore.query` applies: every filter given, closed issues only when asked
    or filtered for, tombstones never."""
    statuses = {status} if isinstance(status, str) else set(status) if status else None

    def keep(issue: Issue) -> bool:
        if issue.is_tombstone:
            return False
        if statuses is not None:
            if issue.status not in statuses:
                return False
        elif issue.is_closed and not include_closed:
            return False
        return ((issue_type is None or issue.issue_type == issue_type)
                and (label is None or label in issue.labels)
                and (priority is None or issue.priority == priority))

    return keep
