"""Risk: accepting a risk needs an explicit, recorded acknowledgment; timeline events."""

from __future__ import annotations

import threading

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
    # The comment is written by whoever records it; the text names the person who accepted.
    assert comment["author"] == "ada"
    assert "Grace (IC)" in comment["text"] and "Hotfix without rollback" in comment["text"]


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


def test_an_acknowledgment_cannot_be_dated_in_the_future(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(InvalidInput, match="future"):
        api.acknowledge_risk(incident.id, "late-postmortem", by="Grace", at="+1h")
    earlier = api.acknowledge_risk(incident.id, "late-postmortem", by="Grace", at="-5m")
    assert earlier.at < api.now()


def test_two_writers_never_lose_each_others_records(api: IncidentResponse,
                                                    clock: FakeClock) -> None:
    other = IncidentResponse(api.root, clock=clock, actor="linus")
    incident = api.declare("Checkout down", severity=1)
    stale = other.get(incident.id)
    api.post_update(incident.id, status="Investigating", impact="all", action="a")
    other.mitigate(stale.id, "rollback", "in-progress")
    api.acknowledge_risk(incident.id, "hotfix-without-rollback", by="Grace")
    other.record_event(incident.id, "paged the database team")
    state = api.get(incident.id).state
    assert (len(state.updates), len(state.mitigations), len(state.risk_acknowledgments)) == \
        (1, 1, 1)
    assert [c["author"] for c in api.store.get(incident.id).comments] == \
        ["ada", "ada", "ada", "linus", "ada", "linus"]


def test_concurrent_writers_keep_every_update(api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=3)

    def post(actor: str) -> None:
        writer = IncidentResponse(api.root, clock=clock, actor=actor)
        for n in range(4):
            writer.post_update(incident.id, status="Identified", impact=f"{actor} {n}",
                               action="watching")

    threads = [threading.Thread(target=post, args=(name,)) for name in ("ada", "linus")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    impacts = sorted(u.impact for u in api.get(incident.id).state.updates)
    assert impacts == sorted(f"{a} {n}" for a in ("ada", "linus") for n in range(4))
    assert len(api.store.get(incident.id).comments) == 10  # declared, step 0, 8 updates
