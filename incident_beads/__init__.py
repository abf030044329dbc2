"""incident_beads: production incident response inside a git repository, stored as beads issues.

The public API is imported lazily, so that the push guard and quick commands load only what
they use.
"""

from __future__ import annotations

import importlib

# Kept out of the import path at run time: the push hook imports this package.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "BeadsStore": "incident_beads.beads.store",
    "Issue": "incident_beads.beads.record",
    "Config": "incident_beads.config",
    "load_config": "incident_beads.config",
    "IncidentBeadsError": "incident_beads.errors",
    "Escalation": "incident_beads.errors",
    "NotFound": "incident_beads.errors",
    "Refused": "incident_beads.errors",
    "InvalidInput": "incident_beads.errors",
    "MalformedFile": "incident_beads.errors",
    "NoStore": "incident_beads.errors",
    "GitError": "incident_beads.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'incident_beads' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
