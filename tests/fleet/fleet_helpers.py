"""Helpers of the fleet tests: team repositories with real bare upstreams, pushed with git."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from incident_beads import IncidentResponse
from incident_beads.clock import ReplayClock
from tests.knowledge_fixtures import START, resolved


def git(cwd: Path, *args: str) -> str:
    """Run plain git in `cwd` and return its stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


class Team:
    """One team's repository: a work tree, its bare upstream, a clock and the incident API."""

    def __init__(self, top: Path, name: str, *, allow_filter: bool = True) -> None:
        self.name = name
        self.upstream = top / f"{name}.git"
        self.work = top / name
        git(top, "init", "-q", "--bare", "-b", "main", str(self.upstream))
        if allow_filter:  # a server that serves partial clones (GitHub, GitLab, ... do)
            git(self.upstream, "config", "uploadpack.allowFilter", "true")
        git(top, "init", "-q", "-b", "main", str(self.work))
        (self.work / "app.py").write_text("print('code the fleet never needs')\n" * 50)
        (self.work / ".beads").mkdir()
        (self.work / ".beads" / "issues.jsonl").write_bytes(b"")
        git(self.work, "remote", "add", "origin", str(self.upstream))
        self.push("Initial commit")
        self.clock = ReplayClock(START)
        self.api = IncidentResponse(self.work, clock=self.clock, actor="ada")

    def reload(self) -> None:
        """Read the repository's configuration again (after `[fleet]` was written)."""
        self.api = IncidentResponse(self.work, clock=self.clock, actor="ada")

    def resolved(self, title: str, *, services: Sequence[str] = ("checkout",),
                 severity: int = 3, minutes: int = 45, errors: Sequence[str] = ()) -> str:
        """A resolved incident (with its write-up, pattern entry and runbook), committed."""
        incident_id = resolved(self.api, self.clock, title, services=services,  # type: ignore[arg-type]
                               severity=severity, minutes=minutes, errors=errors)
        self.push(f"Resolve {incident_id}")
        return incident_id

    def declared(self, title: str, *, services: Sequence[str] = ("checkout",),
                 severity: int = 2) -> str:
        """An open incident, committed."""
        incident = self.api.declare(title, severity=severity, services=services,
                                    who_affected="some users")
        self.push(f"Declare {incident.id}")
        return incident.id

    def push(self, message: str) -> None:
        """Commit everything and push to the upstream."""
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "--allow-empty", "-m", message)
        git(self.work, "push", "-q", "origin", "main")


def fleet_toml(root: Path, teams: Sequence[Team | str], extra: str = "") -> None:
    """Write `[fleet]` naming the teams' upstreams (or raw URLs) into root's configuration."""
    lines = ["[fleet]", extra, "repositories = ["]
    for team in teams:
        if isinstance(team, Team):
            lines.append(f'  {{url = "{team.upstream}", name = "{team.name}"}},')
        else:
            lines.append(f'  "{team}",')
    lines.append("]")
    path = root / ".incident-beads.toml"
    old = path.read_text() if path.exists() else ""
    path.write_text(old + "\n".join(lines) + "\n")
