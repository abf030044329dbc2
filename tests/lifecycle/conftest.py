"""Fixtures for the incident lifecycle: a replayable clock and the API over a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.beads.doctor import validate

START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


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


def assert_importable(root: Path) -> None:
    """Every line of the store passes bd's import rules."""
    errors = [p for p in validate(root / ".beads" / "issues.jsonl") if p.level == "error"]
    assert errors == []
