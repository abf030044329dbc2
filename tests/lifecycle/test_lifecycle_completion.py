"""`check`: the seed's five "task is COMPLETE when" criteria, one test each."""

from __future__ import annotations

import pytest

from incident_beads import Escalation, IncidentResponse
from tests.lifecycle.lifecycle_helpers import resolve

ASSESSED = {"who_affected": "all users", "what_broken": "checkout"}


def met(api: IncidentResponse, incident_id: str) -> list[bool]:
    return [criterion.met for criterion in api.check(incident_id).criteria]


def test_complete_when_incident_is_assessed_with_severity(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=2)
    assert met(api, incident.id)[0] is False
    assert "who is affected" in api.check(incident.id).criteria[0].detail
    api.assess(incident.id, **ASSESSED)
    assert met(api, incident.id)[0] is True


def test_complete_when_mitigation_applied_or_hotfix_verified(api: IncidentResponse) -> None:
    rung = api.declare("Checkout down", severity=2, **ASSESSED)
    assert met(api, rung.id)[1] is False
    api.mitigate(rung.id, "rollback", "failed")
    assert met(api, rung.id)[1] is False
    api.mitigate(rung.id, "feature-flag", "worked")
    assert met(api, rung.id)[1] is True
    hotfix = api.declare("Login down", severity=1, **ASSESSED)
    api.mark_mitigated(hotfix.id, "hotfix-x deployed and verified in production")
    assert met(api, hotfix.id)[1] is True


def test_complete_when_resolution_confirmed_with_monitoring_evidence(
        api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3, **ASSESSED)
    api.store.close(incident.id, "closed by hand without the checklist")
    report = api.check(incident.id)
    assert report.criteria[2].met is False and not report.complete
    other = api.declare("Search slow again", severity=3, **ASSESSED)
    resolve(api, other.id)
    assert met(api, other.id)[2] is True
    assert "grafana" in api.check(other.id).criteria[2].detail


def test_complete_when_postmortem_scheduled_for_sev1_and_sev2(api: IncidentResponse) -> None:
    sev2 = api.declare("Checkout down", severity=2, **ASSESSED)
    assert met(api, sev2.id)[3] is False
    api.schedule_postmortem(sev2.id, at="+1d", owner="grace")
    assert met(api, sev2.id)[3] is True
    sev4 = api.declare("Typo", severity=4, **ASSESSED)
    assert met(api, sev4.id)[3] is True
    assert "not required for SEV-4" in api.check(sev4.id).criteria[3].detail


def test_complete_when_resolution_message_communicated(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3, **ASSESSED)
    assert met(api, incident.id)[4] is False
    resolve(api, incident.id)
    assert met(api, incident.id)[4] is True
    with pytest.raises(Escalation):
        api.reopen(incident.id, reason="back")
    assert met(api, incident.id)[4] is False  # a recurrence needs a new resolution message


def test_complete_only_when_all_five_are_met(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1, **ASSESSED)
    api.mitigate(incident.id, "rollback", "worked")
    api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    assert met(api, incident.id) == [True, True, False, True, False]
    assert not api.check(incident.id).complete
    resolve(api, incident.id)
    assert api.check(incident.id).complete
