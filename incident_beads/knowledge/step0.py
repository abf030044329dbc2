"""Step 0 by construction: what `incident context` finds, gathered for a new declaration.

Declaring must never fail because the knowledge could not be read: a failure is kept as a note.
"""

from __future__ import annotations

from collections.abc import Sequence

from incident_beads.errors import IncidentBeadsError
from incident_beads.knowledge import phase0
from incident_beads.knowledge.ranking import tokenize
from incident_beads.lifecycle.model import ContextRecord, Incident

#: Title similarity (shared words over all words) from which an open incident on the same
#: service is reported as a likely duplicate.
DUPLICATE_SCORE = 0.5


def title_similarity(left: str, right: str) -> float:
    """Jaccard similarity of the two titles' words (stop words out, lightly stemmed)."""
    a, b = set(tokenize(left)), set(tokenize(right))
    return len(a & b) / len(a | b) if a and b else 0.0


def likely_duplicates(title: str, services: Sequence[str],
                      open_incidents: Sequence[Incident]) -> list[dict[str, object]]:
    """Open incidents on one of `services` whose title is similar, the most similar first."""
    wanted = {s.strip().casefold() for s in services if s.strip()}
    found = []
    for incident in open_incidents:
        theirs = {s.strip().casefold() for s in incident.state.assessment.services}
        score = title_similarity(title, incident.title)
        if wanted & theirs and score >= DUPLICATE_SCORE:
            found.append({"id": incident.id, "title": incident.title, "score": round(score, 2)})
    return sorted(found, key=lambda d: -float(str(d["score"])))


def gather(sources: phase0.Sources, title: str, services: Sequence[str],
           open_incidents: Sequence[Incident]) -> ContextRecord:
    """The context of a new incident: similar past incidents, the critical patterns that name
    them, deployment safety, recent deployments, and likely duplicates."""
    duplicates = likely_duplicates(title, services, open_incidents)
    try:
        report = phase0.load(sources, " ".join([title, *services]),
                             service=services[0] if services else None)
    except (IncidentBeadsError, OSError) as exc:
        note = exc.one_line() if isinstance(exc, IncidentBeadsError) else str(exc)
        return ContextRecord(status="failed", duplicates=duplicates, notes=[note])
    similar = [{"id": m.doc.info.get("id") or m.doc.key, "title": m.doc.info.get("title"),
                "status": m.doc.info.get("status"), "score": round(m.score, 3)}
               for m in report.similar]
    ids = [str(s["id"]) for s in similar]
    patterns = [entry for entry in report.patterns.past_incidents
                if any(i in entry for i in ids)]
    deployments = [{k: d.get(k) for k in ("name", "kind", "commit", "at")}
                   for d in report.deployments]
    return ContextRecord(status="loaded", similar=similar, patterns=patterns,
                         deployment_safety=list(report.patterns.deployment_safety),
                         deployments=deployments, duplicates=duplicates, notes=report.notes)
