"""What `incident hotfix` tells the on-call: the branch to be on, the option a refusal needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hotfix_helpers import deployable, git_run, ready_incident, reviewed

from incident_beads import IncidentResponse
from tests.cli_runner import run_incident as run

Capsys = pytest.CaptureFixture[str]


def test_status_says_which_branch_to_be_on(api: IncidentResponse, hot_repo: Path,
                                           capsys: Capsys) -> None:
    hid = api.hotfixes.start(ready_incident(api), scope=["app.py"]).id
    branch = f"hotfix/incident-{api.hotfixes.get(hid).state.incident_id}"
    out = run(capsys, hot_repo, "hotfix", "status", hid).out
    assert f"be on: {branch} (you are)" in out
    git_run(hot_repo, "checkout", "-q", "main")
    out = run(capsys, hot_repo, "hotfix", "status", hid).out
    assert f"be on: {branch} (you are on main: git checkout {branch})" in out
    shown = json.loads(run(capsys, hot_repo, "hotfix", "status", hid, "--json").out)
    assert shown["work_branch"] == branch and shown["current_branch"] == "main"


def test_after_the_merge_deploy_is_done_from_main(api: IncidentResponse, hot_repo: Path,
                                                  capsys: Capsys) -> None:
    hid = deployable(api, hot_repo)
    api.hotfixes.merge(hid)
    git_run(hot_repo, "checkout", "-q", api.hotfixes.get(hid).state.branch)
    out = run(capsys, hot_repo, "hotfix", "status", hid).out
    assert "be on: main (you are on hotfix/" in out and "git checkout main" in out
    assert "next: deploy it" in out


def test_a_detached_head_is_named(api: IncidentResponse, hot_repo: Path, capsys: Capsys) -> None:
    hid = api.hotfixes.start(ready_incident(api), scope=["app.py"]).id
    git_run(hot_repo, "checkout", "-q", "--detach", "main")
    assert "you are on a detached HEAD" in run(capsys, hot_repo, "hotfix", "status", hid).out


def test_refusals_that_need_a_note_name_it(api: IncidentResponse, hot_repo: Path,
                                           capsys: Capsys) -> None:
    hid = reviewed(api, hot_repo)
    code, _, err = run(capsys, hot_repo, "hotfix", "review", hid, "--reviewer", "grace",
                       "--request-changes", "--fixes-issue", "no", "--adds-issues", "no")
    assert code == 1 and "--note" in err
    code, _, err = run(capsys, hot_repo, "hotfix", "staging", hid, "--passed")
    assert code == 1 and "--note" in err
