"""The hold and the actor on the command line: exit 3 while held, who acts, who decides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import run_incident as run_cli
from tests.conftest import git

Capsys = pytest.CaptureFixture[str]


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:00:00Z")


def held(capsys: Capsys, repo: Path) -> str:
    code, out, _ = run_cli(capsys, repo, "create", "Orders lost", "--sev", "1", "--data-at-risk",
                           "--json")
    assert code == 3
    return str(json.loads(out)["incident_id"])


def test_a_held_incident_refuses_changes_with_exit_3_and_the_decision(
        capsys: Capsys, store_repo: Path) -> None:
    incident_id = held(capsys, store_repo)
    code, out, err = run_cli(capsys, store_repo, "mitigate", incident_id, "--option",
                             "rollback", "--result", "worked", "--json")
    assert code == 3
    stop = json.loads(out)
    assert stop["held"] is True and stop["escalation"] == "data-loss-or-security"
    assert stop["since"] == "2026-01-15T10:00:00+00:00"
    assert stop["decision_command"] == (f"incident risk ack {incident_id} --risk "
                                        "data-loss-or-security --by PERSON --note WHY")
    assert "held since" in err and "--note WHY" in err and len(err.splitlines()) == 1
    code, _, _ = run_cli(capsys, store_repo, "update", incident_id, "--status", "Investigating",
                         "--impact", "orders fail", "--action", "reading logs")
    assert code == 0  # stakeholders keep hearing


def test_show_list_and_check_name_the_open_escalations(capsys: Capsys,
                                                       store_repo: Path) -> None:
    incident_id = held(capsys, store_repo)
    _, out, _ = run_cli(capsys, store_repo, "list", "--json")
    row = next(r for r in json.loads(out) if r["id"] == incident_id)
    assert [e["condition"] for e in row["open_escalations"]] == ["data-loss-or-security"]
    _, out, _ = run_cli(capsys, store_repo, "list")
    assert "HELD: data-loss-or-security" in out
    _, out, _ = run_cli(capsys, store_repo, "show", incident_id)
    assert "HELD by escalation data-loss-or-security" in out and "--note WHY" in out
    code, out, _ = run_cli(capsys, store_repo, "check", incident_id, "--json")
    assert code == 1 and json.loads(out)["open_escalations"][0]["condition"] == \
        "data-loss-or-security"


def test_a_decision_needs_a_note_and_a_person(capsys: Capsys, store_repo: Path) -> None:
    incident_id = held(capsys, store_repo)
    ack = ["risk", "ack", incident_id, "--risk", "data-loss-or-security"]
    code, _, err = run_cli(capsys, store_repo, *ack, "--by", "Cara")
    assert code == 1 and "--note WHY" in err
    code, _, err = run_cli(capsys, store_repo, *ack, "--by", "agent:orchestrator", "--note", "go")
    assert code == 1 and "automated" in err and "a person" in err
    code, _, err = run_cli(capsys, store_repo, "--actor", "agent:orchestrator", *ack,
                           "--by", "Cara", "--note", "backups verified")
    assert code == 0, err
    code, out, _ = run_cli(capsys, store_repo, "show", incident_id, "--json")
    shown = json.loads(out)[0]
    assert shown["open_escalations"] == []
    # The decision names Cara; it was recorded by the orchestrator on her word.
    assert shown["comments"][-1]["author"] == "agent:orchestrator"
    assert "Decision by Cara" in shown["comments"][-1]["text"]


def test_approvers_from_the_file(capsys: Capsys, store_repo: Path) -> None:
    (store_repo / ".incident-beads.toml").write_text('[people]\napprovers = ["Cara"]\n')
    incident_id = held(capsys, store_repo)
    code, _, err = run_cli(capsys, store_repo, "risk", "ack", incident_id, "--risk",
                           "data-loss-or-security", "--by", "Bob", "--note", "go")
    assert code == 1 and "not an approver" in err and "Cara" in err


@pytest.mark.parametrize(("flag", "env", "expected"), [
    ("--actor=alice", {"INCIDENT_ACTOR": "ian", "BD_ACTOR": "bea"}, "alice"),
    ("", {"INCIDENT_ACTOR": "ian", "BD_ACTOR": "bea"}, "ian"),
    ("", {"BD_ACTOR": "bea"}, "bea"),
    ("", {}, "Gita Git"),
])
def test_every_write_knows_its_actor(capsys: Capsys, store_repo: Path,
                                     monkeypatch: pytest.MonkeyPatch, flag: str,
                                     env: dict[str, str], expected: str) -> None:
    git(store_repo, "config", "user.name", "Gita Git")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(capsys, store_repo, *([flag] if flag else []), "create",
                             "Checkout down", "--sev", "2", "--json")
    assert code == 0, err
    incident_id = json.loads(out)["id"]
    _, out, _ = run_cli(capsys, store_repo, "show", incident_id, "--json")
    assert json.loads(out)[0]["comments"][0]["author"] == expected
