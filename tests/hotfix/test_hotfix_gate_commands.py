"""Gates that run: `[hotfix] test_command` and `security_command` pass the gates, not a hand."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hotfix_helpers import MakeApi, git_run, reviewed, write_fix

from incident_beads import IncidentResponse, Refused
from incident_beads.errors import CommandFailed, InvalidInput
from tests.cli_runner import run_incident as run

# A test command that sees the hotfix head in its work tree and says so.
PASSES = (sys.executable, "-c", "import os; print('12 passed at', os.environ['HOTFIX_COMMIT'])")
FAILS = (sys.executable, "-c", "import sys; print('1 failed: test_pool'); sys.exit(3)")


def test_the_tests_gate_runs_its_command_and_keeps_the_tail(make_api: MakeApi,
                                                            hot_repo: Path) -> None:
    api = make_api(test_command=PASSES)
    hid = reviewed(api, hot_repo, severity=2)
    with pytest.raises(Refused, match=r"runs hotfix\.test_command"):
        api.hotfixes.gate(hid, "tests", done=True)
    record = api.hotfixes.run_gate(hid, "tests", actor="ada")
    head = git_run(hot_repo, "rev-parse", "HEAD")
    assert record.status == "done" and record.run is not None and not record.declared
    assert record.run.exit_status == 0 and f"12 passed at {head}" in record.run.output_tail
    assert record.describe().startswith(f"done: ran {sys.executable} -c")
    # A new commit: the tests ran on the previous head and must run again.
    write_fix(hot_repo, "app.py", "print('fixed again')\n")
    api.hotfixes.commit(hid, "Fix more")
    assert "tests" in api.hotfixes.pending_gates(hid)


def test_a_failing_gate_command_is_recorded_and_fails(make_api: MakeApi,
                                                      hot_repo: Path) -> None:
    api = make_api(security_command=FAILS)
    hid = reviewed(api, hot_repo, severity=2)
    with pytest.raises(CommandFailed, match=r"security-scan gate .* exit status 3"):
        api.hotfixes.run_gate(hid, "security-scan")
    state = api.hotfixes.get(hid).state
    assert "security-scan" not in state.gates
    assert state.gate_runs[-1].ok is False and "1 failed" in state.gate_runs[-1].output_tail
    with pytest.raises(Refused, match=r"runs hotfix\.security_command"):
        api.hotfixes.gate(hid, "security-scan", done=True, reason="looked fine")


def test_a_gate_runs_only_on_the_checked_out_clean_head(make_api: MakeApi,
                                                        hot_repo: Path) -> None:
    api = make_api(test_command=PASSES)
    hid = reviewed(api, hot_repo, severity=2)
    git_run(hot_repo, "checkout", "-q", "main")
    with pytest.raises(Refused, match="not hotfix/incident-"):
        api.hotfixes.run_gate(hid, "tests")
    assert "tests" not in api.hotfixes.get(hid).state.gates


def test_without_a_command_the_gate_is_declared_by_a_named_person(
        api: IncidentResponse, hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo, severity=2)
    with pytest.raises(InvalidInput, match="no command is configured for the tests gate"):
        api.hotfixes.run_gate(hid, "tests")
    record = api.hotfixes.gate(hid, "tests", done=True, actor="grace")
    assert record.declared and record.describe() == "done, declared by grace"


def test_status_and_postmortem_say_how_each_gate_passed(hot_repo: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    (hot_repo / ".incident-beads.toml").write_text(
        f"[hotfix]\ntest_command = {json.dumps(list(PASSES))}\n")
    api = IncidentResponse(hot_repo, actor="ada")
    hid = reviewed(api, hot_repo, severity=2)
    code, _, err = run(capsys, hot_repo, "hotfix", "gate", hid, "tests", "--done")
    assert code == 1 and "--run" in err
    code, out, _ = run(capsys, hot_repo, "hotfix", "gate", hid, "tests", "--run", "--json")
    assert code == 0 and json.loads(out)["run"]["exit_status"] == 0
    assert run(capsys, hot_repo, "hotfix", "gate", hid, "tests")[0] == 2
    assert run(capsys, hot_repo, "hotfix", "gate", hid, "security-scan", "--done",
               "--by", "grace")[0] == 0
    code, out, _ = run(capsys, hot_repo, "hotfix", "status", hid)
    assert "gate tests: done: ran " in out and ", exit 0" in out
    assert "gate security-scan: done, declared by grace" in out
    incident_id = api.hotfixes.get(hid).state.incident_id
    api.schedule_postmortem(incident_id, at="+1d", owner="grace")
    draft = api.knowledge.postmortem_draft(incident_id)
    text = (hot_repo / draft.path).read_text()
    assert "declared by grace" in text and "exit 0" in text
