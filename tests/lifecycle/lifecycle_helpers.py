"""Helpers of the lifecycle tests: a replayable clock, the CLI in-process, bd's import rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from incident_beads import Incident, IncidentResponse
from incident_beads.beads.doctor import validate
from tests.clocks import START as START
from tests.clocks import FakeClock as FakeClock

CONFIRMED: dict[str, Any] = {
    "no_longer_occurring": True, "error_rates_normal": True, "users_can_use_feature": True,
    "monitoring_evidence": "5xx rate 0.01% for 30 min (grafana checkout board)",
    "stakeholders_notified": True,
}


def assert_importable(root: Path) -> None:
    """Every line of the store passes bd's import rules."""
    errors = [p for p in validate(root / ".beads" / "issues.jsonl") if p.level == "error"]
    assert errors == []


def resolve(api: IncidentResponse, incident_id: str, **changes: Any) -> Incident:
    """Resolve with a working mitigation and every checklist item confirmed, unless `changes`
    says otherwise."""
    mitigate_if_needed(api, incident_id)
    fields = {**CONFIRMED, **changes}
    return api.resolve(incident_id, resolution="rolled back to v1.4.1",
                       root_cause="connection pool exhausted by v1.4.2", **fields)




def mitigate_if_needed(api: IncidentResponse, incident_id: str) -> None:
    """Record the rollback as worked when no rung worked yet: resolve needs a mitigation."""
    incident = api.get(incident_id)
    if incident.is_open and not any(m.result == "worked" for m in incident.state.mitigations):
        api.mitigate(incident_id, "rollback", "worked", detail="rolled back to v1.4.1")
