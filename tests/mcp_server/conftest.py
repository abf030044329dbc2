"""A repository ready for a SEV-1 with a hotfix: a committed store, a deploy command."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import git

if importlib.util.find_spec("mcp") is None:
    # The SDK is the optional extra incident_beads[mcp] (part of the test extra).
    collect_ignore_glob = ["test_*.py"]

DEPLOY = [sys.executable, "-c", "import sys; print('deploying', *sys.argv[1:])", "{tag}",
          "{commit}"]


@pytest.fixture
def service(store_repo: Path) -> Path:
    """`store_repo` with its store and a deploy command committed and pushed, as teams keep it."""
    quoted = ", ".join(f'"{part}"' for part in DEPLOY)
    (store_repo / ".incident-beads.toml").write_text(f"[hotfix]\ndeploy_command = [{quoted}]\n")
    git(store_repo, "add", ".beads/issues.jsonl", ".incident-beads.toml")
    git(store_repo, "commit", "-q", "-m", "Add the beads store and the deploy command")
    git(store_repo, "push", "-q", "origin", "main")
    return store_repo


@pytest.fixture
def errlog(tmp_path: Path) -> Path:
    """Where the server's stderr goes; shown when a test fails."""
    return tmp_path / "server-stderr.log"
