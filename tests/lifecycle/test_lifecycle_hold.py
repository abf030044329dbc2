"""An escalation holds its incident until a person decides, whatever its condition."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from incident_beads import Escalation, IncidentResponse, InvalidInput, Refused
from incident_beads.config import Config, PeopleConfig
from incident_beads.lifecycle.model import Phase
from tests.lifecycle.lifecycle_helpers import CONFIRMED, FakeClock

STORE = Path(".beads") / "issues.jsonl"


def held_incident(api: IncidentResponse) -> str:
    """A SEV-1 escalated for data at risk when it was declared."""
    with pytest.raises(Escalation) as raised:
        api.declare("Orders lost", severity=1, data_at_risk=True, who_affected="all",
                    what_broken="checkout")
    incident_id = raised.value.incident_id
    assert incident_id is not None
    return incident_id


def exhaust(api: IncidentResponse, incident_id: str) -> None:
    """Rule out every rung; the last one escalates (mitigations exhausted)."""
    for rung in ("rollback", "feature-flag", "config-change"):
        api.mitigate(incident_id, rung, "unavailable", detail="not possible")
    with pytest.raises(Escalation) as raised:
        api.mitigate(incident_id, "scale", "failed", detail="more pods fail the same way")
    assert raised.value.condition == Escalation.MITIGATIONS_EXHAUSTED


CHANGES: dict[str, Callable[[IncidentResponse, str], Any]] = {
    "assess": lambda api, i: api.assess(i, who_affected="everyone"),
    "mitigate": lambda api, i: api.mitigate(i, "rollback", "worked", detail="v1.4.1"),
    "mark mitigated": lambda api, i: api.mark_mitigated(i, "a restart"),
    "reclassify": lambda api, i: api.reclassify(i, 2, reason="smaller than thought"),
    "schedule post-mortem": lambda api, i: api.schedule_postmortem(i, at="+1d", owner="Cara"),
    "resolve": lambda api, i: api.resolve(i, resolution="r", root_cause="c", **CONFIRMED),
    "handoff": lambda api, i: api.handoff(i),
    "event with a phase": lambda api, i: api.record_event(i, "moving on", phase=Phase.HOTFIX),
    "hotfix start": lambda api, i: api.hotfixes.start(i),
    "action item": lambda api, i: api.knowledge.add_action(
        i, "Add a test", priority=1, owner="Cara", due="+7d", kind="prevent"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_is_refused_while_held_and_nothing_is_written(
        api: IncidentResponse, change: Callable[[IncidentResponse, str], Any]) -> None:
    incident_id = held_incident(api)
    before = (api.root / STORE).read_bytes()
    with pytest.raises(Escalation) as held:
        change(api, incident_id)
    stop = held.value
    assert stop.held and stop.exit_code == 3
    assert stop.condition == Escalation.DATA_LOSS_OR_SECURITY
    assert stop.incident_id == incident_id
    assert stop.since == api.get(incident_id).state.escalations[0].at
    assert stop.decision_command == (f"incident risk ack {incident_id} --risk "
                                     "data-loss-or-security --by PERSON --note WHY")
    assert "held since" in stop.message and stop.decision_command in (stop.hint or "")
    assert (api.root / STORE).read_bytes() == before


def test_reading_updates_notes_and_check_stay_allowed(api: IncidentResponse) -> None:
    incident_id = held_incident(api)
    api.post_update(incident_id, status="Investigating", impact="orders fail", action="logs")
    api.record_event(incident_id, "paged the database team")
    api.acknowledge_risk(incident_id, "postmortem-beyond-window", by="Cara")  # another risk
    report = api.check(incident_id)
    assert not report.complete
    assert [e.condition for e in report.open_escalations] == [Escalation.DATA_LOSS_OR_SECURITY]
    assert api.get(incident_id).state.open_escalations  # still held
    with pytest.raises(Escalation):
        api.mitigate(incident_id, "rollback", "worked")


def test_a_decision_releases_the_hold_and_is_on_the_timeline(api: IncidentResponse,
                                                             clock: FakeClock) -> None:
    incident_id = held_incident(api)
    clock.advance(minutes=5)
    api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Cara",
                         note="backups verified, no data lost", actor="cara-laptop")
    state = api.get(incident_id).state
    decided = state.escalations[0]
    assert (decided.decided_by, decided.decision_note, decided.decision_recorded_by) == (
        "Cara", "backups verified, no data lost", "cara-laptop")
    assert decided.decided_at == clock.moment and state.open_escalations == []
    assert state.timeline[-1].kind == "decision" and "Cara" in state.timeline[-1].text
    api.mitigate(incident_id, "rollback", "worked", detail="v1.4.1")
    assert api.check(incident_id).open_escalations == []


def test_each_open_escalation_needs_its_own_decision_whatever_its_name(
        api: IncidentResponse) -> None:
    incident_id = held_incident(api)
    with pytest.raises(Escalation) as custom:  # a condition this library does not know
        api.escalate(incident_id, "vendor-outage", "the payment provider is down")
    assert custom.value.condition == "vendor-outage"
    api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Cara", note="ok")
    with pytest.raises(Escalation) as still:
        api.resolve(incident_id, resolution="r", root_cause="c", **CONFIRMED)
    assert still.value.condition == "vendor-outage" and still.value.held
    api.acknowledge_risk(incident_id, "Vendor outage", by="Cara", note="wait for them")
    api.mitigate(incident_id, "rollback", "worked")


def test_a_later_escalation_of_a_decided_condition_holds_again(api: IncidentResponse,
                                                               clock: FakeClock) -> None:
    incident_id = held_incident(api)
    api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Cara", note="ok")
    clock.advance(minutes=1)
    with pytest.raises(Escalation):
        api.assess(incident_id, security=True)  # newly found: a breach
    with pytest.raises(Escalation, match="held"):
        api.mitigate(incident_id, "rollback", "worked")


def test_a_decision_needs_a_note(api: IncidentResponse) -> None:
    incident_id = held_incident(api)
    before = (api.root / STORE).read_bytes()
    with pytest.raises(InvalidInput, match="note"):
        api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Cara")
    assert (api.root / STORE).read_bytes() == before


@pytest.mark.parametrize("who", ["agent:orchestrator", "release[bot]", "Orchestrator-7"])
def test_an_automated_actor_never_decides(store_repo: Path, clock: FakeClock,
                                          who: str) -> None:
    config = Config(people=PeopleConfig(agents=("orchestrator*",)))
    api = IncidentResponse(store_repo, clock=clock, actor="orchestrator-7", config=config)
    incident_id = held_incident(api)
    with pytest.raises(Refused, match="automated") as refused:
        api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by=who, note="go")
    assert "a person" in (refused.value.hint or "")
    assert api.get(incident_id).state.open_escalations


def test_with_approvers_only_they_decide(store_repo: Path, clock: FakeClock) -> None:
    config = Config(people=PeopleConfig(approvers=("Cara Lee",)))
    api = IncidentResponse(store_repo, clock=clock, actor="orchestrator", config=config)
    incident_id = held_incident(api)
    with pytest.raises(Refused, match="not an approver") as refused:
        api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Bob", note="go")
    assert "Cara Lee" in (refused.value.hint or "")
    api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="cara lee",
                         note="go")
    assert not api.get(incident_id).state.open_escalations


def test_the_escalating_call_retried_records_nothing_twice(api: IncidentResponse,
                                                           clock: FakeClock) -> None:
    incident_id = api.declare("Checkout down", severity=1).id
    exhaust(api, incident_id)
    with pytest.raises(Escalation, match="held"):  # retried before anyone decided
        api.mitigate(incident_id, "scale", "failed", detail="more pods fail the same way")
    clock.advance(minutes=4)
    api.acknowledge_risk(incident_id, Escalation.MITIGATIONS_EXHAUSTED, by="Cara",
                         note="hotfix it")
    api.acknowledge_risk(incident_id, Escalation.MITIGATIONS_EXHAUSTED, by="Cara",
                         note="hotfix it")  # the decision retried, too
    before = api.get(incident_id).state
    again = api.mitigate(incident_id, "scale", "failed", detail="more pods fail the same way")
    assert len(again.state.mitigations) == len(before.mitigations) == 4
    assert len(again.state.escalations) == 1 and again.state.open_escalations == []
    assert len(again.state.risk_acknowledgments) == 1
    assert len(again.state.timeline) == len(before.timeline)


def test_an_escalation_retried_records_nothing_twice(api: IncidentResponse) -> None:
    incident_id = api.declare("Checkout down", severity=2).id
    for _ in range(2):
        with pytest.raises(Escalation):
            api.escalate(incident_id, "vendor-outage", "the payment provider is down")
    assert len(api.get(incident_id).state.escalations) == 1
    api.acknowledge_risk(incident_id, "vendor-outage", by="Cara", note="wait")
    api.escalate(incident_id, "vendor-outage", "the payment provider is down")  # no raise
    assert len(api.get(incident_id).state.escalations) == 1


def test_the_decision_is_in_the_postmortem_draft(api: IncidentResponse) -> None:
    incident_id = held_incident(api)
    api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Cara",
                         note="backups verified")
    api.schedule_postmortem(incident_id, at="+1d", owner="Cara")
    draft = api.knowledge.postmortem_draft(incident_id)
    text = (api.root / draft.path).read_text(encoding="utf-8")
    decision = next(line for line in text.splitlines() if "Decision by Cara" in line)
    assert "data-loss-or-security" in decision and "backups verified" in decision


def test_a_declaration_retried_returns_the_incident_it_made(api: IncidentResponse) -> None:
    declare = {"title": "Orders lost", "severity": 1, "data_at_risk": True}
    with pytest.raises(Escalation) as first:
        api.declare(**declare)
    with pytest.raises(Escalation) as again:  # retried while held: still held, no second bead
        api.declare(**declare)
    assert again.value.held and again.value.incident_id == first.value.incident_id
    incident_id = first.value.incident_id
    assert incident_id is not None
    api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Cara", note="ok")
    assert api.declare(**declare).id == incident_id
    assert len(api.incidents()) == 1


def test_a_new_escalation_in_the_second_of_a_decision_still_holds(api: IncidentResponse) -> None:
    incident_id = held_incident(api)  # the clock does not move in this test
    api.acknowledge_risk(incident_id, Escalation.DATA_LOSS_OR_SECURITY, by="Cara", note="ok")
    with pytest.raises(Escalation):
        api.escalate(incident_id, Escalation.DATA_LOSS_OR_SECURITY, "a second table is gone")
    with pytest.raises(Escalation, match="held"):
        api.mitigate(incident_id, "rollback", "worked")


def test_an_escalation_written_before_decisions_were_stored_is_settled_by_a_later_ack(
        api: IncidentResponse, clock: FakeClock) -> None:
    incident_id = api.declare("Checkout down", severity=2).id
    with api.store.transaction() as tx:  # a record as version 0.1 wrote it
        issue = tx.get(incident_id)
        record = dict(issue.metadata["incident_beads"])
        record["escalations"] = [{"condition": "recurrence", "message": "again",
                                  "at": "2026-01-15T09:00:00Z", "by": "ada", "data": {}}]
        record["risk_acknowledgments"] = [{"risk": "recurrence", "by": "Cara",
                                           "at": "2026-01-15T09:30:00Z", "note": ""}]
        tx.set_metadata(incident_id, "incident_beads", record)
    assert api.get(incident_id).state.open_escalations == []
    api.mitigate(incident_id, "rollback", "worked")
