"""The knowledge commands: thin over the API, `--json` everywhere, exit codes of the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from knowledge_fixtures import Clock, resolved

from incident_beads import IncidentResponse
from tests.cli_runner import run_incident


def run_main(repo: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_incident(capsys, repo, *args)


@pytest.fixture
def incident(store_repo: Path) -> str:
    clock = Clock()
    return resolved(IncidentResponse(store_repo, clock=clock, actor="ada"), clock,
                    "Checkout down", severity=3, errors=["PoolTimeout"])


def test_runbook_add_then_show(store_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(store_repo, "runbook", "add", "api", "--issue", "Pool exhausted",
                            "--symptom", "503", "--diagnose", "kubectl get pods",
                            "--resolution", "restart", "--escalation", "team-db", "--json",
                            capsys=capsys)
    assert code == 0 and json.loads(out)["path"] == "docs/runbooks/api.md"
    code, out, _ = run_main(store_repo, "runbook", "show", "api", "--json", capsys=capsys)
    assert json.loads(out)["issues"][0]["diagnosis"] == ["kubectl get pods"]


def test_runbook_refuses_an_escaping_service(store_repo: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(store_repo, "runbook", "add", "../../x", "--issue", "y",
                            capsys=capsys)
    assert code == 1 and "not a plain name" in err
    assert not (store_repo / "docs").exists()


def test_runbook_show_missing_exits_1(store_repo: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(store_repo, "runbook", "show", "api", capsys=capsys)
    assert code == 1 and "incident runbook add api" in err


def test_context_json_has_every_part(store_repo: Path, incident: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(store_repo, "context", "checkout pool timeout", "--service",
                            "checkout", "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0
    assert data["similar"][0]["id"] == incident and data["similar"][0]["score"] > 0
    assert set(data["critical_patterns"]) >= {"deployment_safety", "past_incidents", "proposed"}
    assert "recent_deployments" in data
    assert data["runbook"]["path"] == "docs/runbooks/checkout.md"  # written at resolution


def test_context_text_lists_scores(store_repo: Path, incident: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(store_repo, "context", "checkout", capsys=capsys)
    assert code == 0 and f"] {incident} SEV-3 (closed) Checkout down" in out


def test_learn_and_action_commands(store_repo: Path, incident: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(store_repo, "learn", incident, "--tag", "pool", "--json",
                            capsys=capsys)
    assert code == 0 and json.loads(out)["writeup"].startswith("docs/solutions/")
    code, out, _ = run_main(store_repo, "action", "add", incident, "Alert on pool",
                            "--priority", "1", "--owner", "bob", "--due", "2099-01-01",
                            "--kind", "detect", "--json", capsys=capsys)
    item = json.loads(out)
    assert code == 0 and item["incident_id"] == incident
    code, out, _ = run_main(store_repo, "action", "list", capsys=capsys)
    assert out.startswith(item["id"])
    code, out, _ = run_main(store_repo, "action", "list", "--overdue", "--json", capsys=capsys)
    assert json.loads(out) == []


def test_action_priority_3_is_a_usage_error(store_repo: Path, incident: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_main(store_repo, "action", "add", incident, "x", "--priority", "3",
                          "--owner", "bob", "--due", "+1d", "--kind", "detect", capsys=capsys)
    assert code == 2


def test_report_json_and_markdown(store_repo: Path, incident: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(store_repo, "report", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)["incidents"] == 1
    code, out, _ = run_main(store_repo, "report", "--since", "2026-01-01", capsys=capsys)
    assert code == 0 and "xychart-beta" in out


def test_commands_needing_beads_say_to_init(repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(repo, "report", capsys=capsys)
    assert code == 1 and "incident init" in err
    code, _, _ = run_main(repo, "context", "anything", capsys=capsys)
    assert code == 0


def test_postmortem_draft_command(store_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock()
    incident = resolved(IncidentResponse(store_repo, clock=clock, actor="ada"), clock,
                        "Checkout down", severity=1)
    code, out, _ = run_main(store_repo, "postmortem", "draft", incident, "--json",
                            capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data["owner"] == "grace" and data["created"]
    assert (store_repo / data["path"]).read_text().startswith("# Post-Mortem: Checkout down")
    code, out, _ = run_main(store_repo, "postmortem", "draft", incident, capsys=capsys)
    assert code == 0 and "refreshed" in out


def test_postmortem_draft_of_unscheduled_sev1_exits_1(
        store_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    incident = IncidentResponse(store_repo, actor="ada").declare("Down", severity=1)
    code, _, err = run_main(store_repo, "postmortem", "draft", incident.id, capsys=capsys)
    assert code == 1 and "postmortem schedule" in err
