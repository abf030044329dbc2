"""Shared helpers of the knowledge tests: a hand-moved clock and resolved incidents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from incident_beads import IncidentResponse
from tests.clocks import START as START
from tests.clocks import FakeClock as FakeClock

CONFIRMED: dict[str, Any] = {
    "no_longer_occurring": True, "error_rates_normal": True, "users_can_use_feature": True,
    "monitoring_evidence": "5xx back to 0.01% for 30 min", "stakeholders_notified": True,
}

Clock = FakeClock  # the knowledge tests' name for it


def resolved(api: IncidentResponse, clock: Clock, title: str, *, severity: int = 3,
             services: Sequence[str] = ("checkout",), errors: Sequence[str] = (),
             what_broken: str = "", root_cause: str = "pool exhausted",
             resolution: str = "rolled back to v1.4.1", minutes: int = 45) -> str:
    """Declare, acknowledge, mitigate and resolve an incident; return its id."""
    incident = api.declare(title, severity=severity, services=services, error_messages=errors,
                           what_broken=what_broken, who_affected="all EU users")
    clock.advance(minutes=5)
    api.post_update(incident.id, status="Investigating", impact="EU checkout",
                    action="looking at the pool")
    clock.advance(minutes=10)
    api.mitigate(incident.id, "rollback", "worked", detail="back to v1.4.1")
    if severity <= 2:
        api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    clock.advance(minutes=minutes - 15)
    api.resolve(incident.id, resolution=resolution, root_cause=root_cause, **CONFIRMED)
    return incident.id
