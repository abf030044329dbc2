"""The replay clock that orchestrators and tests inject."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incident_beads import InvalidInput, ReplayClock


def test_replay_clock_moves_only_when_told() -> None:
    clock = ReplayClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock() == clock() == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.advance(minutes=15) == datetime(2026, 1, 1, 0, 15, tzinfo=UTC)
    assert clock() == datetime(2026, 1, 1, 0, 15, tzinfo=UTC)


def test_replay_clock_refuses_a_naive_start() -> None:
    with pytest.raises(InvalidInput):
        ReplayClock(datetime(2026, 1, 1))
