"""What an incident says in words: the symptoms people saw and the root cause found.

Apart from `facts` (the write-ups' material, which reads hotfix beads too), so that step 0 ranks
past incidents without loading the hotfix records.
"""

from __future__ import annotations

from incident_beads.lifecycle.model import Incident


def symptoms_of(incident: Incident) -> list[str]:
    """What people saw: what broke, then the exact errors."""
    assessment = incident.state.assessment
    return [s for s in [assessment.what_broken, *assessment.error_messages] if s.strip()]


def root_cause_of(incident: Incident) -> str:
    """The root cause given at resolution (empty before)."""
    resolution = incident.state.resolution
    return resolution.root_cause if resolution is not None else ""
