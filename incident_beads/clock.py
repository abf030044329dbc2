"""A clock to inject where time matters: replay an incident, or test the cadence rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_beads.errors import InvalidInput


class ReplayClock:
    """A clock that moves only when told (`IncidentResponse(root, clock=ReplayClock(start))`)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise InvalidInput("a replay clock needs a time zone", hint="e.g. tzinfo=UTC")
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Let time pass (`advance(minutes=15)`); returns the new moment."""
        self.moment += timedelta(**delta)
        return self.moment
