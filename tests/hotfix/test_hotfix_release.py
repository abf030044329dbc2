"""Staging, tag, merge, deploy and verification: every refusal, failure and timeout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hotfix_helpers import (
    FakeClock,
    MakeApi,
    deployable,
    git_run,
    ready_incident,
    reviewed,
    write_fix,
)

from incident_beads import Escalation, GitError, IncidentResponse, InvalidInput, Refused
from incident_beads.config import GitConfig
from incident_beads.errors import CommandFailed
from incident_beads.lifecycle.risk import KnownRisk

PY = sys.executable


# staging -----------------------------------------------------------------------------------
def test_staging_runs_the_command_with_the_sev1_time_box(make_api: MakeApi,
                                                         hot_repo: Path) -> None:
    api = make_api(staging_command=(PY, "-c", "print('staging ok')"))
    hid = reviewed(api, hot_repo)
    record = api.hotfixes.staging(hid)
    assert record.ok and record.exit_status == 0 and "staging ok" in record.output_tail
    assert record.timeout_seconds == 15 * 60
    assert api.hotfixes.get(hid).state.gates["staging"].status == "done"


def test_sev2_staging_uses_the_standard_time_box(make_api: MakeApi, hot_repo: Path) -> None:
    api = make_api(staging_command=(PY, "-c", "pass"), staging_timeout_minutes=25)
    hid = reviewed(api, hot_repo, severity=2)
    assert api.hotfixes.staging(hid).timeout_seconds == 25 * 60


def test_failed_staging_is_recorded_and_passes_no_gate(make_api: MakeApi,
                                                       hot_repo: Path) -> None:
    api = make_api(staging_command=(PY, "-c", "print('boom'); raise SystemExit(4)"))
    hid = reviewed(api, hot_repo)
    with pytest.raises(CommandFailed, match="exit status 4"):
        api.hotfixes.staging(hid)
    state = api.hotfixes.get(hid).state
    assert state.staging[-1].exit_status == 4 and "boom" in state.staging[-1].output_tail
    assert "staging" not in state.gates


def test_no_staging_command_names_the_key(api: IncidentResponse, hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    with pytest.raises(InvalidInput, match=r"hotfix\.staging_command"):
        api.hotfixes.staging(hid)
    with pytest.raises(InvalidInput, match="note"):
        api.hotfixes.staging(hid, passed=True)
    assert api.hotfixes.staging(hid, passed=True, note="checked by hand").manual


# tag ---------------------------------------------------------------------------------------
def test_tag_is_refused_without_an_approving_review(api: IncidentResponse,
                                                    hot_repo: Path) -> None:
    hid = api.hotfixes.start(ready_incident(api)).id
    write_fix(hot_repo)
    api.hotfixes.commit(hid, "Fix it")
    with pytest.raises(Refused, match="no approving review"):
        api.hotfixes.tag(hid)
    api.hotfixes.review(hid, reviewer="grace", approve=False, fixes_issue=False,
                        adds_issues=False, note="does not fix it")
    with pytest.raises(Refused, match="no approving review"):
        api.hotfixes.tag(hid)
    assert git_run(hot_repo, "tag", "--list") == ""


def test_an_existing_tag_elsewhere_is_not_overwritten(api: IncidentResponse,
                                                      hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    name = api.hotfixes.get(hid).state.tag
    git_run(hot_repo, "tag", "-a", "-m", "someone else", name, "main")
    with pytest.raises(GitError, match="not overwritten"):
        api.hotfixes.tag(hid)
    assert git_run(hot_repo, "rev-parse", f"{name}^{{commit}}") == \
        git_run(hot_repo, "rev-parse", "main")


def test_tagging_twice_is_a_no_op(api: IncidentResponse, hot_repo: Path) -> None:
    hid = deployable(api, hot_repo)
    first = api.hotfixes.get(hid).state.tagged
    assert api.hotfixes.tag(hid) == first


# merge -------------------------------------------------------------------------------------
def test_merge_is_refused_without_a_tag(api: IncidentResponse, hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    with pytest.raises(Refused, match="not tagged"):
        api.hotfixes.merge(hid)


def test_merge_is_refused_on_a_dirty_tree(api: IncidentResponse, hot_repo: Path) -> None:
    hid = deployable(api, hot_repo)
    (hot_repo / "app.py").write_text("print('half-done')\n")
    with pytest.raises(Refused, match="uncommitted"):
        api.hotfixes.merge(hid)
    assert api.hotfixes.get(hid).state.merged is None


def test_merge_back_into_develop_when_configured(make_api: MakeApi, hot_repo: Path) -> None:
    git_run(hot_repo, "branch", "develop", "main")
    api = make_api(git=GitConfig(develop_branch="develop"))
    hid = deployable(api, hot_repo)
    merged = api.hotfixes.merge(hid)
    assert merged.develop_commit is not None
    head = api.hotfixes.get(hid).state.tagged
    assert head is not None
    branch_name = api.hotfixes.get(hid).state.branch
    for branch in ("main", "develop"):
        log = git_run(hot_repo, "log", "--first-parent", "--merges", "--format=%s", branch)
        assert log.startswith(f"Merge branch '{branch_name}'")
        git_run(hot_repo, "merge-base", "--is-ancestor", head.commit, branch)
    with pytest.raises(Refused, match="already merged"):
        api.hotfixes.merge(hid)


def test_missing_develop_branch_is_an_error(make_api: MakeApi, hot_repo: Path) -> None:
    api = make_api(git=GitConfig(develop_branch="develop"))
    hid = deployable(api, hot_repo)
    with pytest.raises(GitError, match="develop"):
        api.hotfixes.merge(hid)


# deploy ------------------------------------------------------------------------------------
def test_deploy_is_refused_without_a_tag(api: IncidentResponse, hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    api.hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    api.hotfixes.staging(hid, passed=True, note="ok")
    with pytest.raises(Refused, match="not tagged"):
        api.hotfixes.deploy(hid)
    assert api.hotfixes.get(hid).state.deploys == []


def test_deploy_is_refused_when_the_review_was_withdrawn(api: IncidentResponse,
                                                         hot_repo: Path) -> None:
    hid = deployable(api, hot_repo)
    api.hotfixes.review(hid, reviewer="lin", approve=False, fixes_issue=True, adds_issues=True,
                        note="leaks a connection")
    with pytest.raises(Refused, match="no approving review"):
        api.hotfixes.deploy(hid)


def test_deploy_is_refused_with_gates_missing(api: IncidentResponse, hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    api.hotfixes.tag(hid)
    with pytest.raises(Refused, match="tests, staging"):
        api.hotfixes.deploy(hid)


def test_deploy_is_refused_when_the_tag_moved(api: IncidentResponse, hot_repo: Path) -> None:
    hid = deployable(api, hot_repo)
    tag = api.hotfixes.get(hid).state.tag
    git_run(hot_repo, "tag", "-f", "-a", "-m", "moved", tag, "main")
    with pytest.raises(Refused, match="missing or moved"):
        api.hotfixes.deploy(hid)


def test_no_deploy_command_names_the_key(make_api: MakeApi, hot_repo: Path) -> None:
    api = make_api(deploy_command=())
    hid = deployable(api, hot_repo)
    with pytest.raises(InvalidInput, match=r"hotfix\.deploy_command") as failed:
        api.hotfixes.deploy(hid)
    assert "deploy.sh" in (failed.value.hint or "")
    assert api.hotfixes.get(hid).state.deploys == []


def test_failing_deploy_is_recorded(make_api: MakeApi, hot_repo: Path) -> None:
    api = make_api(deploy_command=(PY, "-c", "print('pods crashlooping'); raise SystemExit(3)"))
    hid = deployable(api, hot_repo)
    with pytest.raises(CommandFailed, match="exit status 3"):
        api.hotfixes.deploy(hid)
    record = api.hotfixes.get(hid).state.deploys[-1]
    assert (record.ok, record.exit_status, record.timed_out) == (False, 3, False)
    assert "crashlooping" in record.output_tail and record.tag and record.commit
    with pytest.raises(Refused, match="no successful deploy"):
        api.hotfixes.verify_start(hid)


def test_hanging_deploy_is_killed_at_its_timeout(make_api: MakeApi, hot_repo: Path) -> None:
    code = "import time; print('rolling out', flush=True); time.sleep(120)"
    api = make_api(deploy_command=(PY, "-c", code), deploy_timeout_seconds=1)
    hid = deployable(api, hot_repo)
    with pytest.raises(CommandFailed, match="timed out"):
        api.hotfixes.deploy(hid)
    record = api.hotfixes.get(hid).state.deploys[-1]
    assert record.timed_out and record.exit_status is None and not record.ok
    assert "rolling out" in record.output_tail


def test_scope_flags_without_rollback_escalate_before_deploying(
        api: IncidentResponse, hot_repo: Path, tmp_path: Path) -> None:
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(hot_repo)
    write_fix(hot_repo, "docs/notes.md", "while we're here\n")
    api.hotfixes.commit(hid, "Fix it")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    api.hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    api.hotfixes.staging(hid, passed=True, note="ok")
    api.acknowledge_risk(incident_id, KnownRisk.HOTFIX_SCOPE, by="Grace (IC)",
                         note="the notes file documents the fix")
    api.hotfixes.tag(hid)
    with pytest.raises(Escalation) as stop:
        api.hotfixes.deploy(hid)
    assert stop.value.condition == Escalation.RISKY_HOTFIX_NO_ROLLBACK
    assert "outside the declared scope" in str(stop.value)
    assert api.get(incident_id).latest_escalation is not None
    assert api.hotfixes.get(hid).state.deploys == []
    api.acknowledge_risk(incident_id, Escalation.RISKY_HOTFIX_NO_ROLLBACK, by="Grace (IC)",
                         note="the docs change is harmless")
    assert api.hotfixes.deploy(hid).ok


def test_scope_flags_need_their_own_acknowledgment(
        api: IncidentResponse, hot_repo: Path, clock: FakeClock) -> None:
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(hot_repo, "app.py", "".join(f"line {n}\n" for n in range(80)))
    write_fix(hot_repo, "billing.py", "x = 1\n")
    write_fix(hot_repo, "search.py", "y = 2\n")
    api.hotfixes.commit(hid, "Fix it")
    # Accepting the missing rollback is another decision: it does not waive the scope.
    api.acknowledge_risk(incident_id, KnownRisk.HOTFIX_WITHOUT_ROLLBACK, by="Grace (IC)")
    api.acknowledge_risk(incident_id, KnownRisk.HOTFIX_SCOPE, by="Grace (IC)",
                         note="before the review: does not count")
    clock.advance(minutes=1)
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    api.hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    api.hotfixes.staging(hid, passed=True, note="ok")
    with pytest.raises(Refused, match=r"cannot tag .*3 scope flag\(s\)") as refused:
        api.hotfixes.tag(hid)
    message = str(refused.value)
    assert "billing.py is outside" in message and "changed lines, more than" in message
    assert "--risk hotfix-scope" in (refused.value.hint or "")
    assert api.hotfixes.get(hid).state.tagged is None
    assert git_run(hot_repo, "tag", "--list") == ""
    clock.advance(minutes=1)
    api.acknowledge_risk(incident_id, KnownRisk.HOTFIX_SCOPE, by="Grace (IC)",
                         note="billing and search share the fix")
    assert api.hotfixes.tag(hid).name == f"hotfix-{incident_id}"
    assert api.hotfixes.deploy(hid).ok


def test_scope_flags_removed_from_the_branch_clear_the_way(
        api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(hot_repo)
    write_fix(hot_repo, "docs/notes.md", "while we're here\n")
    api.hotfixes.commit(hid, "Fix it")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    api.hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    api.hotfixes.staging(hid, passed=True, note="ok")
    with pytest.raises(Refused, match="outside the declared scope"):
        api.hotfixes.tag(hid)
    git_run(hot_repo, "rm", "-q", "docs/notes.md")
    api.hotfixes.commit(hid, "Drop the notes")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    api.hotfixes.staging(hid, passed=True, note="ok")
    assert api.hotfixes.tag(hid).commit == git_run(hot_repo, "rev-parse", "HEAD")


def test_the_store_is_never_part_of_a_hotfix(api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(hot_repo)
    git_run(hot_repo, "add", ".beads/issues.jsonl")
    sha = api.hotfixes.commit(hid, "Fix it")
    assert git_run(hot_repo, "show", "--name-only", "--format=", sha) == "app.py"
    assert ".beads/issues.jsonl" in git_run(hot_repo, "status", "--short")  # kept, unstaged
    git_run(hot_repo, "add", ".beads/issues.jsonl")
    with pytest.raises(Refused, match="nothing is staged but the beads store"):
        api.hotfixes.commit(hid, "Only the store")
    # Committed by hand, scope names it and nothing accepts it.
    git_run(hot_repo, "commit", "-q", "-m", "Store by hand")
    report = api.hotfixes.scope(hid)
    assert [f.kind for f in report.flags] == ["store-file"]
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    api.hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    api.hotfixes.staging(hid, passed=True, note="ok")
    api.acknowledge_risk(incident_id, KnownRisk.HOTFIX_SCOPE, by="Grace (IC)")
    with pytest.raises(Refused, match=r"\.beads/issues\.jsonl \(the beads store\)"):
        api.hotfixes.tag(hid)


# verify ------------------------------------------------------------------------------------
def test_verification_waits_for_the_window_and_needs_evidence(
        api: IncidentResponse, hot_repo: Path, clock: FakeClock) -> None:
    hid = deployable(api, hot_repo)
    with pytest.raises(Refused, match="no successful deploy"):
        api.hotfixes.verify_start(hid)
    api.hotfixes.deploy(hid)
    with pytest.raises(Refused, match="not started"):
        api.hotfixes.verify_confirm(hid, evidence="looks fine")
    for minutes in (10, 45):
        with pytest.raises(InvalidInput, match="15 to 30"):
            api.hotfixes.verify_start(hid, minutes=minutes)
    api.hotfixes.verify_start(hid, minutes=20)
    clock.advance(minutes=19)
    with pytest.raises(Refused, match="monitoring window runs until"):
        api.hotfixes.verify_confirm(hid, evidence="looks fine")
    clock.advance(minutes=1)
    with pytest.raises(InvalidInput, match="evidence"):
        api.hotfixes.verify_confirm(hid, evidence="  ")
    done = api.hotfixes.verify_confirm(hid, evidence="p99 back to 200 ms")
    assert done.status == "closed" and done.close_reason.startswith("Deployed in ")
    with pytest.raises(Refused, match="closed"):
        api.hotfixes.deploy(hid)


def test_a_tag_made_by_hand_on_the_head_is_not_taken_over(api: IncidentResponse,
                                                          hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    name = api.hotfixes.get(hid).state.tag
    git_run(hot_repo, "tag", name, f"hotfix/incident-{api.hotfixes.get(hid).state.incident_id}")
    with pytest.raises(GitError, match="not made by this hotfix"):
        api.hotfixes.tag(hid)
    assert git_run(hot_repo, "cat-file", "-t", name) == "commit"


def test_deploy_needs_the_tagged_fix_in_a_clean_work_tree(api: IncidentResponse,
                                                          hot_repo: Path) -> None:
    hid = deployable(api, hot_repo)
    git_run(hot_repo, "checkout", "-q", "main")  # not merged yet: main lacks the fix
    with pytest.raises(Refused, match="does not contain"):
        api.hotfixes.deploy(hid)
    git_run(hot_repo, "checkout", "-q", f"hotfix-{api.hotfixes.get(hid).state.incident_id}")
    (hot_repo / "app.py").write_text("print('untested edit')\n")
    with pytest.raises(Refused, match="uncommitted"):
        api.hotfixes.deploy(hid)
    git_run(hot_repo, "checkout", "--", "app.py")
    tagged = api.hotfixes.get(hid).state.tagged
    assert tagged is not None and api.hotfixes.deploy(hid).commit == tagged.commit
    assert api.hotfixes.get(hid).state.deploys[-1].ok


def test_a_conflicting_merge_is_aborted_and_reported(api: IncidentResponse,
                                                     hot_repo: Path) -> None:
    hid = deployable(api, hot_repo)
    branch = api.hotfixes.get(hid).state.branch
    git_run(hot_repo, "checkout", "-q", "main")
    (hot_repo / "app.py").write_text("print('someone else changed this line')\n")
    git_run(hot_repo, "commit", "-qm", "Unrelated change on main", "app.py")
    git_run(hot_repo, "checkout", "-q", branch)
    with pytest.raises(GitError, match="merge was aborted"):
        api.hotfixes.merge(hid)
    assert not (hot_repo / ".git" / "MERGE_HEAD").exists()
    assert git_run(hot_repo, "status", "--porcelain", "--untracked-files=no",
                   "--", "app.py") == ""
    assert api.hotfixes.get(hid).state.merged is None


def test_without_a_store_the_api_keeps_the_hotfix_in_memory(make_api: MakeApi,
                                                            tmp_path: Path) -> None:
    repo = tmp_path / "no-store"
    git_run(tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / "app.py").write_text("print('hello')\n")
    git_run(repo, "add", "app.py")
    git_run(repo, "commit", "-qm", "Initial commit")
    api = make_api(root=repo)
    assert not api.store.persistent
    hid = reviewed(api, repo)
    assert api.hotfixes.tag(hid).name.startswith("hotfix-")
    assert not (repo / ".beads").exists()
