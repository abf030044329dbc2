"""Phase 3: the mitigation ladder, documented config changes, and exhaustion."""

from __future__ import annotations

import pytest

from incident_beads import (
    ConfigChange,
    Escalation,
    IncidentResponse,
    InvalidInput,
    MitigationOption,
    Refused,
)
from tests.lifecycle.lifecycle_helpers import FakeClock

CHANGE = ConfigChange(setting="db.pool_size", from_value="10", to_value="50",
                      where="production checkout service")


def test_first_rung_that_works_sets_mitigated(api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=1)
    api.mitigate(incident.id, "rollback", "in-progress", detail="rolling back to v1.4.1")
    assert api.get(incident.id).state.timestamps.mitigated is None
    at = clock.advance(minutes=4)
    done = api.mitigate(incident.id, "rollback", "worked", detail="v1.4.1 live")
    assert done.state.timestamps.mitigated == at
    assert done.phase == "mitigated"
    clock.advance(minutes=4)
    later = api.mitigate(incident.id, "scale", "worked", reason="extra headroom")
    assert later.state.timestamps.mitigated == at


def test_must_not_skip_a_rung_without_a_stated_reason(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(Refused, match="rollback, feature-flag, config-change"):
        api.mitigate(incident.id, "scale", "in-progress")
    assert api.get(incident.id).state.mitigations == []
    done = api.mitigate(incident.id, "scale", "in-progress",
                        reason="CPU saturated; rollback would not help")
    attempt = done.state.mitigations[-1]
    assert attempt.skipped == [MitigationOption.ROLLBACK, MitigationOption.FEATURE_FLAG,
                               MitigationOption.CONFIG_CHANGE]
    assert attempt.skip_reason == "CPU saturated; rollback would not help"
    assert "CPU saturated" in api.store.get(incident.id).comments[-1]["text"]


def test_ruling_out_a_later_rung_needs_no_reason(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    api.mitigate(incident.id, "feature-flag", "unavailable", detail="no flag around checkout")
    api.mitigate(incident.id, "rollback", "failed")
    api.mitigate(incident.id, "config-change", "worked", config_change=CHANGE)
    assert api.ruled_out(incident.id) == [MitigationOption.ROLLBACK,
                                          MitigationOption.FEATURE_FLAG]


def test_must_not_change_production_config_without_documenting_it(
        api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    api.mitigate(incident.id, "rollback", "unavailable")
    api.mitigate(incident.id, "feature-flag", "unavailable")
    with pytest.raises(Refused, match="config change must say what was changed"):
        api.mitigate(incident.id, "config-change", "worked")
    with pytest.raises(Refused):
        api.mitigate(incident.id, "config-change", "worked",
                     config_change=CHANGE.model_copy(update={"where": " "}))
    done = api.mitigate(incident.id, "config-change", "worked", config_change=CHANGE)
    assert done.state.mitigations[-1].config_change == CHANGE
    assert "db.pool_size: 10 -> 50" in api.store.get(incident.id).comments[-1]["text"]


def test_a_config_change_that_was_not_made_needs_no_description(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    api.mitigate(incident.id, "rollback", "failed")
    api.mitigate(incident.id, "feature-flag", "failed")
    api.mitigate(incident.id, "config-change", "unavailable", detail="nothing to tune")


def test_must_stop_when_mitigations_exhausted(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    api.mitigate(incident.id, "rollback", "failed")
    api.mitigate(incident.id, "feature-flag", "unavailable")
    api.mitigate(incident.id, "config-change", "failed", config_change=CHANGE)
    with pytest.raises(Escalation) as raised:
        api.mitigate(incident.id, "scale", "failed", detail="already at max replicas")
    assert raised.value.condition == Escalation.MITIGATIONS_EXHAUSTED
    assert raised.value.incident_id == incident.id
    stored = api.get(incident.id)
    assert stored.state.mitigations[-1].detail == "already at max replicas"
    assert stored.latest_escalation is not None
    assert stored.latest_escalation.condition == Escalation.MITIGATIONS_EXHAUSTED


def test_no_escalation_while_a_rung_is_still_open(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    api.mitigate(incident.id, "rollback", "failed")
    api.mitigate(incident.id, "feature-flag", "unavailable")
    api.mitigate(incident.id, "scale", "failed", reason="config change pending review")
    assert api.get(incident.id).state.escalations == []


@pytest.mark.parametrize(("option", "result"), [("restart", "worked"), ("rollback", "meh")])
def test_unknown_options_and_results_are_refused(api: IncidentResponse, option: str,
                                                 result: str) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(InvalidInput):
        api.mitigate(incident.id, option, result)


def test_mitigating_a_closed_incident_is_refused(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=3)
    api.store.close(incident.id, "fixed")
    with pytest.raises(Refused, match="closed"):
        api.mitigate(incident.id, "rollback", "worked")


def test_mark_mitigated_for_a_verified_hotfix(api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=1)
    done = api.mark_mitigated(incident.id, "hotfix hotfix-x deployed and verified")
    assert done.state.timestamps.mitigated == clock.moment
