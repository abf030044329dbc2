"""Reclassification, recurrence, the root-cause hand-off and the completion check."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads import Config, Escalation, IncidentResponse, InvalidInput, Refused, Severity
from incident_beads.config import KnowledgeConfig
from tests.lifecycle.lifecycle_helpers import FakeClock, assert_importable, resolve


def test_reclassify_moves_title_label_and_priority(api: IncidentResponse,
                                                   store_repo: Path) -> None:
    incident = api.declare("Search slow", severity=3)
    up = api.reclassify(incident.id, "SEV-2", reason="checkout search also down")
    issue = api.store.get(incident.id)
    assert (issue.title, issue.priority) == ("[SEV-2] Search slow", 1)
    assert issue.labels == ["incident", "sev-2"]
    assert "**Severity:** SEV-2" in issue.description
    assert up.severity is Severity.SEV2
    assert "SEV-3 -> SEV-2: checkout search also down" in issue.comments[-1]["text"]
    assert up.state.timeline[-1].kind == "reclassified"
    assert_importable(store_repo)


def test_reclassify_needs_a_reason_and_a_change(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    with pytest.raises(InvalidInput, match="reason"):
        api.reclassify(incident.id, 2, reason=" ")
    with pytest.raises(Refused, match="already SEV-3"):
        api.reclassify(incident.id, 3, reason="same")


def test_reclassify_up_brings_the_next_update_forward(api: IncidentResponse,
                                                      clock: FakeClock) -> None:
    incident = api.declare("Search slow", severity=3)
    up = api.reclassify(incident.id, 1, reason="site down")
    assert up.state.next_update_at is not None
    assert (up.state.next_update_at - clock.moment).total_seconds() == 15 * 60


def test_must_stop_when_a_resolved_incident_recurs_as_a_new_one(
        api: IncidentResponse, clock: FakeClock, store_repo: Path) -> None:
    first = api.declare("Checkout returns 500 on payment", severity=2, services=["checkout"],
                        error_messages=["PoolTimeout: no connection available"])
    api.schedule_postmortem(first.id, at="+1d", owner="grace")
    resolve(api, first.id)
    clock.advance(days=3)
    with pytest.raises(Escalation) as raised:
        api.declare("Payment page fails", severity=2, services=["checkout"],
                    error_messages=["PoolTimeout: no connection available"])
    assert raised.value.condition == Escalation.RECURRENCE
    second = api.get(str(raised.value.incident_id))
    assert second.state.recurrence_of == [first.id]
    assert api.store.get(second.id).depends_on("related") == [first.id]
    assert api.get(first.id).state.timeline[-1].text == f"Recurred as {second.id}"
    assert_importable(store_repo)


@pytest.mark.parametrize(("title", "services", "days"), [
    ("Checkout returns 500 on payment", ["search"], 3),   # another service
    ("Avatar upload is slow", ["checkout"], 3),            # other symptoms
    ("Checkout returns 500 on payment", ["checkout"], 20),  # outside the window
])
def test_no_recurrence_without_service_symptoms_and_window(
        api: IncidentResponse, clock: FakeClock, title: str, services: list[str],
        days: int) -> None:
    first = api.declare("Checkout returns 500 on payment", severity=3, services=["checkout"])
    resolve(api, first.id)
    clock.advance(days=days)
    assert api.declare(title, severity=3, services=services).state.recurrence_of == []


def test_recurrence_window_is_configurable(store_repo: Path, clock: FakeClock) -> None:
    config = Config(knowledge=KnowledgeConfig(recurrence_window_days=30))
    api = IncidentResponse(store_repo, clock=clock, config=config, actor="ada")
    first = api.declare("Checkout returns 500 on payment", severity=3, services=["checkout"])
    resolve(api, first.id)
    clock.advance(days=20)
    with pytest.raises(Escalation, match="recurrence"):
        api.declare("Checkout returns 500 on payment", severity=3, services=["checkout"])


def test_handoff_creates_the_root_cause_bead(api: IncidentResponse, store_repo: Path) -> None:
    incident = api.declare("Checkout down", severity=3, error_messages=["PoolTimeout"])
    with pytest.raises(Refused, match="not stable"):
        api.handoff(incident.id)
    api.mitigate(incident.id, "rollback", "worked", detail="v1.4.1")
    handed = api.handoff(incident.id, notes="look at the pool settings of v1.4.2")
    bead = api.store.get(handed.root_cause_id)
    assert bead.title == "Root cause: Checkout down"
    assert (bead.issue_type, bead.priority, bead.labels) == ("task", 1, ["root-cause"])
    assert bead.depends_on("discovered-from") == [incident.id]
    assert "PoolTimeout" in bead.description and "rollback (worked)" in bead.description
    assert bead.metadata["incident_beads"]["kind"] == "root-cause"
    again = api.handoff(incident.id)
    assert again.root_cause_id == handed.root_cause_id and not again.created
    assert_importable(store_repo)


def test_reclassifying_a_closed_incident_is_refused(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    resolve(api, incident.id)
    with pytest.raises(Refused, match="closed"):
        api.reclassify(incident.id, 1, reason="late")
