"""The lifecycle commands: ids first, `--json`, and exit codes 0 / 1 / 2 / 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import run_incident as run_cli
from tests.lifecycle.lifecycle_helpers import assert_importable

Capsys = pytest.CaptureFixture[str]


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:00:00Z")


def create(capsys: Capsys, repo: Path, *extra: str, sev: str = "1") -> str:
    code, out, err = run_cli(capsys, repo, "create", "Checkout down", "--sev", sev, *extra,
                             "--json")
    assert code == 0, err
    return str(json.loads(out)["id"])


def test_commands_need_a_store(capsys: Capsys, repo: Path) -> None:
    code, _, err = run_cli(capsys, repo, "create", "Checkout down", "--sev", "1")
    assert code == 1 and "incident init" in err


def test_create_prints_the_id_first(capsys: Capsys, store_repo: Path) -> None:
    code, out, _ = run_cli(capsys, store_repo, "create", "Checkout down", "--sev", "sev-2")
    incident_id = out.split()[0]
    assert code == 0 and out.startswith(f"{incident_id}  [SEV-2]")
    code, out, _ = run_cli(capsys, store_repo, "show", incident_id, "--json")
    assert json.loads(out)[0]["labels"] == ["incident", "sev-2"]


def test_create_json_is_the_incident_model(capsys: Capsys, store_repo: Path) -> None:
    code, out, _ = run_cli(capsys, store_repo, "create", "Checkout down", "--sev", "1",
                           "--error", "E1", "--error", "E2", "--service", "api", "--json")
    payload = json.loads(out)
    assert code == 0
    assert payload["severity"] == "SEV-1" and payload["state"]["kind"] == "incident"
    assert payload["state"]["assessment"]["error_messages"] == ["E1", "E2"]


@pytest.mark.parametrize(("args", "code"), [
    (["create", "Checkout down", "--sev", "9"], 1),
    (["create", "Checkout down"], 2),
    (["create", "", "--sev", "1"], 1),
    (["create", "x" * 501, "--sev", "1"], 1),
    (["create", "two\nlines", "--sev", "1"], 1),
    (["create", "Checkout down", "--sev", "1", "--detected-at", "yesterday-ish"], 1),
    (["update", "nope-1", "--status", "identified", "--impact", "i", "--action", "a"], 1),
    (["update", "nope-1", "--status", "bored", "--impact", "i", "--action", "a"], 2),
    (["mitigate", "nope-1", "--option", "reboot", "--result", "worked"], 2),
])
def test_bad_input_is_refused_and_nothing_is_written(capsys: Capsys, store_repo: Path,
                                                    args: list[str], code: int) -> None:
    got, _, err = run_cli(capsys, store_repo, *args)
    assert got == code and err.strip()
    assert (store_repo / ".beads" / "issues.jsonl").read_bytes() == b""


def test_escalation_exits_3_with_the_id_and_a_json_object(capsys: Capsys,
                                                         store_repo: Path) -> None:
    code, out, err = run_cli(capsys, store_repo, "create", "Orders lost", "--sev", "1",
                             "--data-at-risk")
    assert code == 3 and "data-loss-or-security" in err
    incident_id = out.split()[0]
    code, out, _ = run_cli(capsys, store_repo, "create", "Tokens leaked", "--sev", "2",
                           "--security", "--json")
    payload = json.loads(out)
    assert code == 3 and payload["escalation"] == "data-loss-or-security"
    assert payload["incident_id"] != incident_id
    assert_importable(store_repo)


def test_update_renders_the_template(capsys: Capsys, store_repo: Path) -> None:
    incident_id = create(capsys, store_repo)
    code, out, _ = run_cli(capsys, store_repo, "update", incident_id, "--status",
                           "investigating", "--impact", "all users", "--action", "looking",
                           "--eta", "investigating")
    assert code == 0
    assert out.splitlines()[:3] == [incident_id, "Status: Investigating", "Impact: all users"]


def test_eta_beyond_window_exits_3(capsys: Capsys, store_repo: Path) -> None:
    incident_id = create(capsys, store_repo)
    code, _, err = run_cli(capsys, store_repo, "update", incident_id, "--status", "identified",
                           "--impact", "i", "--action", "a", "--eta", "+2h")
    assert code == 3 and "eta-beyond-window" in err


def test_overdue_lists_ids_first(capsys: Capsys, store_repo: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    incident_id = create(capsys, store_repo)
    code, out, _ = run_cli(capsys, store_repo, "overdue", "--json")
    assert (code, json.loads(out)) == (0, [])
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:20:00Z")
    code, out, _ = run_cli(capsys, store_repo, "overdue")
    assert out.startswith(f"{incident_id}  [SEV-1] 5 min overdue")
    code, out, _ = run_cli(capsys, store_repo, "overdue", "--json")
    assert json.loads(out)[0]["minutes_overdue"] == 5


def test_mitigate_refusals_and_exhaustion(capsys: Capsys, store_repo: Path) -> None:
    incident_id = create(capsys, store_repo)
    code, _, err = run_cli(capsys, store_repo, "mitigate", incident_id, "--option", "scale",
                           "--result", "failed")
    assert code == 1 and "--reason" in err
    for option in ("rollback", "feature-flag"):
        assert run_cli(capsys, store_repo, "mitigate", incident_id, "--option", option,
                       "--result", "failed")[0] == 0
    code, _, err = run_cli(capsys, store_repo, "mitigate", incident_id, "--option",
                           "config-change", "--result", "failed", "--setting", "x")
    assert code == 1 and "config change must say what was changed" in err
    assert run_cli(capsys, store_repo, "mitigate", incident_id, "--option", "config-change",
                   "--result", "unavailable")[0] == 0
    code, out, _ = run_cli(capsys, store_repo, "mitigate", incident_id, "--option", "scale",
                           "--result", "failed", "--json")
    assert code == 3 and json.loads(out)["escalation"] == "mitigations-exhausted"


def test_risk_ack_and_reclassify(capsys: Capsys, store_repo: Path) -> None:
    incident_id = create(capsys, store_repo, sev="3")
    code, out, _ = run_cli(capsys, store_repo, "risk", "ack", incident_id, "--risk",
                           "postmortem-beyond-window", "--by", "Grace", "--json")
    assert code == 0 and json.loads(out)["by"] == "Grace"
    code, _, _ = run_cli(capsys, store_repo, "risk", "ack", incident_id, "--risk", "x")
    assert code == 2  # --by is required: no anonymous acceptance
    code, out, _ = run_cli(capsys, store_repo, "reclassify", incident_id, "--sev", "2",
                           "--reason", "more users")
    assert code == 0 and out.startswith(f"{incident_id}  [SEV-2]")
    code, out, _ = run_cli(capsys, store_repo, "reclassify", incident_id, "--sev", "sev1",
                           "--reason", "site down", "--json")
    assert code == 0 and json.loads(out)["severity"] == "SEV-1"


def test_resolve_refuses_sev1_without_postmortem(capsys: Capsys, store_repo: Path) -> None:
    incident_id = create(capsys, store_repo)
    args = ["resolve", incident_id, "--resolution", "r", "--root-cause", "c",
            "--no-longer-occurring", "--error-rates-normal", "--users-can-use-feature",
            "--monitoring", "graphs", "--stakeholders-notified"]
    code, _, err = run_cli(capsys, store_repo, *args)
    assert code == 1 and "no working mitigation and no verified hotfix" in err
    assert run_cli(capsys, store_repo, "mitigate", incident_id, "--option", "rollback",
                   "--result", "worked")[0] == 0
    code, _, err = run_cli(capsys, store_repo, *args)
    assert code == 1 and "postmortem schedule" in err
    code, out, _ = run_cli(capsys, store_repo, "postmortem", "schedule", incident_id, "--at",
                           "+1d", "--owner", "grace")
    assert code == 0 and out.startswith(f"{incident_id}.1  post-mortem of {incident_id}")
    code, out, _ = run_cli(capsys, store_repo, *args)
    assert code == 0 and out.splitlines()[1].startswith("Duration: ")
    code, _, err = run_cli(capsys, store_repo, "update", incident_id, "--status", "identified",
                           "--impact", "i", "--action", "a")
    assert code == 1 and "closed" in err
    code, _, err = run_cli(capsys, store_repo, "reopen", incident_id, "--reason", "again")
    assert code == 3 and "recurrence" in err


def test_check_prints_the_report_and_exits_1_until_complete(capsys: Capsys,
                                                            store_repo: Path) -> None:
    incident_id = create(capsys, store_repo)
    code, out, err = run_cli(capsys, store_repo, "check", incident_id, "--json")
    report = json.loads(out)  # one document: a "no" that printed its answer adds nothing
    assert code == 1 and report["complete"] is False and err == ""
    assert [c["met"] for c in report["criteria"]] == [False, False, False, False, False]
    code, out, _ = run_cli(capsys, store_repo, "assess", incident_id, "--who", "all users",
                           "--what", "checkout", "--error", "PoolTimeout")
    assert code == 0 and out.startswith(incident_id)
    code, out, _ = run_cli(capsys, store_repo, "check", incident_id)
    assert code == 1 and "[met] assessed with severity classification" in out


def test_handoff_prints_the_root_cause_id(capsys: Capsys, store_repo: Path) -> None:
    incident_id = create(capsys, store_repo)
    assert run_cli(capsys, store_repo, "handoff", incident_id)[0] == 1
    run_cli(capsys, store_repo, "mitigate", incident_id, "--option", "rollback", "--result",
            "worked")
    code, out, _ = run_cli(capsys, store_repo, "handoff", incident_id)
    assert code == 0 and out.split()[1:4] == ["root", "cause", "of"]


def test_a_bad_replay_time_is_refused(capsys: Capsys, store_repo: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "tomorrow")
    code, _, err = run_cli(capsys, store_repo, "overdue")
    assert code == 1 and "INCIDENT_BEADS_NOW" in err


def test_long_option_names_are_accepted_too(capsys: Capsys, store_repo: Path) -> None:
    code, out, _ = run_cli(capsys, store_repo, "create", "Search slow", "--sev", "3",
                           "--who-affected", "EU", "--what-broken", "search", "--json")
    incident_id = json.loads(out)["id"]
    assert code == 0 and json.loads(out)["state"]["assessment"]["who_affected"] == "EU"
    assert run_cli(capsys, store_repo, "mitigate", incident_id, "--option", "rollback",
                   "--result", "worked")[0] == 0
    code, _, err = run_cli(capsys, store_repo, "resolve", incident_id, "--resolution", "r",
                           "--root-cause", "c", "--no-longer-occurring", "--error-rates-normal",
                           "--users-can-use-feature", "--evidence", "p99 flat",
                           "--stakeholders-notified")
    assert code == 0, err


def test_the_response_window_runs_on_the_clock(capsys: Capsys, store_repo: Path) -> None:
    incident_id = create(capsys, store_repo, "--detected-at", "-2h")
    update = ["update", incident_id, "--status", "investigating", "--impact", "all users",
              "--action", "reading logs", "--eta"]
    for eta, wanted in (("tomorrow", "tomorrow 09:00"), ("soon", "in 3 hours"),
                        ("+99999999999d", "too far away"), ("investigating", "window")):
        code, out, err = run_cli(capsys, store_repo, *update, eta)
        assert code == 1 and out == "" and wanted in err, (eta, err)
        assert "internal error" not in err
    code, out, _ = run_cli(capsys, store_repo, "overdue")
    assert out.startswith(incident_id) and "unmitigated past its window" in out
    code, out, err = run_cli(capsys, store_repo, *update, "in 3 hours", "--json")
    assert code == 3 and json.loads(out)["escalation"] == "eta-beyond-window"
    code, out, _ = run_cli(capsys, store_repo, "show", incident_id, "--json")
    assert json.loads(out)[0]["metadata"]["incident_beads"]["updates"][-1]["eta"] == (
        "2026-01-15T13:00:00Z")


def test_wall_clock_etas_follow_the_configured_zone(capsys: Capsys, store_repo: Path) -> None:
    (store_repo / ".incident-beads.toml").write_text('[time]\nzone = "Europe/Berlin"\n')
    incident_id = create(capsys, store_repo, sev="3")
    code, out, _ = run_cli(capsys, store_repo, "update", incident_id, "--status", "identified",
                           "--impact", "i", "--action", "a", "--eta", "12:30", "--json")
    assert code == 0
    assert json.loads(out)["state"]["updates"][-1]["eta"] == "2026-01-15T11:30:00Z"
    (store_repo / ".incident-beads.toml").write_text('[time]\nzone = "Mars/Olympus"\n')
    code, _, err = run_cli(capsys, store_repo, "list")
    assert code == 1 and "time.zone 'Mars/Olympus'" in err
