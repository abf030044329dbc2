"""The `incident hotfix`, `sync` and `deploys` commands: thin, with the contract's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hotfix_helpers import git_run, ready_incident, write_fix

from incident_beads import IncidentResponse
from tests.cli_runner import run_incident as run


def test_cli_walks_a_hotfix_with_exit_codes(hot_repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    incident_id = ready_incident(IncidentResponse(hot_repo, actor="ada"))
    code, out, _ = run(capsys, hot_repo, "hotfix", "start", incident_id, "--scope", "app.py",
                       "--json")
    assert code == 0
    hid = json.loads(out)["id"]
    write_fix(hot_repo)
    code, out, _ = run(capsys, hot_repo, "hotfix", "commit", hid, "-m", "Fix; $(id)")
    assert code == 0 and out.strip() == git_run(hot_repo, "rev-parse", "HEAD")
    code, out, _ = run(capsys, hot_repo, "hotfix", "scope", hid)
    assert code == 0 and "app.py" in out and "no flags" in out
    code, _, _ = run(capsys, hot_repo, "hotfix", "review", hid, "--reviewer", "grace")
    assert code == 2
    code, _, err = run(capsys, hot_repo, "hotfix", "review", hid, "--reviewer", "Ada Oncall",
                       "--approve", "--fixes-issue", "yes", "--adds-issues", "no")
    assert code == 1 and "cannot review" in err
    code, out, _ = run(capsys, hot_repo, "hotfix", "review", hid, "--reviewer", "grace",
                       "--approve", "--fixes-issue", "yes", "--adds-issues", "no")
    assert code == 0 and out.startswith(hid)
    code, _, err = run(capsys, hot_repo, "hotfix", "deploy", hid)
    assert code == 1 and "not tagged" in err
    assert run(capsys, hot_repo, "hotfix", "gate", hid, "tests", "--skip", "--reason",
               "SEV-1")[0] == 0
    assert run(capsys, hot_repo, "hotfix", "staging", hid, "--passed", "--note", "ok")[0] == 0
    code, out, _ = run(capsys, hot_repo, "hotfix", "tag", hid)
    assert code == 0 and out.startswith(f"hotfix-{incident_id}")
    code, _, err = run(capsys, hot_repo, "hotfix", "deploy", hid)
    assert code == 1 and "hotfix.deploy_command" in err
    assert run(capsys, hot_repo, "hotfix", "merge", hid, "--push")[0] == 0
    code, out, _ = run(capsys, hot_repo, "deploys", "--since", "3650d", "--json")
    assert code == 0 and {d["kind"] for d in json.loads(out)} == {"tag", "merge"}
    code, out, _ = run(capsys, hot_repo, "sync", "--json")
    assert code == 0 and json.loads(out)["paths"] == [".beads/issues.jsonl"]
    assert incident_id in git_run(hot_repo, "log", "-1", "--format=%s")


def test_cli_deploys_with_the_configured_command(hot_repo: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (hot_repo / ".incident-beads.toml").write_text(
        '[hotfix]\ndeploy_command = ["git", "rev-list", "-n1", "{tag}"]\n')
    api = IncidentResponse(hot_repo, actor="ada")
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(hot_repo)
    sha = api.hotfixes.commit(hid, "Fix")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    api.hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    api.hotfixes.staging(hid, passed=True, note="ok")
    api.hotfixes.tag(hid)
    code, out, _ = run(capsys, hot_repo, "hotfix", "deploy", hid, "--json")
    assert code == 0 and json.loads(out)["output_tail"].strip() == sha
    code, _, err = run(capsys, hot_repo, "hotfix", "verify", hid, "--start", "--evidence", "x")
    assert code == 2
    code, _, err = run(capsys, hot_repo, "hotfix", "verify", hid)
    assert code == 1 and "was not started" in err
    code, out, _ = run(capsys, hot_repo, "hotfix", "verify", hid, "--start")
    assert code == 0 and "15 min" in out
    code, _, err = run(capsys, hot_repo, "hotfix", "verify", hid, "--evidence", "fine")
    assert code == 1 and "monitoring window" in err


def test_cli_escalation_exits_3(hot_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    incident_id = ready_incident(IncidentResponse(hot_repo, actor="ada"))
    code, out, err = run(capsys, hot_repo, "hotfix", "start", incident_id, "--risk", "high",
                         "--json")
    assert code == 3 and "risky-hotfix-without-rollback" in err
    assert json.loads(out)["escalation"] == "risky-hotfix-without-rollback"


def test_cli_status(hot_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    api = IncidentResponse(hot_repo, actor="ada")
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id).id
    code, out, _ = run(capsys, hot_repo, "hotfix", "status", incident_id)
    assert code == 0 and out.startswith(hid) and "next: commit the minimal fix" in out
    assert "gate security-scan: skipped" in out
    code, out, _ = run(capsys, hot_repo, "hotfix", "status", hid, "--json")
    assert json.loads(out)["pending_gates"] == ["code-review", "tests", "staging"]


def test_deploys_loads_no_pydantic(hot_repo: Path) -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom incident_beads.cli import main\n"
            "try:\n    main(['-C', sys.argv[1], 'deploys', '--json'])\n"
            "except SystemExit:\n    pass\n"
            "assert 'pydantic' not in sys.modules, 'deploys imported pydantic'")
    subprocess.run([sys.executable, "-c", code, str(hot_repo)], check=True, capture_output=True)
