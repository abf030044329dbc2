"""A SEV-1 and a SEV-3 driven through phases 1, 2, 3 and 5 in a real git repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_beads import ConfigChange, Escalation, IncidentResponse
from incident_beads.beads.issue import parse_ts
from tests.cli_runner import run_incident as run_cli
from tests.conftest import git
from tests.lifecycle.lifecycle_helpers import FakeClock, assert_importable, resolve


def assert_history_is_sound(root: Path) -> None:
    """Import rules hold, and every comment and `updated_at` moves forward in time."""
    assert_importable(root)
    for line in (root / ".beads" / "issues.jsonl").read_text().splitlines():
        issue = json.loads(line)
        times = [parse_ts(c["created_at"]) for c in issue.get("comments", [])]
        assert times == sorted(times)
        assert parse_ts(issue["updated_at"]) >= parse_ts(issue["created_at"])


def commit_and_push(root: Path) -> None:
    git(root, "add", ".beads")
    git(root, "commit", "-q", "-m", "Record the incident")
    git(root, "push", "-q", "origin", "main")
    assert git(root, "ls-remote", "origin", "main").split()[0] == git(root, "rev-parse", "HEAD")


def test_sev1_through_every_phase_with_the_api(api: IncidentResponse, clock: FakeClock,
                                               store_repo: Path) -> None:
    incident = api.declare(
        "Checkout returns 500", severity="SEV-1", who_affected="all users",
        what_broken="checkout", users_affected="all", detected_at="-5m",
        error_messages=["PoolTimeout"], alerts=["checkout-5xx"],
        recent_changes=["v1.4.2 deployed 09:40"], reported_by="pagerduty",
        services=["checkout"])
    clock.advance(minutes=2)
    api.post_update(incident.id, status="Investigating", impact="all users cannot pay",
                    action="checking the 09:40 deploy", eta="investigating")
    clock.advance(minutes=3)
    api.mitigate(incident.id, "rollback", "failed", detail="v1.4.1 image missing")
    api.mitigate(incident.id, "feature-flag", "unavailable", detail="no flag on checkout")
    clock.advance(minutes=4)
    mitigated = api.mitigate(incident.id, "config-change", "worked", config_change=ConfigChange(
        setting="db.pool_size", from_value="10", to_value="50", where="prod checkout"))
    api.post_update(incident.id, status="Mitigating", impact="recovering", action="watching",
                    eta="+1m")  # within 15 min of detection
    handed = api.handoff(incident.id, notes="why did v1.4.2 exhaust the pool?")
    api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    clock.advance(minutes=30)
    done = resolve(api, incident.id)
    report = api.check(incident.id)

    assert report.complete
    stamps = done.state.timestamps
    assert stamps.detected < stamps.acknowledged < stamps.mitigated < stamps.resolved  # type: ignore[operator]
    assert mitigated.state.timestamps.mitigated == stamps.mitigated
    assert api.store.get(handed.root_cause_id).depends_on("discovered-from") == [incident.id]
    kinds = [event.kind for event in done.state.timeline]
    assert kinds == ["declared", "context", "status-update", "mitigation", "mitigation",
                     "mitigation",
                     "status-update", "handoff", "postmortem-scheduled", "resolved"]
    assert len(api.store.get(incident.id).comments) == len(kinds)
    assert_history_is_sound(store_repo)
    commit_and_push(store_repo)

    clock.advance(hours=2)
    with pytest.raises(Escalation, match="recurrence"):
        api.reopen(incident.id, reason="PoolTimeout again")
    assert_history_is_sound(store_repo)


def test_sev3_through_every_phase_with_the_api(api: IncidentResponse, clock: FakeClock,
                                               store_repo: Path) -> None:
    incident = api.declare("Search is slow", severity="sev3", workaround="use filters",
                           services=["search"])
    clock.advance(minutes=10)
    api.assess(incident.id, who_affected="EU users", what_broken="search takes 4 s",
               users_affected="~300", alerts=["search-p99"])
    clock.advance(minutes=10)
    api.post_update(incident.id, status="Identified", impact="search p99 4 s",
                    action="rebuilding the index", eta="+1h")
    api.mitigate(incident.id, "rollback", "unavailable", detail="nothing deployed")
    api.mitigate(incident.id, "feature-flag", "unavailable")
    api.mitigate(incident.id, "config-change", "unavailable")
    clock.advance(minutes=40)
    api.mitigate(incident.id, "scale", "worked", detail="search replicas 3 -> 6")
    clock.advance(minutes=10)
    done = resolve(api, incident.id)
    assert done.state.postmortem_id is None
    assert api.check(incident.id).complete
    assert api.store.get(incident.id).close_reason.startswith("Resolution: rolled back")
    assert_history_is_sound(store_repo)
    commit_and_push(store_repo)


def cli_ok(capsys: pytest.CaptureFixture[str], repo: Path, *argv: str) -> dict[str, object]:
    code, out, err = run_cli(capsys, repo, *argv, "--json")
    assert (code, err) == (0, ""), (argv, out, err)
    payload: dict[str, object] = json.loads(out)
    return payload


def test_sev1_through_every_phase_with_the_cli(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        store_repo: Path) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:00:00Z")
    created = cli_ok(capsys, store_repo, "create", "Checkout returns 500", "--sev", "1",
                     "--who", "all users", "--what", "checkout", "--error", "PoolTimeout",
                     "--service", "checkout", "--detected-at", "-5m")
    incident_id = str(created["id"])
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:03:00Z")
    cli_ok(capsys, store_repo, "update", incident_id, "--status", "investigating",
           "--impact", "all users", "--action", "checking the deploy", "--eta", "+5m")
    cli_ok(capsys, store_repo, "mitigate", incident_id, "--option", "rollback",
           "--result", "unavailable")
    cli_ok(capsys, store_repo, "mitigate", incident_id, "--option", "feature-flag",
           "--result", "unavailable")
    cli_ok(capsys, store_repo, "mitigate", incident_id, "--option", "config-change",
           "--result", "worked", "--setting", "db.pool_size", "--from", "10", "--to", "50",
           "--where", "prod checkout")
    cli_ok(capsys, store_repo, "handoff", incident_id)
    cli_ok(capsys, store_repo, "postmortem", "schedule", incident_id, "--at", "+1d",
           "--owner", "grace")
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:40:00Z")
    resolved = cli_ok(capsys, store_repo, "resolve", incident_id, "--resolution", "pool 50",
                      "--root-cause", "v1.4.2 leaks connections", "--no-longer-occurring",
                      "--error-rates-normal", "--users-can-use-feature",
                      "--monitoring", "5xx at baseline for 30 min", "--stakeholders-notified")
    assert resolved["status"] == "closed"
    report = cli_ok(capsys, store_repo, "check", incident_id)
    assert report["complete"] is True
    assert_history_is_sound(store_repo)
    commit_and_push(store_repo)


def test_sev3_through_every_phase_with_the_cli(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        store_repo: Path) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:00:00Z")
    incident_id = str(cli_ok(capsys, store_repo, "create", "Search is slow", "--sev",
                             "SEV-3", "--workaround", "use filters")["id"])
    code, out, _ = run_cli(capsys, store_repo, "check", incident_id)
    assert code == 1 and out.startswith(f"{incident_id}  NOT COMPLETE")
    cli_ok(capsys, store_repo, "assess", incident_id, "--who", "EU users", "--what",
           "search takes 4 s", "--service", "search")
    cli_ok(capsys, store_repo, "update", incident_id, "--status", "Identified",
           "--impact", "slow search", "--action", "scaling", "--eta", "investigating")
    cli_ok(capsys, store_repo, "mitigate", incident_id, "--option", "scale", "--result",
           "worked", "--reason", "CPU bound; nothing to roll back")
    cli_ok(capsys, store_repo, "resolve", incident_id, "--resolution", "scaled",
           "--root-cause", "traffic growth", "--no-longer-occurring", "--error-rates-normal",
           "--users-can-use-feature", "--monitoring", "p99 0.3 s", "--stakeholders-notified")
    code, out, _ = run_cli(capsys, store_repo, "check", incident_id)
    assert code == 0 and out.startswith(f"{incident_id}  COMPLETE")
    assert_history_is_sound(store_repo)
    commit_and_push(store_repo)
