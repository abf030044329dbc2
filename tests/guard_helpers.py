"""Shared steps of the push guard tests: hotfix branches, merges, tags and pushes."""

from __future__ import annotations

import subprocess
from pathlib import Path

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


def annotated_tag(repo: Path, name: str, target: str) -> None:
    """Make an annotated tag."""
    git(repo, "tag", "-a", name, "-m", f"Hotfix {name}", target)


def push(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `git push args...` and return the finished process (never raises)."""
    return subprocess.run(["git", "push", *args], cwd=repo, capture_output=True, text=True)


def remote_oid(upstream: Path, ref: str) -> str:
    """What the bare upstream has at `ref` ('' when absent)."""
    done = subprocess.run(["git", "rev-parse", "-q", "--verify", ref], cwd=upstream,
                          capture_output=True, text=True)
    return done.stdout.strip()
