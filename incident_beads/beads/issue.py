"""One beads issue line: bd's key order, bd's JSON encoding, RFC 3339 timestamps."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

# The keys bd 1.x writes, in the order it writes them; unknown keys follow in their own order.
KEY_ORDER: tuple[str, ...] = (
    "_type", "id", "title", "description", "design", "acceptance_criteria", "notes", "spec_id",
    "status", "priority", "issue_type", "assignee", "owner", "created_by", "estimated_minutes",
    "created_at", "updated_at", "started_at", "closed_at", "due_at", "defer_until",
    "close_reason", "external_ref", "source_system", "metadata", "labels", "dependencies",
    "comments", "ephemeral", "pinned", "is_template",
    "dependency_count", "dependent_count", "comment_count", "parent",
)
_RANK = {key: i for i, key in enumerate(KEY_ORDER)}
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
            ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
# Keys bd leaves out when empty; `priority` and the two timestamps are always written, and
# `bd export` writes its counts even when zero (a changed line keeps them as found).
_OMIT_WHEN_EMPTY = frozenset(KEY_ORDER) - {
    "id", "title", "priority", "created_at", "updated_at",
    "dependency_count", "dependent_count", "comment_count",
}
# A lone surrogate (read from a `\ud800` escape) has no UTF-8 form; it is written escaped again.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# RFC 3339 as Go's time.Parse reads it: a `T`, seconds, optional fraction, `Z` or an offset.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})",
                      re.ASCII)


def drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Remove the keys bd leaves out when empty, so an issue in memory equals its line read back."""
    for key in [k for k in data if is_omitted(k, data[k])]:
        del data[key]
    return data


def _is_empty(value: Any) -> bool:
    return value is None or (not isinstance(value, float) and value in ("", [], {}, False, 0))


def is_omitted(key: str, value: Any) -> bool:
    """True when bd leaves `key` out of the line for this empty `value`."""
    return key in _OMIT_WHEN_EMPTY and _is_empty(value)


def encode_line(data: dict[str, Any]) -> bytes:
    """Encode an issue as bd does: compact, bd's key order, its five escapes, ending in `\\n`."""
    ordered = {k: data[k] for k in sorted(data, key=lambda k: _RANK.get(k, len(_RANK)))
               if not is_omitted(k, data[k])}
    text = json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _ESCAPES:
        if raw in text:
            text = text.replace(raw, escaped)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        text = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        return text.encode("utf-8") + b"\n"


def format_ts(moment: datetime) -> str:
    """Format a moment as bd 1.x does: UTC, whole seconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: str) -> datetime:
    """Parse any RFC 3339 timestamp bd has written (nanoseconds are cut to microseconds)."""
    value = text.strip()
    if not _RFC3339.fullmatch(value):
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    if "." in value:
        head, _, rest = value.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{rest[:min(digits, 6)].ljust(6, '0')}{rest[digits:]}"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {text!r}")
    return moment


def next_updated_at(now: datetime, previous: str | None) -> str:
    """Return a timestamp later than `previous`: bd skips imports that do not move forward."""
    candidate = now.astimezone(UTC).replace(microsecond=0)
    if previous:
        try:
            before = parse_ts(previous).astimezone(UTC)
        except ValueError:
            before = None
        if before is not None and candidate <= before:
            candidate = before.replace(microsecond=0) + timedelta(seconds=1)
    return format_ts(candidate)


class Issue:
    """A beads issue as read from its line: every key kept, typed accessors for the known ones."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Issue({self.id!r}, {self.title!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Issue) and other.data == self.data

    __hash__ = None  # type: ignore[assignment]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))

    @property
    def description(self) -> str:
        return str(self.data.get("description") or "")

    @property
    def status(self) -> str:
        return str(self.data.get("status") or "open")

    @property
    def priority(self) -> int:
        value = self.data.get("priority", 0)
        return value if isinstance(value, int) else 0

    @property
    def issue_type(self) -> str:
        return str(self.data.get("issue_type") or "task")

    @property
    def labels(self) -> list[str]:
        return list(self.data.get("labels") or [])

    @property
    def dependencies(self) -> list[dict[str, Any]]:
        return list(self.data.get("dependencies") or [])

    @property
    def comments(self) -> list[dict[str, Any]]:
        return list(self.data.get("comments") or [])

    @property
    def metadata(self) -> dict[str, Any]:
        value = self.data.get("metadata")
        if isinstance(value, str):  # some writers store metadata as JSON text
            try:
                value = json.loads(value)
            except ValueError:
                return {}
        return dict(value) if isinstance(value, dict) else {}

    @property
    def created_at(self) -> str:
        return str(self.data.get("created_at") or "")

    @property
    def updated_at(self) -> str:
        return str(self.data.get("updated_at") or "")

    @property
    def closed_at(self) -> str | None:
        value = self.data.get("closed_at")
        return str(value) if value else None

    @property
    def due_at(self) -> str | None:
        value = self.data.get("due_at")
        return str(value) if value else None

    @property
    def close_reason(self) -> str:
        return str(self.data.get("close_reason") or "")

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def is_tombstone(self) -> bool:
        return self.status == "tombstone"

    def depends_on(self, dep_type: str | None = None) -> list[str]:
        """Ids this issue depends on, optionally only through one dependency type."""
        return [str(d.get("depends_on_id")) for d in self.dependencies
                if dep_type is None or d.get("type") == dep_type]

    def summary(self) -> dict[str, Any]:
        """The fields `incident list --json` prints."""
        return {"id": self.id, "title": self.title, "status": self.status,
                "priority": self.priority, "issue_type": self.issue_type, "labels": self.labels}
