"""Recurrence: a new incident matching one resolved recently (same service, similar symptoms)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from incident_beads.lifecycle.model import Assessment, Incident
from incident_beads.lifecycle.severity import strip_severity_tag
from incident_beads.words import STOPWORDS, words

# Besides the common English words: words every symptom report uses.
_STOPWORDS = STOPWORDS | {"users", "user", "out", "had", "new", "error", "errors", "broken",
                          "issue"}
#: Share of the smaller set of symptom words two incidents must have in common.
SIMILARITY = 0.5


def symptom_words(title: str, assessment: Assessment) -> set[str]:
    """The words that describe what people see: title, what is broken, error messages."""
    text = " ".join([strip_severity_tag(title), assessment.what_broken,
                     *assessment.error_messages])
    return set(words(text, min_length=3, stop=_STOPWORDS))


def similar_symptoms(title: str, assessment: Assessment, other: Incident) -> bool:
    """True when the same error was seen, or most symptom words are shared."""
    theirs = other.state.assessment
    mine_errors = {e.strip().casefold() for e in assessment.error_messages if e.strip()}
    if mine_errors & {e.strip().casefold() for e in theirs.error_messages if e.strip()}:
        return True
    mine, other_words = symptom_words(title, assessment), symptom_words(other.title, theirs)
    if not mine or not other_words:
        return False
    return len(mine & other_words) / min(len(mine), len(other_words)) >= SIMILARITY


def matching_resolved(title: str, assessment: Assessment, candidates: Iterable[Incident],
                      *, now: datetime, window: timedelta) -> list[Incident]:
    """Resolved incidents within `window` before `now` on a shared service with similar symptoms."""
    services = {s.strip().casefold() for s in assessment.services if s.strip()}
    found: list[Incident] = []
    for other in candidates:
        resolution = other.state.resolution
        if resolution is None or resolution.at < now - window:
            continue
        theirs = {s.strip().casefold() for s in other.state.assessment.services}
        if services & theirs and similar_symptoms(title, assessment, other):
            found.append(other)
    return found


class RemoteMatch(NamedTuple):
    """An incident resolved in another repository of the fleet that a new one looks like."""

    repository: str
    url: str
    incident: Incident
    same_service: bool  # a shared service makes it a recurrence (an escalation), else a warning


def matching_elsewhere(title: str, assessment: Assessment,
                       candidates: Iterable[tuple[str, str, Incident]], *, now: datetime,
                       window: timedelta) -> list[RemoteMatch]:
    """Incidents of other repositories (name, url, incident) resolved within `window` before
    `now` with similar symptoms; a shared service is marked."""
    services = {s.strip().casefold() for s in assessment.services if s.strip()}
    found: list[RemoteMatch] = []
    for repository, url, other in candidates:
        resolution = other.state.resolution
        if resolution is None or resolution.at < now - window or resolution.at > now:
            continue
        if similar_symptoms(title, assessment, other):
            theirs = {s.strip().casefold() for s in other.state.assessment.services}
            found.append(RemoteMatch(repository, url, other, bool(services & theirs)))
    return found
