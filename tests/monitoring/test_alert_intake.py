"""Alerts in: recorded Alertmanager payloads declare, attach, resolve, and retry harmlessly."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.beads.transaction import Changes
from incident_beads.clock import ReplayClock
from incident_beads.config import load_config
from incident_beads.errors import InvalidInput
from incident_beads.monitoring.alertmanager import parse_payload
from incident_beads.monitoring.intake import ALERT_ACTOR, receive
from tests.cli_runner import run_incident
from tests.lifecycle.lifecycle_helpers import resolve
from tests.monitoring.conftest import RECORDED, body, recorded, variant

STORE = Path(".beads") / "issues.jsonl"


def deliver(api: IncidentResponse, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return receive(api, parse_payload(body(data)))


def test_firing_payload_declares_an_incident_with_its_alerts(api: IncidentResponse) -> None:
    delivery = deliver(api, recorded("firing"))
    assert delivery.outcome == "declared" and delivery.escalation is None
    incident = api.get(delivery.incident_id or "")
    assert incident.title == "Checkout requests are failing"
    assert incident.severity == "SEV-1"  # severity="critical"
    assessment = incident.state.assessment
    assert assessment.services == ["checkout"]
    assert assessment.what_broken == "More than one failed request a second."
    assert assessment.reported_by == "Alertmanager (incident)"
    (alert,) = assessment.fired_alerts
    assert alert.name == "CheckoutErrorRate" and alert.fingerprint == "f86971db1d6cde26"
    assert alert.labels["job"] == "checkout" and alert.value == "16.11"
    assert alert.starts_at.isoformat().startswith("2026-12-03T08:09:11")
    assert alert.generator_url.startswith("http://") and alert.ends_at is None
    assert "CheckoutErrorRate" in assessment.alerts[0] and "value 16.11" in assessment.alerts[0]
    assert assessment.detected_at == alert.starts_at
    assert incident.state.timeline[0].by == ALERT_ACTOR
    assert "Monitoring alerts: CheckoutErrorRate" in api.store.get(incident.id).description


def test_a_retried_delivery_changes_nothing(api: IncidentResponse) -> None:
    first = deliver(api, recorded("firing"))
    before = (api.root / STORE).read_bytes()
    again = deliver(api, recorded("firing"))
    assert (again.outcome, again.incident_id) == ("duplicate", first.incident_id)
    assert (api.root / STORE).read_bytes() == before


def test_resolved_payload_goes_on_the_timeline_once(api: IncidentResponse,
                                                    clock: ReplayClock) -> None:
    incident_id = deliver(api, recorded("firing")).incident_id or ""
    clock.advance(seconds=10)
    assert deliver(api, recorded("resolved")).outcome == "resolved"
    assert deliver(api, recorded("resolved")).outcome == "duplicate"
    state = api.get(incident_id).state
    assert [e.kind for e in state.timeline].count("alert-resolved") == 1
    assert state.assessment.fired_alerts[0].status == "resolved"
    assert state.assessment.fired_alerts[0].ends_at is not None
    assert api.get(incident_id).is_open  # an alert clearing is not the incident resolved


def test_more_alerts_of_the_group_attach_to_its_open_incident(api: IncidentResponse) -> None:
    incident_id = deliver(api, recorded("firing")).incident_id
    second = variant("firing", alert={"fingerprint": "aaaa000000000001",
                                      "labels": {"alertname": "CheckoutErrorRate",
                                                 "service": "checkout", "instance": "b"}})
    delivery = deliver(api, second)
    assert (delivery.outcome, delivery.incident_id) == ("attached", incident_id)
    assert len(api.incidents()) == 1
    assert len(api.get(incident_id or "").state.assessment.fired_alerts) == 2


def test_an_alert_seen_before_attaches_even_in_another_group(api: IncidentResponse) -> None:
    incident_id = deliver(api, recorded("firing")).incident_id
    regrouped = variant("firing", groupKey='{}:{service="checkout"}')
    assert deliver(api, regrouped).incident_id == incident_id
    assert len(api.incidents()) == 1


def test_resolved_alerts_of_an_unknown_group_write_nothing(api: IncidentResponse) -> None:
    assert deliver(api, recorded("resolved")).outcome == "ignored"
    assert (api.root / STORE).read_bytes() == b""


@pytest.mark.parametrize(("label", "level"), [
    ("critical", "SEV-1"), ("high", "SEV-2"), ("error", "SEV-2"), ("warning", "SEV-3"),
    ("info", "SEV-4"), ("page-me", "SEV-3")])
def test_severity_comes_from_the_label_map(api: IncidentResponse, label: str,
                                           level: str) -> None:
    labels = {**recorded("firing")["alerts"][0]["labels"], "severity": label}
    delivery = deliver(api, variant("firing", alert={"labels": labels}))
    incident = api.get(delivery.incident_id or "")
    assert incident.severity == level
    assert ("not mapped" in incident.state.assessment.notes) == (label == "page-me")


def test_the_severity_map_is_configurable(store_repo: Path, clock: ReplayClock) -> None:
    (store_repo / ".incident-beads.toml").write_text(
        '[monitoring]\nseverity_label = "priority"\ndefault_severity = "SEV-2"\n'
        '[monitoring.severity_map]\nP1 = "SEV-1"\n')
    api = IncidentResponse(store_repo, clock=clock, config=load_config(store_repo))
    labels = {"alertname": "Down", "priority": "P1", "job": "api"}
    delivery = deliver(api, variant("firing", alert={"labels": labels}))
    incident = api.get(delivery.incident_id or "")
    assert incident.severity == "SEV-1" and incident.state.assessment.services == ["api"]
    delivery = deliver(api, variant("firing", groupKey="other", alert={
        "fingerprint": "0000000000000002", "labels": {"alertname": "Slow", "job": "api"}}))
    assert api.get(delivery.incident_id or "").severity == "SEV-2"


def test_the_group_firing_again_after_resolution_is_a_recurrence(api: IncidentResponse,
                                                                  clock: ReplayClock) -> None:
    first = deliver(api, recorded("firing")).incident_id or ""
    api.schedule_postmortem(first, at="+1d", owner="ada")
    resolve(api, first)
    clock.advance(hours=2)
    again = variant("firing", alert={"startsAt": "2026-12-03T10:09:00Z"})
    delivery = deliver(api, again)
    assert delivery.outcome == "declared" and delivery.incident_id != first
    assert delivery.escalation is not None and delivery.escalation.condition == "recurrence"
    assert api.get(delivery.incident_id or "").state.recurrence_of == [first]


@pytest.mark.parametrize("text", [
    b"", b"not json", b"[]", b'{"version": "3"}',
    body(variant("firing", alerts=[])), body(variant("firing", status="exploded")),
    body(variant("firing", alert={"startsAt": "yesterday"})),
])
def test_malformed_payloads_are_refused_in_one_line(text: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_payload(text)
    assert "not an Alertmanager webhook payload" in refused.value.one_line()


def test_cli_takes_a_file_or_stdin(store_repo: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-12-03T08:09:30Z")
    code, out, _ = run_incident(capsys, store_repo, "alert", str(RECORDED / "firing.json"))
    assert code == 0 and out.split()[1] == "declared:"
    incident_id = out.split()[0]
    monkeypatch.setattr("sys.stdin", open(RECORDED / "firing.json"))  # noqa: SIM115
    code, out, _ = run_incident(capsys, store_repo, "alert", "-", "--json")
    assert code == 0 and '"outcome": "duplicate"' in out and incident_id in out


def test_cli_refuses_a_bad_body_and_writes_nothing(store_repo: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "4", "status": "firing"}')
    code, out, err = run_incident(capsys, store_repo, "alert", str(bad))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "groupKey" in err and (store_repo / STORE).read_bytes() == b""


def test_cli_recurrence_exits_3(store_repo: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch, clock: ReplayClock) -> None:
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    first = deliver(api, recorded("firing")).incident_id or ""
    api.schedule_postmortem(first, at="+1d", owner="ada")
    resolve(api, first)
    again = store_repo.parent / "again.json"
    again.write_bytes(body(variant("firing", alert={"startsAt": "2026-12-03T10:09:00Z"})))
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-12-03T10:10:00Z")
    code, out, err = run_incident(capsys, store_repo, "alert", str(again))
    assert code == 3 and "recurrence" in err and "declared" in out


def test_the_monitoring_names_load_lazily() -> None:
    import subprocess
    import sys

    import incident_beads.monitoring as monitoring

    assert sorted(monitoring.__all__) == sorted(monitoring._EXPORTS)
    assert all(getattr(monitoring, name) is not None for name in monitoring.__all__)
    code = ("import sys, incident_beads.monitoring.alertmanager; "
            "print(sorted(m for m in ('waitress', 'urllib.request') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_alerts_still_firing_after_resolution_are_no_new_incident(
        api: IncidentResponse, clock: ReplayClock) -> None:
    first = deliver(api, recorded("firing")).incident_id or ""
    api.schedule_postmortem(first, at="+1d", owner="ada")
    resolve(api, first)  # a person resolved while the alert still fires
    clock.advance(minutes=1)
    assert deliver(api, recorded("firing")).outcome == "duplicate"  # a retry or a repeat
    regrouped = deliver(api, variant("firing", groupKey='{}:{service="checkout"}'))
    assert (regrouped.outcome, regrouped.incident_id) == ("attached", first)
    assert "still firing" in api.get(first).state.timeline[-1].text
    assert len(api.incidents(include_closed=True)) == 1
    assert deliver(api, recorded("resolved")).incident_id == first


def test_a_more_severe_alert_is_said_not_acted_on(api: IncidentResponse) -> None:
    warning = {**recorded("firing")["alerts"][0]["labels"], "severity": "warning"}
    incident_id = deliver(api, variant("firing", alert={"labels": warning})).incident_id or ""
    assert api.get(incident_id).severity == "SEV-3"
    critical = variant("firing", alert={"fingerprint": "0000000000000009", "labels": {
        **warning, "severity": "critical", "instance": "b"}})
    assert deliver(api, critical).outcome == "attached"
    incident = api.get(incident_id)
    assert incident.severity == "SEV-3"
    assert f"incident reclassify {incident_id} --sev 1" in incident.state.timeline[-1].text


def test_an_alert_finds_its_incident_without_parsing_the_rest_of_the_store(
        api: IncidentResponse, monkeypatch: pytest.MonkeyPatch) -> None:
    incident_id = deliver(api, recorded("firing")).incident_id
    api.store.create("Unrelated work")
    monkeypatch.setattr(Changes, "issues", lambda self: pytest.fail("parsed every issue"))
    delivery = deliver(api, recorded("resolved"))
    assert (delivery.outcome, delivery.incident_id) == ("resolved", incident_id)
