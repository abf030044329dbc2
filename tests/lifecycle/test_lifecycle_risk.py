"""Risk: accepting a risk needs an explicit, recorded acknowledgment; timeline events."""

from __future__ import annotations

import pytest

from incident_beads import Escalation, IncidentResponse, InvalidInput, Refused
from tests.lifecycle.lifecycle_helpers import FakeClock


def test_must_not_accept_risk_without_acknowledgment(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    assert not api.has_risk_ack(incident.id, "hotfix-without-rollback")
    with pytest.raises(Refused, match="explicit acknowledgment") as refused:
        api.require_risk_ack(incident.id, "hotfix-without-rollback", step="hotfix")
    assert "incident risk ack" in (refused.value.hint or "")


def test_acknowledgment_records_who_which_risk_and_when(
        api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=1)
    ack = api.acknowledge_risk(incident.id, "Hotfix without rollback", by="Grace (IC)",
                               note="rollback image is corrupt")
    assert (ack.risk, ack.by, ack.at) == ("Hotfix without rollback", "Grace (IC)", clock.moment)
    assert api.has_risk_ack(incident.id, "hotfix_without_rollback")
    assert api.require_risk_ack(incident.id, "hotfix-without-rollback", step="hotfix") == ack
    comment = api.store.get(incident.id).comments[-1]
    assert comment["author"] == "Grace (IC)" and "Hotfix without rollback" in comment["text"]


@pytest.mark.parametrize(("risk", "by"), [("", "Grace"), ("late", " ")])
def test_an_anonymous_or_unnamed_acknowledgment_is_refused(
        api: IncidentResponse, risk: str, by: str) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(InvalidInput):
        api.acknowledge_risk(incident.id, risk, by=by)


def test_record_event_is_a_comment_and_a_timeline_entry(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    event = api.record_event(incident.id, "Hotfix branch created", kind="hotfix",
                             actor="linus", data={"branch": "hotfix/incident-x"})
    stored = api.get(incident.id)
    assert stored.state.timeline[-1] == event
    assert api.store.get(incident.id).comments[-1]["text"] == "Hotfix branch created"


def test_escalate_records_then_raises(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(Escalation) as raised:
        api.escalate(incident.id, Escalation.RISKY_HOTFIX_NO_ROLLBACK, "touches the schema")
    assert raised.value.condition == Escalation.RISKY_HOTFIX_NO_ROLLBACK
    assert api.get(incident.id).latest_escalation is not None
