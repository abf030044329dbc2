"""Fixtures for the hotfix flow: a committed store, a replayable clock, hotfix settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hotfix_helpers import DEPLOY_OK, FakeClock, MakeApi, git_run

from incident_beads import IncidentResponse
from incident_beads.config import Config, GitConfig, HotfixConfig


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hot_repo(store_repo: Path) -> Path:
    """A repository whose store is committed and pushed, as a team keeps it."""
    git_run(store_repo, "add", ".beads/issues.jsonl")
    git_run(store_repo, "commit", "-q", "-m", "Add the beads store")
    git_run(store_repo, "push", "-q", "origin", "main")
    return store_repo


@pytest.fixture
def make_api(hot_repo: Path, clock: FakeClock) -> MakeApi:
    """Build the API with hotfix settings (deploy command etc.) for one test."""

    def build(root: Path = hot_repo, git: GitConfig | None = None,
              **hotfix: Any) -> IncidentResponse:
        settings: dict[str, Any] = {"deploy_command": DEPLOY_OK, **hotfix}
        config = Config(git=git or GitConfig(), hotfix=HotfixConfig(**settings))
        return IncidentResponse(root, clock=clock, actor="ada", config=config)

    return build


@pytest.fixture
def api(make_api: MakeApi) -> IncidentResponse:
    return make_api()
