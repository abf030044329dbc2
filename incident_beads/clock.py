"""A clock to inject where time matters: replay an incident, or test the cadence rules."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from incident_beads.errors import InvalidInput

#: Replay time from the command line: every command runs as if it were this ISO moment.
NOW_VARIABLE = "INCIDENT_BEADS_NOW"

#: What the library asks the time of: any callable returning an aware datetime.
Clock = Callable[[], datetime]


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


def command_clock() -> Clock:
    """The clock every command runs on: `INCIDENT_BEADS_NOW` when set, else the wall clock.

    Read once per command, so that every record one command writes carries the same moment.
    """
    fixed = os.environ.get(NOW_VARIABLE, "").strip()
    if not fixed:
        return lambda: datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{NOW_VARIABLE}={fixed!r} is not an ISO time",
                           hint=f"unset {NOW_VARIABLE} or give e.g. 2026-01-15T10:00:00Z") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return lambda: moment
