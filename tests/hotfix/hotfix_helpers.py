"""Helpers shared by the hotfix tests (a uniquely named module, importable from the tests)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from incident_beads import IncidentResponse
from tests.clocks import START as START
from tests.clocks import FakeClock as FakeClock

MakeApi = Callable[..., IncidentResponse]
DEPLOY_OK = (sys.executable, "-c", "import sys; print('deploying', *sys.argv[1:])", "{tag}",
             "{commit}")


def git_run(cwd: Path, *args: str) -> str:
    """Plain git, for the test's own setup and checks."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def ready_incident(api: IncidentResponse, severity: int = 1,
                   title: str = "Checkout returns 500") -> str:
    """An incident whose rollback and feature flag are ruled out: a hotfix may start."""
    incident = api.declare(title, severity=severity)
    api.mitigate(incident.id, "rollback", "unavailable", detail="schema migration ran")
    api.mitigate(incident.id, "feature-flag", "unavailable", detail="no flag around checkout")
    return incident.id


def write_fix(root: Path, name: str = "app.py", text: str = "print('fixed')\n") -> None:
    """Change a file and stage it."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git_run(root, "add", name)


def reviewed(api: IncidentResponse, root: Path, severity: int = 1) -> str:
    """A started, committed and approved hotfix; returns its id."""
    incident_id = ready_incident(api, severity=severity)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(root)
    api.hotfixes.commit(hid, "Fix it")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True,
                        adds_issues=False)
    return hid


def deployable(api: IncidentResponse, root: Path) -> str:
    """A SEV-1 hotfix with every gate recorded and its tag made; returns its id."""
    hid = reviewed(api, root)
    api.hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    api.hotfixes.staging(hid, passed=True, note="ok on staging")
    api.hotfixes.tag(hid)
    return hid
