"""The beads store: bd-compatible reading and writing of `.beads/issues.jsonl`."""

from __future__ import annotations

from typing import Any

from incident_beads.beads.record import Issue
from incident_beads.beads.rules import Violation, import_violations
from incident_beads.beads.store import BeadsStore, Changes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from incident_beads.beads.doctor import validate

__all__ = ["BeadsStore", "Changes", "Issue", "Violation", "import_violations", "validate"]


def __getattr__(name: str) -> Any:
    # `validate` (the doctor) is loaded only by the commands that check a whole file.
    if name == "validate":
        from incident_beads.beads.doctor import validate

        return validate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
