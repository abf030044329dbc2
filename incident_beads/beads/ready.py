"""What `bd ready` lists: open work that nothing blocks, in bd's order."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from incident_beads.beads.issue import Issue, parse_ts

# Statuses in which a `blocks` target still holds its dependents back.
_HOLDING = frozenset({"open", "in_progress", "blocked", "deferred", "hooked"})
_ACTIVE = frozenset({"open", "in_progress", "blocked", "deferred"})
# A `conditional-blocks` target releases its dependents only when it closed as a failure.
_FAILURE_WORDS = ("failed", "rejected", "wontfix", "canceled", "cancelled", "abandoned",
                  "blocked", "error", "timeout", "aborted")
# Workflow and identity records are not work, so bd never lists them as ready.
_NOT_WORK = frozenset({"merge-request", "gate", "molecule", "message", "agent", "role", "rig"})
_MAX_DEPTH = 50  # bd follows parent-child links this deep


def ready_issues(issues: Iterable[Issue], now: datetime) -> list[Issue]:
    """Open or in-progress issues that bd would list as ready, most urgent first, newest first."""
    everything = {issue.id: issue for issue in issues}
    blocked = blocked_ids(everything)
    found = [issue for issue in everything.values()
             if issue.status in ("open", "in_progress") and issue.id not in blocked
             and not issue.data.get("pinned") and not issue.data.get("ephemeral")
             and issue.issue_type not in _NOT_WORK and not _deferred(issue, now)]
    found.sort(key=lambda issue: _moment(issue.created_at), reverse=True)
    found.sort(key=lambda issue: issue.priority)
    return found


def blocked_ids(everything: Mapping[str, Issue]) -> set[str]:
    """Ids bd counts as blocked: by their own dependencies, or through a blocked parent."""
    children: dict[str, list[str]] = {}
    for issue in everything.values():
        for dep in issue.dependencies:
            if dep.get("type") == "parent-child":
                children.setdefault(str(dep.get("depends_on_id")), []).append(issue.id)
    blocked = {issue.id for issue in everything.values()
               if any(_holds(dep, everything, children) for dep in issue.dependencies)}
    frontier, depth = set(blocked), 0
    while frontier and depth < _MAX_DEPTH:
        frontier = {child for parent in frontier for child in children.get(parent, ())
                    if child not in blocked}
        blocked |= frontier
        depth += 1
    return blocked


def _holds(dep: Mapping[str, Any], everything: Mapping[str, Issue],
           children: Mapping[str, list[str]]) -> bool:
    dep_type, target_id = dep.get("type"), str(dep.get("depends_on_id"))
    target = everything.get(target_id)
    if dep_type == "blocks":
        return target is not None and target.status in _HOLDING
    if dep_type == "conditional-blocks":
        if target is None:
            return False
        reason = target.close_reason.lower()
        return target.status in _ACTIVE or (
            target.is_closed and not any(word in reason for word in _FAILURE_WORDS))
    if dep_type == "waits-for":
        meta = _object(dep.get("metadata"))
        spawner = str(meta.get("spawner_id") or target_id)
        states = [everything[c].status for c in children.get(spawner, ()) if c in everything]
        if meta.get("gate", "all-children") == "any-children":
            return not any(state == "closed" for state in states)
        return any(state not in ("closed", "tombstone") for state in states)
    return False


def _object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # bd keeps dependency metadata as JSON text
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _moment(text: str) -> float:
    try:
        return parse_ts(text).timestamp()
    except ValueError:
        return 0.0


def _deferred(issue: Issue, now: datetime) -> bool:
    until = issue.data.get("defer_until")
    if not until:
        return False
    try:
        return parse_ts(str(until)) > now
    except ValueError:
        return False
