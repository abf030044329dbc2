"""The hotfix flow reaches its incident through the `Lifecycle`, below the facade, and keeps
the lifecycle's rules: the response window, the hold, one store and clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from hotfix_helpers import FakeClock, ready_incident

from incident_beads import Escalation, IncidentResponse
from incident_beads.hotfix.protocol import HotfixProtocol
from incident_beads.lifecycle.api import Lifecycle


def test_a_hotfix_step_past_the_response_window_is_recorded_then_escalates(
        api: IncidentResponse, hot_repo: Path, clock: FakeClock) -> None:
    incident_id = ready_incident(api)  # SEV-1: a 15-minute window
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    clock.advance(minutes=30)
    with pytest.raises(Escalation) as stop:
        api.hotfixes.scope(hid, declare=["app.py", "lib/"])
    assert stop.value.condition == Escalation.ETA_BEYOND_WINDOW
    state = api.get(incident_id).state
    assert [e.kind for e in state.timeline][-2:] == ["hotfix", "escalation"]
    assert state.timeline[-2].text == "Hotfix scope declared: app.py, lib/"
    assert api.hotfixes.get(hid).state.scope == ["app.py", "lib/"]
    # Once per lapse: the next step is held until a person decides, not escalated again.
    with pytest.raises(Escalation, match="held"):
        api.hotfixes.scope(hid, declare=["app.py"])
    assert api.get(incident_id).state.timeline[-1].kind == "escalation"
    assert api.hotfixes.get(hid).state.scope == ["app.py", "lib/"]


def test_the_protocol_shares_the_facades_store_clock_and_actor(
        api: IncidentResponse, clock: FakeClock) -> None:
    incident_id = ready_incident(api)
    lifecycle = api  # the facade is the lifecycle, with the layers above lent to it
    assert isinstance(lifecycle, Lifecycle)
    assert lifecycle.store is api.store and lifecycle.config is api.config
    assert (lifecycle.actor, lifecycle.now()) == (api.actor, api.now())
    assert api.hotfixes.incidents is lifecycle
    # Given the facade itself, as before, the protocol takes its incidents from it.
    protocol = HotfixProtocol(api)
    assert protocol.incidents.store is api.store and protocol.root == api.root
    hotfix = protocol.start(incident_id, scope=["app.py"])
    assert api.hotfixes.get(incident_id).id == hotfix.id
    assert api.get(incident_id).state.timeline[-1].by == api.actor
