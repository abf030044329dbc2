"""The hotfix names are part of the lazy public API."""

from __future__ import annotations

import incident_beads


def test_public_names_resolve() -> None:
    for name in ("HotfixProtocol", "Hotfix", "HotfixState", "ScopeReport", "Deployment",
                 "recent_deployments", "CommandFailed"):
        assert getattr(incident_beads, name).__name__ == name
