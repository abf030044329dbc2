"""Pattern emergence: incidents that keep coming back on one component or for one root cause."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from incident_beads.knowledge.incident_text import root_cause_of
from incident_beads.knowledge.render import inline_text
from incident_beads.lifecycle.model import Incident

# Root causes people write when they do not know yet: never a pattern.
_UNKNOWN = frozenset({"", "unknown", "undetermined", "tbd", "unknown, under investigation"})


def _cause_key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".")


def proposals(incidents: Sequence[Incident], *, now: datetime, window_days: int,
              threshold: int) -> list[str]:
    """Proposed pattern entries: a component or root cause with `threshold`+ recent incidents."""
    since = now - timedelta(days=window_days)
    recent = sorted((i for i in incidents if i.state.timestamps.detected >= since),
                    key=lambda i: (i.state.timestamps.detected, i.id))
    by_component: dict[str, list[Incident]] = {}
    by_cause: dict[str, list[Incident]] = {}
    spelled: dict[str, str] = {}
    for incident in recent:
        for service in dict.fromkeys(s.casefold() for s in incident.state.assessment.services):
            by_component.setdefault(service, []).append(incident)
        cause = root_cause_of(incident)
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
