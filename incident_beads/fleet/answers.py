"""What fleet answers are made of: each repository's records, and the ones left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from incident_beads.beads.issue import Issue
from incident_beads.config import Config
from incident_beads.lifecycle.model import Incident


@dataclass(frozen=True)
class Skipped:
    """A repository left out of an answer, and why (never fetched, malformed store...)."""

    repository: str
    reason: str

    def line(self) -> str:
        """One line for people."""
        return f"skipped {self.repository}: {self.reason}"


@dataclass
class Source:
    """One repository's incidents and issues as an answer uses them."""

    name: str
    url: str
    config: Config
    issues: list[Issue]
    incidents: list[Incident]


@dataclass
class OpenIncidents:
    """Every open incident of the fleet, the most severe and oldest first."""

    rows: list[dict[str, Any]]
    skipped: list[Skipped] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"incidents": self.rows, "skipped": [s.__dict__ for s in self.skipped]}

    def render(self) -> str:
        """One line per incident, repository and id first."""
        lines = [f"{r['repository']}/{r['id']}  {r['severity']} [{r['phase']}] {r['title']}"
                 + (f" ({', '.join(r['services'])})" if r["services"] else "")
                 for r in self.rows]
        return "\n".join(lines) if lines else "no open incidents in the fleet"
