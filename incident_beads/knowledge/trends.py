"""Pattern emergence: incidents that keep coming back on one component or for one root cause.

What a trend reads of each incident (`Trend`) is remembered by the bytes of its line
(`line_index.py`): a resolution in a store of many incidents does not check every incident's
record again, only those whose line changed.

Bump `VERSION` whenever what `Trend.of` reads changes, or an entry's layout (`_to_json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from incident_beads.beads.issue import Issue
from incident_beads.beads.store import IssueLine
from incident_beads.knowledge.incident_text import root_cause_of
from incident_beads.knowledge.line_index import LineIndex
from incident_beads.knowledge.render import inline_text
from incident_beads.lifecycle.model import Incident
from incident_beads.lifecycle.timeline import readable_incident

VERSION = 1
NAME = "knowledge-trends.json"


class Trend(NamedTuple):
    """What pattern emergence reads of an incident."""

    id: str
    detected: datetime
    services: tuple[str, ...]
    root_cause: str

    @classmethod
    def of(cls, incident: Incident) -> Trend:
        """The trend facts of an incident."""
        return cls(incident.id, incident.state.timestamps.detected,
                   tuple(incident.state.assessment.services), root_cause_of(incident))


def recorded(root: Path, lines: Sequence[IssueLine]) -> list[Trend]:
    """The trend facts of every readable incident among the issues of `lines` (each with its
    line's bytes, None where there are none), looked up by those bytes where they are known."""
    index = LineIndex(root, NAME, VERSION, _to_json, _from_json)
    found: list[Trend] = []
    for raw, issue in lines:
        read = partial(_read, issue)
        trend = read() if raw is None else index.value(raw, read)
        if trend is not None:
            found.append(trend)
    index.save()
    return found


def _read(issue: Issue) -> Trend | None:
    """The trend facts of an issue, or None for one that is no readable, live incident."""
    incident = readable_incident(issue)
    return Trend.of(incident) if incident is not None else None


def _to_json(trend: Trend | None) -> Any:
    """A line's entry: null for no incident, else texts: id, detection time, root cause, then
    each service."""
    if trend is None:
        return None
    return [trend.id, trend.detected.isoformat(), trend.root_cause, *trend.services]


def _from_json(entry: Any) -> tuple[bool, Trend | None]:
    """The remembered facts (None: the line is no incident), and whether `entry` has the shape
    of an entry."""
    if entry is None:
        return True, None
    if not (isinstance(entry, list) and len(entry) >= 3
            and all(isinstance(text, str) for text in entry)):
        return False, None
    try:
        detected = datetime.fromisoformat(entry[1])
    except ValueError:
        return False, None
    if detected.tzinfo is None:
        return False, None
    return True, Trend(entry[0], detected, tuple(entry[3:]), entry[2])


# Root causes people write when they do not know yet: never a pattern.
_UNKNOWN = frozenset({"", "unknown", "undetermined", "tbd", "unknown, under investigation"})


def _cause_key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".")


def proposals(incidents: Sequence[Trend], *, now: datetime, window_days: int,
              threshold: int) -> list[str]:
    """Proposed pattern entries: a component or root cause with `threshold`+ recent incidents."""
    since = now - timedelta(days=window_days)
    recent = sorted((i for i in incidents if i.detected >= since),
                    key=lambda i: (i.detected, i.id))
    by_component: dict[str, list[Trend]] = {}
    by_cause: dict[str, list[Trend]] = {}
    spelled: dict[str, str] = {}
    for incident in recent:
        for service in dict.fromkeys(s.casefold() for s in incident.services):
            by_component.setdefault(service, []).append(incident)
        cause = incident.root_cause
        key = _cause_key(cause)
        if key not in _UNKNOWN:
            by_cause.setdefault(key, []).append(incident)
            spelled.setdefault(key, " ".join(cause.split()))
    found: list[str] = []
    for component, group in sorted(by_component.items()):
        if len(group) >= threshold:
            found.append(f"component {inline_text(component)}: {len(group)} incidents in "
                         f"{window_days} days "
                         f"({', '.join(f'`{i.id}`' for i in group)})")
    for key, group in sorted(by_cause.items()):
        if len(group) >= threshold:
            found.append(f"root cause {inline_text(spelled[key])}: {len(group)} incidents in "
                         f"{window_days} days ({', '.join(f'`{i.id}`' for i in group)})")
    return found
