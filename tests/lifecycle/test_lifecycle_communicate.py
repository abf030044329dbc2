"""Phase 2: status updates in the seed's template, cadence, overdue, and the ETA window."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from incident_beads import Escalation, IncidentResponse, InvalidInput, KnownRisk, Refused
from tests.lifecycle.lifecycle_helpers import FakeClock, assert_importable


def test_update_follows_the_seed_template(api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=1)
    clock.advance(minutes=3)
    updated = api.post_update(incident.id, status="investigating", impact="all users",
                              action="checking the last deploy", eta="+10m")
    comment = api.store.get(incident.id).comments[-1]["text"]
    assert comment == ("Status: Investigating\nImpact: all users\n"
                       "Current action: checking the last deploy\n"
                       "ETA to resolution: 2026-01-15 10:13 UTC\n"
                       "Next update: 2026-01-15 10:18 UTC")
    assert updated.latest_update is not None
    assert updated.latest_update.next_update_at == clock.moment + timedelta(minutes=15)
    assert updated.state.next_update_at == clock.moment + timedelta(minutes=15)


def test_first_update_sets_acknowledged(api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Slow search", severity=3)
    assert incident.state.timestamps.acknowledged is None
    first = clock.advance(minutes=5)
    api.post_update(incident.id, status="Investigating", impact="search", action="profiling")
    clock.advance(minutes=30)
    again = api.post_update(incident.id, status="Identified", impact="search", action="index")
    assert again.state.timestamps.acknowledged == first


def test_cadence_follows_severity_unless_given(api: IncidentResponse, clock: FakeClock) -> None:
    sev3 = api.declare("Slow search", severity=3)
    assert api.post_update(sev3.id, status="Investigating", impact="i", action="a") \
        .state.next_update_at == clock.moment + timedelta(minutes=60)
    given = api.post_update(sev3.id, status="Investigating", impact="i", action="a",
                            next_update="+10m")
    assert given.state.next_update_at == clock.moment + timedelta(minutes=10)
    sev4 = api.declare("Typo on the about page", severity=4)
    assert api.post_update(sev4.id, status="Identified", impact="i", action="a") \
        .state.next_update_at is None


def test_text_eta_is_kept_and_does_not_escalate(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    updated = api.post_update(incident.id, status="Investigating", impact="all", action="a",
                              eta="investigating")
    assert updated.latest_update is not None and updated.latest_update.eta_text == "investigating"
    assert updated.state.escalations == []


def test_must_stop_when_eta_exceeds_the_response_window(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(Escalation) as raised:
        api.post_update(incident.id, status="Identified", impact="all", action="rebuild index",
                        eta="+2h")
    assert raised.value.condition == Escalation.ETA_BEYOND_WINDOW
    stored = api.get(incident.id)
    assert len(stored.state.updates) == 1  # the update itself was kept
    assert stored.latest_escalation is not None
    assert stored.latest_escalation.condition == Escalation.ETA_BEYOND_WINDOW


def test_eta_within_the_window_does_not_escalate(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    updated = api.post_update(incident.id, status="Identified", impact="i", action="a",
                              eta="+3h")
    assert updated.state.escalations == []


def test_an_accepted_eta_does_not_escalate_again(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=2)
    with pytest.raises(Escalation):
        api.post_update(incident.id, status="Identified", impact="i", action="a", eta="+3h")
    api.acknowledge_risk(incident.id, KnownRisk.ETA_BEYOND_WINDOW, by="Grace (IC)",
                         note="the vendor needs three hours")
    api.post_update(incident.id, status="Mitigating", impact="i", action="a", eta="+3h")
    with pytest.raises(Escalation):  # a later ETA than the one accepted is asked again
        api.post_update(incident.id, status="Mitigating", impact="i", action="a", eta="+5h")


def test_updating_a_closed_incident_is_refused(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=3)
    api.store.close(incident.id, "fixed")
    before = api.store.get(incident.id).data
    with pytest.raises(Refused, match="closed"):
        api.post_update(incident.id, status="Identified", impact="i", action="a")
    assert api.store.get(incident.id).data == before


def test_resolved_is_not_an_update(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=3)
    with pytest.raises(Refused, match="resolve"):
        api.post_update(incident.id, status="Resolved", impact="i", action="a")


@pytest.mark.parametrize("fields", [
    {"status": "Panicking", "impact": "i", "action": "a"},
    {"status": "Identified", "impact": " ", "action": "a"},
    {"status": "Identified", "impact": "i", "action": ""},
    {"status": "Identified", "impact": "i", "action": "a", "eta": "-5m"},
    {"status": "Identified", "impact": "i", "action": "a", "next_update": "-5m"},
])
def test_bad_updates_are_refused(api: IncidentResponse, fields: dict[str, str]) -> None:
    incident = api.declare("Checkout down", severity=3)
    with pytest.raises(InvalidInput):
        api.post_update(incident.id, **fields)
    assert api.get(incident.id).state.updates == []


def test_overdue_lists_open_incidents_past_their_next_update(
        api: IncidentResponse, clock: FakeClock) -> None:
    sev1 = api.declare("Checkout down", severity=1)
    sev3 = api.declare("Search slow", severity=3)
    sev4 = api.declare("Typo", severity=4)
    assert api.overdue() == []
    clock.advance(minutes=20)
    assert [i.id for i in api.overdue()] == [sev1.id]
    with pytest.raises(Escalation, match="eta-beyond-window"):  # unmitigated past its window
        api.post_update(sev1.id, status="Identified", impact="i", action="a")
    clock.advance(minutes=45)
    assert [i.id for i in api.overdue()] == [sev1.id, sev3.id]  # most overdue first
    api.store.close(sev3.id, "gone")
    assert sev4.id not in [i.id for i in api.overdue()]
    assert [i.id for i in api.overdue()] == [sev1.id]


def test_update_text_is_stored_faithfully(api: IncidentResponse, store_repo: Path) -> None:
    incident = api.declare("Checkout down", severity=3)
    impact = 'EU "premium" users; 日本 too\nsecond line <b>&'
    updated = api.post_update(incident.id, status="Identified", impact=impact,
                              action="$(echo nope) `rm -rf`")
    assert updated.latest_update is not None and updated.latest_update.impact == impact
    again = IncidentResponse(store_repo).get(incident.id)
    assert again.state.updates[-1].action == "$(echo nope) `rm -rf`"
    assert_importable(store_repo)


def test_windows_and_cadences_come_from_the_repository(store_repo: Path,
                                                       clock: FakeClock) -> None:
    (store_repo / ".incident-beads.toml").write_text(
        "[severity.SEV-2]\nupdate_minutes = 10\nresponse_minutes = 50\n\n"
        "[knowledge]\npostmortem_within_hours = 24\n")
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident = api.declare("Checkout down", severity=2)
    updated = api.post_update(incident.id, status="Identified", impact="i", action="a",
                              eta="+45m")
    assert updated.state.escalations == []
    assert updated.state.next_update_at == clock.moment + timedelta(minutes=10)
    with pytest.raises(Refused, match="more than 24 h"):
        api.schedule_postmortem(incident.id, at="+30h", owner="grace")


def test_investigating_only_while_the_window_is_open(api: IncidentResponse,
                                                     clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=1)
    clock.advance(minutes=10)
    api.post_update(incident.id, status="Investigating", impact="i", action="a",
                    eta="investigating")
    clock.advance(minutes=10)
    before = api.store.path.read_bytes()
    with pytest.raises(Refused, match=r"response window .* closed at 2026-01-15 10:15 UTC"):
        api.post_update(incident.id, status="Investigating", impact="i", action="a",
                        eta="investigating")
    assert api.store.path.read_bytes() == before
    api.mitigate(incident.id, "rollback", "worked")
    # Mitigated, the estimate is of the resolution: "investigating" is honest again.
    api.post_update(incident.id, status="Identified", impact="i", action="root cause",
                    eta="investigating")


def test_an_unmitigated_incident_past_its_window_escalates_on_its_next_change(
        api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Login fails", severity=2)
    clock.advance(minutes=45)
    api.post_update(incident.id, status="Investigating", impact="i", action="a", eta="+10m")
    clock.advance(minutes=20)  # 65 min after detection: the SEV-2 window closed at 60
    assert [i.id for i in api.overdue()] == [incident.id]  # the update is not yet late
    with pytest.raises(Escalation, match="eta-beyond-window") as raised:
        api.assess(incident.id, users_affected="about 40%")
    assert raised.value.incident_id == incident.id
    state = api.get(incident.id).state
    assert state.assessment.users_affected == "about 40%"  # recorded, then raised
    assert [e.condition for e in state.escalations] == ["eta-beyond-window"]
    assert "window_closed_at" in state.escalations[0].data
    with pytest.raises(Escalation, match="held"):  # held until a person decides
        api.assess(incident.id, workaround="none")
    api.acknowledge_risk(incident.id, "eta-beyond-window", by="Grace",
                         note="keep investigating; rollback next")
    api.assess(incident.id, workaround="none")  # surfaced once per lapse
    assert len(api.get(incident.id).state.escalations) == 1
    api.mitigate(incident.id, "rollback", "worked")
    assert api.overdue() == []


def test_a_mitigation_past_the_window_ends_it_without_escalating(
        api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=1)
    clock.advance(minutes=40)
    api.mitigate(incident.id, "rollback", "worked")
    assert api.get(incident.id).state.escalations == []
