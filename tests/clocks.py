"""The one test clock: the public `ReplayClock`, starting at the tests' fixed moment."""

from __future__ import annotations

from datetime import UTC, datetime

from incident_beads.clock import ReplayClock

START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


class FakeClock(ReplayClock):
    """The replay clock, starting at the tests' fixed moment unless told another."""

    def __init__(self, start: datetime = START) -> None:
        super().__init__(start)
