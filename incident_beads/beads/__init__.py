"""The beads store: bd-compatible reading and writing of `.beads/issues.jsonl`."""

from incident_beads.beads.doctor import validate
from incident_beads.beads.journal import Journal
from incident_beads.beads.record import Issue
from incident_beads.beads.recovery import Behind, behind, recover
from incident_beads.beads.rules import Violation, import_violations
from incident_beads.beads.store import BeadsStore, Changes

__all__ = [
           "BeadsStore",
           "Behind",
           "Changes",
           "Issue",
           "Journal",
           "Violation",
           "behind",
           "import_violations",
           "recover",
           "validate",
]
