"""The beads store: bd-compatible reading and writing of `.beads/issues.jsonl`."""

from __future__ import annotations

import importlib
from typing import Any

from incident_beads.beads.import_rules import Violation, import_violations
from incident_beads.beads.issue import Issue
from incident_beads.beads.store import BeadsStore
from incident_beads.beads.transaction import Changes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from incident_beads.beads.doctor import validate
    from incident_beads.beads.journal import Journal
    from incident_beads.beads.recovery import Behind, behind, recover

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

# Loaded only by the commands that check, journal or recover a whole file.
_LAZY = {"validate": "doctor", "Journal": "journal", "Behind": "recovery", "behind": "recovery",
         "recover": "recovery"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"incident_beads.beads.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
