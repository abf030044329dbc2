"""One clock: every command runs on `INCIDENT_BEADS_NOW`, and no event comes before the last."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hotfix_helpers import git_run, write_fix

from tests.cli_runner import run_incident as run

Capsys = pytest.CaptureFixture[str]
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def ok(capsys: Capsys, root: Path, *argv: str) -> dict[str, object]:
    code, out, err = run(capsys, root, *argv, "--json")
    assert code == 0, (argv, out, err)
    payload = json.loads(out)
    return payload if isinstance(payload, dict) else {"items": payload}


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", f"2020-03-01T{moment}:00Z")


def test_every_command_writes_the_replayed_moment(hot_repo: Path, capsys: Capsys,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (hot_repo / ".incident-beads.toml").write_text(
        '[hotfix]\ndeploy_command = ["git", "rev-parse", "{tag}"]\n')
    at(monkeypatch, "10:00")
    incident_id = str(ok(capsys, hot_repo, "create", "Checkout returns 500", "--sev", "1",
                         "--who", "all users", "--what", "checkout")["id"])
    ok(capsys, hot_repo, "update", incident_id, "--status", "investigating", "--impact",
       "all users", "--action", "looking", "--eta", "+10m")
    for rung in ("rollback", "feature-flag"):
        ok(capsys, hot_repo, "mitigate", incident_id, "--option", rung, "--result",
           "unavailable")
    at(monkeypatch, "10:02")
    hid = str(ok(capsys, hot_repo, "hotfix", "start", incident_id, "--scope", "app.py")["id"])
    write_fix(hot_repo)
    ok(capsys, hot_repo, "hotfix", "commit", hid, "-m", "Fix the pool")
    ok(capsys, hot_repo, "hotfix", "review", hid, "--reviewer", "grace", "--approve",
       "--fixes-issue", "yes", "--adds-issues", "no")
    ok(capsys, hot_repo, "hotfix", "gate", hid, "tests", "--skip", "--reason", "SEV-1")
    ok(capsys, hot_repo, "hotfix", "staging", hid, "--passed", "--note", "ok")
    ok(capsys, hot_repo, "hotfix", "tag", hid)
    ok(capsys, hot_repo, "hotfix", "deploy", hid)
    at(monkeypatch, "10:05")
    ok(capsys, hot_repo, "hotfix", "verify", hid, "--start")
    at(monkeypatch, "10:20")
    ok(capsys, hot_repo, "hotfix", "verify", hid, "--evidence", "5xx at baseline")
    ok(capsys, hot_repo, "postmortem", "schedule", incident_id, "--at", "+1d", "--owner", "ada")
    ok(capsys, hot_repo, "action", "add", incident_id, "Alert on pool use", "--priority", "1",
       "--owner", "ada", "--due", "+7d", "--kind", "detect")
    ok(capsys, hot_repo, "resolve", incident_id, "--resolution", "hotfix", "--root-cause",
       "pool leak", "--no-longer-occurring", "--error-rates-normal",
       "--users-can-use-feature", "--monitoring", "graphs", "--stakeholders-notified")
    report = ok(capsys, hot_repo, "report")
    # Every moment written by every command is on the replayed day (the follow-ups' due
    # dates are the only ones allowed later).
    text = (hot_repo / ".beads" / "issues.jsonl").read_text()
    years = {m.group(0)[:4] for m in ISO.finditer(text)}
    assert years == {"2020"}, years
    incident = ok(capsys, hot_repo, "show", incident_id)["items"][0]  # type: ignore[index]
    stamps = incident["metadata"]["incident_beads"]["timestamps"]  # type: ignore[index]
    assert stamps["mitigated"].startswith("2020-03-01T10:20")
    assert re.search(r'"mean_time_to_mitigate_minutes": 20(\.0)?\b', json.dumps(report))


def test_a_clock_set_back_is_refused(store_repo: Path, capsys: Capsys,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "10:30")
    incident_id = str(ok(capsys, store_repo, "create", "Search slow", "--sev", "3")["id"])
    before = (store_repo / ".beads" / "issues.jsonl").read_bytes()
    at(monkeypatch, "10:00")
    code, _, err = run(capsys, store_repo, "update", incident_id, "--status", "identified",
                       "--impact", "slow", "--action", "scaling")
    assert code == 1 and "before the timeline's latest event" in err
    assert (store_repo / ".beads" / "issues.jsonl").read_bytes() == before


def test_a_hotfix_step_on_a_clock_set_back_writes_nothing(hot_repo: Path, capsys: Capsys,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    at(monkeypatch, "10:00")
    incident_id = str(ok(capsys, hot_repo, "create", "Checkout down", "--sev", "1")["id"])
    for rung in ("rollback", "feature-flag"):
        ok(capsys, hot_repo, "mitigate", incident_id, "--option", rung, "--result",
           "unavailable")
    hid = str(ok(capsys, hot_repo, "hotfix", "start", incident_id, "--scope", "app.py")["id"])
    write_fix(hot_repo)
    at(monkeypatch, "09:00")
    head = git_run(hot_repo, "rev-parse", "HEAD")
    before = (hot_repo / ".beads" / "issues.jsonl").read_bytes()
    code, _, err = run(capsys, hot_repo, "hotfix", "commit", hid, "-m", "Fix")
    assert code == 1 and "before the timeline's latest event" in err
    assert git_run(hot_repo, "rev-parse", "HEAD") == head
    assert (hot_repo / ".beads" / "issues.jsonl").read_bytes() == before
