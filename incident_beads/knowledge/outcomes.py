"""What the knowledge calls report back: a write-up's outcome (`learn`), a post-mortem draft's."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from incident_beads.config.frozen import Frozen


class LearnResult(Frozen):
    """What `learn` wrote: the write-up, the critical patterns entry, the proposals."""

    incident_id: str
    writeup: str
    writeup_created: bool
    critical_patterns: str
    past_incident_added: bool
    proposals: list[str] = field(default_factory=list)
    runbook: str | None = None
    deployment_safety_added: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)


class DraftResult(Frozen):
    """Where the post-mortem draft is, and whether this run created it."""

    incident_id: str
    path: str
    created: bool
    owner: str
    meeting_at: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)
