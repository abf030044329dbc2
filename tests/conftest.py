"""Hermetic fixtures: a temporary HOME, no system git config, fixed identities and dates."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# The same examples on every run, so a red build means a change broke something; explore new
# examples with HYPOTHESIS_PROFILE=explore.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run every test with its own HOME and a git that reads no user or system config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ada Oncall")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ada@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Ada Oncall")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "ada@example.com")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-15T10:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-15T10:00:00+00:00")
    monkeypatch.setenv("GIT_EDITOR", "false")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.delenv("INCIDENT_BEADS_DEBUG", raising=False)
    for variable in ("INCIDENT_ACTOR", "BD_ACTOR"):
        monkeypatch.delenv(variable, raising=False)
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    yield


def git(cwd: Path, *args: str) -> str:
    """Run plain git in `cwd` and return its stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one commit on `main` and a bare upstream as `origin`."""
    upstream = tmp_path / "upstream.git"
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(upstream))
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    (work / "app.py").write_text("print('hello')\n")
    git(work, "add", "app.py")
    git(work, "commit", "-q", "-m", "Initial commit")
    git(work, "remote", "add", "origin", str(upstream))
    git(work, "push", "-q", "origin", "main")
    return work


@pytest.fixture
def store_repo(repo: Path) -> Path:
    """`repo` with an empty beads store."""
    (repo / ".beads").mkdir()
    (repo / ".beads" / "issues.jsonl").write_bytes(b"")
    return repo


@pytest.fixture
def corpus_repo(repo: Path, request: pytest.FixtureRequest) -> Path:
    """`repo` whose store is a copy of a real bd-written file (parametrize with its name)."""
    name = getattr(request, "param", "beads-1x-export.jsonl")
    (repo / ".beads").mkdir()
    shutil.copyfile(CORPUS / name, repo / ".beads" / "issues.jsonl")
    os.chmod(repo / ".beads" / "issues.jsonl", 0o644)
    return repo
