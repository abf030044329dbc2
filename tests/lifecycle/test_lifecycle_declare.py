"""Phase 1: declaring an incident writes the incident bead of the contract."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from incident_beads import Escalation, IncidentResponse, InvalidInput, NotFound, Severity
from incident_beads.lifecycle.model import METADATA_KEY
from tests.lifecycle.lifecycle_helpers import FakeClock, assert_importable


def test_declare_writes_the_incident_bead(api: IncidentResponse, store_repo: Path) -> None:
    incident = api.declare(
        "Checkout returns 500", severity="sev2", who_affected="all users",
        what_broken="checkout", users_affected="~2000", workaround="pay by invoice",
        error_messages=["HTTP 500 on /pay"], alerts=["checkout-5xx"],
        recent_changes=["deploy v1.4.2 at 09:40"], reported_by="pagerduty",
        services=["checkout"])
    issue = api.store.get(incident.id)
    assert issue.title == "[SEV-2] Checkout returns 500"
    assert issue.issue_type == "bug"
    assert issue.priority == 1
    assert issue.labels == ["incident", "sev-2"]
    assert "checkout" in issue.description and "~2000" in issue.description
    assert "HTTP 500 on /pay" in issue.description
    state = issue.metadata[METADATA_KEY]
    assert state["kind"] == "incident"
    assert state["severity"] == "SEV-2"
    assert state["assessment"]["reported_by"] == "pagerduty"
    assert state["timestamps"]["detected"] == "2026-01-15T10:00:00Z"
    assert issue.comments[0]["author"] == "ada"
    assert issue.comments[0]["text"].startswith("Declared SEV-2")
    assert incident.severity is Severity.SEV2
    assert_importable(store_repo)


def test_severity_is_required(api: IncidentResponse) -> None:
    with pytest.raises(InvalidInput, match="unknown severity"):
        api.declare("Checkout down", severity="")
    assert api.incidents() == []


def test_detected_at_defaults_to_now_and_accepts_relative_times(
        api: IncidentResponse, clock: FakeClock) -> None:
    assert api.declare("a", severity=3).state.timestamps.detected == clock.moment
    earlier = api.declare("b", severity=3, detected_at="-20m")
    assert earlier.state.assessment.detected_at == clock.moment - timedelta(minutes=20)


def test_detected_at_in_the_future_is_refused(api: IncidentResponse) -> None:
    with pytest.raises(InvalidInput, match="future"):
        api.declare("a", severity=3, detected_at="+2h")


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "x" * 501])
def test_bad_titles_are_refused_and_nothing_is_written(
        api: IncidentResponse, store_repo: Path, title: str) -> None:
    with pytest.raises(InvalidInput):
        api.declare(title, severity=1)
    assert (store_repo / ".beads" / "issues.jsonl").read_bytes() == b""


def test_a_title_that_fits_with_its_tag_is_kept(api: IncidentResponse) -> None:
    title = "y" * 492
    assert api.declare(title, severity=1).title == title
    with pytest.raises(InvalidInput, match="at most 492"):
        api.declare(title + "y", severity=1)


def test_odd_text_is_stored_faithfully(api: IncidentResponse, store_repo: Path) -> None:
    title = 'Prix "faux" ; $(rm -rf /) <b>&amp; 日本語 \u2028 émoji 🔥'
    error = "Traceback:\n  File \"x\", line 1\n\tKeyError: 'é'"
    incident = api.declare(title, severity="SEV-3", error_messages=[error])
    again = IncidentResponse(store_repo, actor="ada").get(incident.id)
    assert again.title == title
    assert again.state.assessment.error_messages == [error]
    lines = (store_repo / ".beads" / "issues.jsonl").read_bytes().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["title"].endswith(title)
    assert_importable(store_repo)


def test_unknown_id_is_refused(api: IncidentResponse) -> None:
    with pytest.raises(NotFound):
        api.get("nope-123")


def test_a_bead_that_is_no_incident_is_refused(api: IncidentResponse) -> None:
    task = api.store.create("Some task")
    with pytest.raises(NotFound, match="not an incident"):
        api.get(task.id)


def test_a_hand_made_incident_bead_is_read(api: IncidentResponse) -> None:
    issue = api.store.create("[SEV-2] Login fails", issue_type="bug", priority=1,
                             labels=["incident", "sev-2"])
    incident = api.get(issue.id)
    assert incident.severity is Severity.SEV2 and incident.title == "Login fails"


def test_must_stop_when_data_is_at_risk(api: IncidentResponse) -> None:
    with pytest.raises(Escalation) as raised:
        api.declare("Orders table truncated", severity=1, data_at_risk=True)
    assert raised.value.condition == Escalation.DATA_LOSS_OR_SECURITY
    # recorded BEFORE it was raised: the incident exists with the escalation on its timeline
    incident = api.get(str(raised.value.incident_id))
    assert incident.state.assessment.data_at_risk
    assert incident.latest_escalation is not None
    assert incident.latest_escalation.condition == Escalation.DATA_LOSS_OR_SECURITY
    assert any("ESCALATION" in c["text"] for c in api.store.get(incident.id).comments)


def test_must_stop_on_a_security_breach(api: IncidentResponse) -> None:
    with pytest.raises(Escalation) as raised:
        api.declare("Leaked tokens", severity=2, security=True)
    assert raised.value.condition == Escalation.DATA_LOSS_OR_SECURITY
    assert api.get(str(raised.value.incident_id)).state.assessment.security


def test_works_without_a_store_in_memory(memory_api: IncidentResponse, tmp_path: Path) -> None:
    incident = memory_api.declare("Checkout down", severity=1)
    memory_api.post_update(incident.id, status="Investigating", impact="all", action="look")
    assert memory_api.get(incident.id).state.timestamps.acknowledged is not None
    assert not (tmp_path / ".beads").exists()


def test_assess_refines_the_assessment(api: IncidentResponse, store_repo: Path) -> None:
    incident = api.declare("Checkout down", severity=2, error_messages=["E1"])
    refined = api.assess(incident.id, who_affected="EU users", error_messages=["E1", "E2"],
                         services=["checkout"])
    assessment = refined.state.assessment
    assert (assessment.who_affected, assessment.error_messages) == ("EU users", ["E1", "E2"])
    issue = api.store.get(incident.id)
    assert "EU users" in issue.description
    assert issue.comments[-1]["text"].startswith("Assessment updated: who affected: EU users")
    assert_importable(store_repo)


def test_assess_with_nothing_new_is_refused(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=2, who_affected="all")
    with pytest.raises(InvalidInput, match="nothing to change"):
        api.assess(incident.id, who_affected="all", error_messages=[" "])


def test_must_stop_when_data_is_found_at_risk_later(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=2)
    with pytest.raises(Escalation) as raised:
        api.assess(incident.id, data_at_risk=True)
    assert raised.value.condition == Escalation.DATA_LOSS_OR_SECURITY
    assert api.get(incident.id).state.assessment.data_at_risk
    api.acknowledge_risk(incident.id, Escalation.DATA_LOSS_OR_SECURITY, by="Grace",
                         note="backups verified; keep going")
    api.assess(incident.id, who_affected="all")  # already known: no second escalation


def test_a_hand_written_description_is_left_alone(api: IncidentResponse) -> None:
    issue = api.store.create("[SEV-3] Slow", issue_type="bug", priority=2,
                             labels=["incident", "sev-3"], description="Written by Ada.")
    api.assess(issue.id, who_affected="admins")
    api.reclassify(issue.id, 2, reason="worse")
    assert api.store.get(issue.id).description == "Written by Ada."


def test_an_unreadable_old_incident_does_not_stop_a_declaration(
        api: IncidentResponse) -> None:
    broken = api.store.create("[SEV-2] Old", issue_type="bug", priority=1,
                              labels=["incident", "sev-2"],
                              metadata={"incident_beads": {"kind": "incident", "severity": 7}})
    api.store.close(broken.id, "old")
    assert api.declare("Checkout down", severity=2, services=["checkout"]).id


def test_every_phase_works_without_a_store(memory_api: IncidentResponse,
                                           tmp_path: Path) -> None:
    incident = memory_api.declare("Checkout down", severity=1, who_affected="all",
                                  what_broken="checkout")
    memory_api.post_update(incident.id, status="Identified", impact="all", action="rollback",
                           eta="+5m")
    memory_api.mitigate(incident.id, "rollback", "worked")
    memory_api.handoff(incident.id)
    memory_api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    memory_api.resolve(incident.id, resolution="rolled back", root_cause="bad deploy",
                       no_longer_occurring=True, error_rates_normal=True,
                       users_can_use_feature=True, monitoring_evidence="graphs flat",
                       stakeholders_notified=True)
    assert memory_api.check(incident.id).complete
    assert not (tmp_path / ".beads").exists()
