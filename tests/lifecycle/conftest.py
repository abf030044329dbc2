"""Fixtures for the incident lifecycle: a replayable clock and the API over a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from tests.lifecycle.lifecycle_helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(store_repo: Path, clock: FakeClock) -> IncidentResponse:
    """The API over a real git repository with an empty beads store."""
    return IncidentResponse(store_repo, clock=clock, actor="ada")


@pytest.fixture
def memory_api(tmp_path: Path, clock: FakeClock) -> IncidentResponse:
    """The API over a folder with no `.beads/`: records kept in memory."""
    return IncidentResponse(tmp_path, clock=clock, actor="ada")
