"""`list --fleet`, `context --fleet`, `report --fleet` and recurrence across repositories."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fleet_helpers import Team, fleet_toml

from incident_beads.errors import Escalation
from incident_beads.fleet.api import Fleet
from incident_beads.lifecycle.recurrence import matching_elsewhere
from tests.cli_runner import run_incident


def test_list_fleet_shows_open_incidents_of_every_repository(
        payments: Team, web: Team, mine: Team, capsys: pytest.CaptureFixture[str]) -> None:
    here = mine.declared("Search results empty", services=["search"])
    still_open = payments.declared("Refunds stuck", services=["refunds"], severity=1)
    fleet_toml(mine.work, [payments, web])
    assert run_incident(capsys, mine.work, "fleet", "fetch").code == 0
    done = run_incident(capsys, mine.work, "list", "--fleet", "--json")
    assert done.code == 0
    rows = json.loads(done.out)["incidents"]
    # most severe first; this repository read from its work tree; closed ones left out
    assert (rows[0]["repository"], rows[0]["id"]) == ("payments", still_open)
    assert {(r["repository"], r["id"]) for r in rows} == {
        ("payments", still_open), ("mine", here), ("web", rows[-1]["id"])}
    text = run_incident(capsys, mine.work, "list", "--fleet").out
    assert text.splitlines()[0].startswith(f"payments/{still_open}  SEV-1")


def test_malformed_store_is_named_skipped_and_the_rest_answered(
        payments: Team, web: Team, mine: Team, top: object,
        capsys: pytest.CaptureFixture[str]) -> None:
    broken = Team(payments.work.parent, "broken")
    broken.declared("Anything", services=["x"])
    with (broken.work / ".beads" / "issues.jsonl").open("ab") as handle:
        handle.write(b'{"id": "broken-zzz", "title": \n')
    broken.push("A bad line")
    fleet_toml(mine.work, [payments, broken, web])
    assert run_incident(capsys, mine.work, "fleet", "fetch").code == 0
    for args in (["list", "--fleet"], ["report", "--fleet"], ["context", "--fleet", "x"]):
        done = run_incident(capsys, mine.work, *args)
        assert done.code == 0, args
        named = "broken:.beads/issues.jsonl:2: not valid JSON"
        assert named in done.err + done.out, args
    rows = json.loads(run_incident(capsys, mine.work, "list", "--fleet", "--json").out)
    assert {r["repository"] for r in rows["incidents"]} == {"web"}
    assert rows["skipped"][0]["repository"] == "broken"


def test_context_fleet_names_the_repository_of_each_hit(
        payments: Team, web: Team, mine: Team, capsys: pytest.CaptureFixture[str]) -> None:
    mine.resolved("Search index stale", services=["search"])
    fleet_toml(mine.work, [payments, web])
    run_incident(capsys, mine.work, "fleet", "fetch")
    done = run_incident(capsys, mine.work, "context", "--fleet", "checkout returns 502",
                        "--service", "checkout", "--json")
    data = json.loads(done.out)
    top_hit = data["similar"][0]
    assert top_hit["repository"] == "payments"
    assert top_hit["writeup"].startswith("docs/solutions/")  # read from the fetched commit
    assert all("repository" in hit for hit in data["similar"])
    assert data["fleet_patterns"][0]["repository"] == "payments"
    assert data["runbook"]["repository"] == "payments"  # this repository has none for it
    assert "Checkout returns 502" in data["runbook"]["text"]
    text = run_incident(capsys, mine.work, "context", "--fleet", "checkout returns 502").out
    assert "## Critical patterns across the fleet" in text
    assert f"payments: {top_hit['id']}" in text
    plain = json.loads(run_incident(capsys, mine.work, "context", "checkout", "--json").out)
    assert "fleet_patterns" not in plain
    assert all(hit.get("repository") is None for hit in plain["similar"])


def test_report_fleet_per_repository_service_and_severity(
        payments: Team, web: Team, mine: Team, capsys: pytest.CaptureFixture[str]) -> None:
    payments.resolved("Card declines spike", services=["checkout"], severity=2, minutes=60)
    mine.resolved("Search index stale", services=["search"], minutes=30)
    fleet_toml(mine.work, [payments, web])
    run_incident(capsys, mine.work, "fleet", "fetch")
    done = run_incident(capsys, mine.work, "report", "--fleet", "--json")
    figures = json.loads(done.out)
    assert figures["incidents"] == 4
    groups = figures["breakdown"]
    assert groups["by_repository"]["payments"]["incidents"] == 2
    assert groups["by_repository"]["payments"]["mttr_minutes"] == 52.5
    assert groups["by_repository"]["mine"]["mttr_minutes"] == 30.0
    assert groups["by_repository"]["web"]["mttr_minutes"] is None
    assert groups["by_service"]["checkout"]["incidents"] == 2
    assert groups["by_service"]["login"]["incidents"] == 1
    assert groups["by_severity"]["SEV-2"]["incidents"] == 2
    assert figures["mtta_minutes"] == 5.0
    # the SEV-2 post-mortem is named with its repository
    assert figures["postmortems"]["required"] == 1
    text = run_incident(capsys, mine.work, "report", "--fleet").out
    assert "# Fleet incident report" in text and "```mermaid" in text
    assert "| payments | 2 | 5.0 min | 15.0 min | 52.5 min |" in text


def test_new_incident_like_one_resolved_elsewhere_on_same_service_escalates(
        payments: Team, mine: Team, capsys: pytest.CaptureFixture[str]) -> None:
    other = payments.api.incidents(include_closed=True)[0].id
    fleet_toml(mine.work, [payments])
    run_incident(capsys, mine.work, "fleet", "fetch")
    mine.clock.advance(days=3)
    mine.reload()
    with pytest.raises(Escalation) as raised:
        mine.api.declare("Checkout returns 502 on payment", severity=2, services=["checkout"],
                         error_messages=["upstream connect error 502"])
    assert raised.value.condition == Escalation.RECURRENCE
    assert f"payments/{other}" in raised.value.message
    incident = mine.api.get(raised.value.incident_id or "")
    event = next(e for e in incident.state.timeline if e.kind == "recurrence-elsewhere")
    assert event.data["repository"] == "payments" and event.data["incident"] == other


def test_match_elsewhere_on_another_service_is_a_linked_warning(
        payments: Team, mine: Team, capsys: pytest.CaptureFixture[str]) -> None:
    other = payments.api.incidents(include_closed=True)[0].id
    fleet_toml(mine.work, [payments])
    run_incident(capsys, mine.work, "fleet", "fetch")
    done = run_incident(capsys, mine.work, "create", "Checkout returns 502 on payment",
                        "--sev", "2", "--service", "storefront",
                        "--detected-at", "2026-01-18T10:00:00Z",
                        "--error", "upstream connect error 502", "--json")
    assert done.code == 0
    assert f"warning: Similar incident elsewhere: this looks like payments/{other}" in done.err
    created = json.loads(done.out)
    assert created["state"]["escalations"] == []
    event = next(e for e in created["state"]["timeline"] if e["kind"] == "recurrence-elsewhere")
    assert event["data"]["same_service"] is False


def test_match_elsewhere_outside_the_window_is_not_reported(
        payments: Team, mine: Team) -> None:
    fleet_toml(mine.work, [payments])
    Fleet(mine.work).fetch()
    mine.clock.advance(days=15)  # the default recurrence window is 14 days
    mine.reload()
    incident = mine.api.declare("Checkout returns 502 on payment", severity=2,
                                services=["checkout"],
                                error_messages=["upstream connect error 502"])
    assert not any(e.kind == "recurrence-elsewhere" for e in incident.state.timeline)


def test_recurrence_elsewhere_keeps_to_the_window(payments: Team) -> None:
    other = payments.api.incidents(include_closed=True)[0]
    resolved_at = other.state.resolution.at if other.state.resolution else None
    assert resolved_at is not None
    new = other.state.assessment
    candidates = [("payments", "url", other)]
    window = timedelta(days=14)
    inside = matching_elsewhere(other.title, new, candidates, now=resolved_at + timedelta(days=13),
                                window=window)
    outside = matching_elsewhere(other.title, new, candidates,
                                 now=resolved_at + timedelta(days=15), window=window)
    assert [m.incident.id for m in inside] == [other.id] and inside[0].same_service
    assert outside == []


def test_a_broken_fleet_file_does_not_stop_a_declaration(
        mine: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "config" / "incident-beads" / "fleet.toml"
    user.parent.mkdir(parents=True)
    user.write_text("[fleet\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    mine.reload()
    incident = mine.api.declare("Search results empty", severity=2, services=["search"])
    assert incident.state.timeline[0].kind == "declared"
