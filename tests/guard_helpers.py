"""Shared steps of the push guard tests: hotfix branches, merges, tags and pushes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from incident_beads.guard.review import ReviewBlock
from tests.conftest import git


def commit(repo: Path, message: str, name: str = "app.py") -> str:
    """Append a line to `name`, commit it with `message`, return the new commit."""
    path = repo / name
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{message}\n")
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def hotfix_branch(repo: Path, incident: str = "bd-42", base: str = "main",
                  branch: str | None = None) -> tuple[str, str]:
    """Make `hotfix/incident-<id>` from `base` with one fix; return (branch, its tip)."""
    branch = branch or f"hotfix/incident-{incident}"
    git(repo, "checkout", "-q", "-b", branch, base)
    tip = commit(repo, f"Fix the outage of {incident}", name="fix.py")
    git(repo, "checkout", "-q", base)
    return branch, tip


def merge(repo: Path, branch: str, into: str = "main", message: str | None = None) -> str:
    """Merge `branch` into `into` with --no-ff (git's default subject unless `message`)."""
    git(repo, "checkout", "-q", into)
    args = ["merge", "-q", "--no-ff", branch]
    args += ["-m", message] if message else ["--no-edit"]
    git(repo, *args)
    return git(repo, "rev-parse", "HEAD")


def hotfix_merge(repo: Path, incident: str = "bd-42", into: str = "main") -> tuple[str, str]:
    """A hotfix branch merged into `into` the way git does it; return (merge, hotfix tip)."""
    branch, tip = hotfix_branch(repo, incident, into)
    return merge(repo, branch, into), tip


def review_message(repo: Path, incident: str, target: str,
                   changes: dict[str, str] | None = None) -> str:
    """A tag message carrying the approving review of the fix at `target` (a merge's side)."""
    parents = git(repo, "rev-list", "--parents", "-n", "1", target).split()[1:]
    fix = parents[1] if len(parents) > 1 else git(repo, "rev-parse", target)
    fields = {"incident": incident, "hotfix": f"{incident}.1", "reviewer": "grace",
              "commit": fix, "verdict": "approved", "fixes-issue": "yes", "adds-issues": "no",
              "reviewed-at": "2026-01-15T10:00:00Z", **(changes or {})}
    return f"Hotfix for incident {incident}\n\n{ReviewBlock(fields).render()}"


def annotated_tag(repo: Path, name: str, target: str, incident: str | None = None) -> None:
    """Make an annotated tag carrying the approving review, as `incident hotfix tag` does."""
    incident = incident or name.split("-", 1)[1]
    git(repo, "tag", "-a", name, "-m", review_message(repo, incident, target), target)


def hand_made_tag(repo: Path, name: str, target: str) -> None:
    """An annotated tag made by hand: no review in it."""
    git(repo, "tag", "-a", name, "-m", f"Hotfix {name}", target)


def push(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `git push args...` and return the finished process (never raises)."""
    return subprocess.run(["git", "push", *args], cwd=repo, capture_output=True, text=True)


def remote_oid(upstream: Path, ref: str) -> str:
    """What the bare upstream has at `ref` ('' when absent)."""
    done = subprocess.run(["git", "rev-parse", "-q", "--verify", ref], cwd=upstream,
                          capture_output=True, text=True)
    return done.stdout.strip()
