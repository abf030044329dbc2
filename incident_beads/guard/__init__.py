"""The hotfix push guard: one check for `pre-push`, the server's `pre-receive` and CI.

Everything below this package imports only the standard library (and the project's stdlib-only
`config` and `errors`), because git runs it on every push. Names load lazily.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_EXPORTS: dict[str, str] = {
    "HotfixGuard": "incident_beads.guard.push_rule",
    "Verdict": "incident_beads.guard.push_rule",
    "RefUpdate": "incident_beads.guard.refs",
    "Finding": "incident_beads.guard.findings",
    "PushRefused": "incident_beads.guard.findings",
    "parse_pre_push": "incident_beads.guard.refs",
    "parse_pre_receive": "incident_beads.guard.refs",
    "GuardSettings": "incident_beads.guard.settings",
    "load_settings": "incident_beads.guard.settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'incident_beads.guard' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
