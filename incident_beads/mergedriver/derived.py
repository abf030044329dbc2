"""After a merge, an incident's derived fields follow its merged state.

An incident bead keeps its state in `metadata["incident_beads"]`; some bead fields repeat it
for bd and for people: the `sev-N` label, the `[SEV-N]` title prefix and the priority follow
the severity, and the status follows the phase (closed exactly when resolved). A field merge
settles each of them on its own (labels as sets, the title by time), so two branches that each
reclassified the same incident could leave `sev-4` and `sev-2` on a SEV-4. This puts them
back in line with the merged state, and keeps the most severe level either side reached.

Stdlib only: the merge driver does not load the incident models.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

STATE_KEY = "incident_beads"
RESOLVED = "resolved"
_SEVERITY = re.compile(r"SEV-([1-4])")
_SEV_LABEL = re.compile(r"sev-[1-4]")
_TITLE_TAG = re.compile(r"^\[SEV-[1-4]\]\s*")
_STATUS_KEYS = ("status", "closed_at", "close_reason")


def incident_state(data: dict[str, Any]) -> dict[str, Any] | None:
    """The incident state of a bead, or None when it is no incident of this project."""
    metadata = data.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return None
    if not isinstance(metadata, dict):
        return None
    state = metadata.get(STATE_KEY)
    if not isinstance(state, dict) or state.get("kind") != "incident":
        return None
    return state


def _level(value: Any) -> int | None:
    match = _SEVERITY.fullmatch(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def reconcile(merged: dict[str, Any], ours: dict[str, Any],
              theirs: dict[str, Any]) -> dict[str, Any]:
    """`merged` with its derived fields agreeing with its incident state (a new object)."""
    if incident_state(merged) is None:
        return merged
    merged = copy.deepcopy(merged)  # its values may be the very objects of one side
    state = incident_state(merged)
    if state is None:
        return merged
    level = _level(state.get("severity"))
    if level is not None:
        _follow_severity(merged, level)
        _keep_peak(merged, state, level, ours, theirs)
    phase = state.get("phase")
    if isinstance(phase, str):
        _follow_phase(merged, phase == RESOLVED, ours, theirs)
    return merged


def _follow_severity(merged: dict[str, Any], level: int) -> None:
    labels = merged.get("labels")
    labels = [x for x in labels if isinstance(x, str)] if isinstance(labels, list) else []
    wanted = f"sev-{level}"
    at = next((n for n, x in enumerate(labels) if _SEV_LABEL.fullmatch(x)), len(labels))
    kept = [x for x in labels if not _SEV_LABEL.fullmatch(x)]
    kept.insert(min(at, len(kept)), wanted)
    merged["labels"] = kept
    title = merged.get("title")
    if isinstance(title, str) and title:
        merged["title"] = f"[SEV-{level}] {_TITLE_TAG.sub('', title, count=1)}"
    merged["priority"] = level - 1


def _keep_peak(merged: dict[str, Any], state: dict[str, Any], level: int,
               ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """The peak is the most severe level seen on either side: the post-mortem rule reads it."""
    seen = [level]
    for side in (state, incident_state(ours) or {}, incident_state(theirs) or {}):
        for key in ("severity", "peak_severity"):
            found = _level(side.get(key))
            if found is not None:
                seen.append(found)
    peak = f"SEV-{min(seen)}"
    if state.get("peak_severity") != peak:
        state["peak_severity"] = peak
        _store_state(merged, state)


def _store_state(merged: dict[str, Any], state: dict[str, Any]) -> None:
    metadata = merged.get("metadata")
    if isinstance(metadata, str):
        decoded = json.loads(metadata)
        decoded[STATE_KEY] = state
        merged["metadata"] = json.dumps(decoded, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(metadata, dict):
        metadata[STATE_KEY] = state


def _follow_phase(merged: dict[str, Any], resolved: bool, ours: dict[str, Any],
                  theirs: dict[str, Any]) -> None:
    closed = merged.get("status") == "closed"
    if closed == resolved:
        return
    sides = [side for side in (ours, theirs)
             if (side.get("status") == "closed") == resolved]
    if resolved and not sides:
        return  # no side closed it: nothing to take the close from
    if sides:
        source = max(sides, key=lambda side: str(side.get("updated_at", "")))
        for key in _STATUS_KEYS:
            if key in source:
                merged[key] = source[key]
            else:
                merged.pop(key, None)
    if not resolved:
        if merged.get("status") == "closed":
            merged["status"] = "open"
        merged.pop("closed_at", None)
        merged.pop("close_reason", None)
