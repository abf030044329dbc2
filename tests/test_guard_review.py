"""The guard checks the review in the hotfix tag, not just the tag: real pushes, real hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.guard.install import install
from tests.conftest import git
from tests.guard_helpers import (
    hand_made_tag,
    hotfix_branch,
    hotfix_merge,
    merge,
    push,
    remote_oid,
    review_message,
)

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def guarded(store_repo: Path) -> Path:
    git(store_repo, "add", ".beads/issues.jsonl")
    git(store_repo, "commit", "-q", "-m", "Add the beads store")
    git(store_repo, "push", "-q", "origin", "main")
    install(store_repo)
    return store_repo


def upstream(repo: Path) -> Path:
    return repo.parent / "upstream.git"


def tool_hotfix(repo: Path) -> tuple[IncidentResponse, str, str]:
    """A hotfix started and committed through the tool: (api, incident id, hotfix id)."""
    api = IncidentResponse(repo, actor="ada")
    incident_id = api.declare("Checkout returns 500", severity=1).id
    api.mitigate(incident_id, "rollback", "unavailable", detail="schema migration ran")
    api.mitigate(incident_id, "feature-flag", "unavailable", detail="no flag")
    hotfix = api.hotfixes.start(incident_id, scope=["app.py"])
    (repo / "app.py").write_text("print('fixed')\n")
    git(repo, "add", "app.py")
    api.hotfixes.commit(hotfix.id, "Fix checkout")
    return api, incident_id, hotfix.id


def merge_by_hand(repo: Path, incident_id: str) -> str:
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", f"hotfix/incident-{incident_id}")
    return git(repo, "rev-parse", "HEAD")


def test_a_reviewed_tool_tag_passes(guarded: Path) -> None:
    api, incident_id, hotfix_id = tool_hotfix(guarded)
    api.hotfixes.review(hotfix_id, reviewer="grace", approve=True, fixes_issue=True,
                        adds_issues=False)
    api.hotfixes.tag(hotfix_id)
    message = git(guarded, "for-each-ref", "--format=%(contents)",
                  f"refs/tags/hotfix-{incident_id}")
    assert "reviewer: grace" in message and "verdict: approved" in message
    merged = merge_by_hand(guarded, incident_id)
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert remote_oid(upstream(guarded), "main") == merged


def test_a_tag_made_by_hand_is_refused_and_the_fix_goes_through_the_review(
        guarded: Path) -> None:
    _, incident_id, _ = tool_hotfix(guarded)
    merged = merge_by_hand(guarded, incident_id)
    # What the guard used to suggest: an annotated tag with no review in it.
    hand_made_tag(guarded, f"hotfix-{incident_id}", merged)
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode != 0
    assert f"tag hotfix-{incident_id} carries no review block" in done.stderr
    assert "git tag -a" not in done.stderr
    fix = next(x for x in done.stderr.splitlines() if x.startswith("incident: fix: "))
    assert fix.index("incident hotfix review") < fix.index("incident hotfix tag")
    # A person runs the printed fix, naming themselves as the reviewer.
    command = fix[len("incident: fix: "):].replace("PERSON", "grace")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = subprocess.run(command, shell=True, cwd=guarded, capture_output=True, text=True,
                         env=env)
    assert ran.returncode == 0, ran.stderr
    assert remote_oid(upstream(guarded), "main") == merged


@pytest.mark.parametrize(("changes", "expected"), [
    ({"commit": "0" * 40}, "not of the fix it points at"),
    ({"verdict": "changes-requested"}, "does not approve the fix"),
    ({"adds-issues": "yes"}, "does not approve the fix"),
    ({"incident": "bd-99"}, "carries the review of incident bd-99"),
])
def test_a_review_block_that_does_not_approve_this_fix_is_refused(
        repo: Path, changes: dict[str, str], expected: str) -> None:
    install(repo)
    merge_oid, _ = hotfix_merge(repo)
    git(repo, "tag", "-a", "hotfix-bd-42", "-m",
        review_message(repo, "bd-42", merge_oid, changes), merge_oid)
    done = push(repo, "--follow-tags", "origin", "main")
    assert done.returncode != 0
    assert "tag hotfix-bd-42 carries" in done.stderr and expected in done.stderr
    assert "incident hotfix review bd-42" in done.stderr


def test_an_edited_block_is_not_a_block(repo: Path) -> None:
    install(repo)
    merge_oid, _ = hotfix_merge(repo)
    message = review_message(repo, "bd-42", merge_oid).replace(
        "verdict: approved", "verdict: approved\nnote: lgtm")
    git(repo, "tag", "-a", "hotfix-bd-42", "-m", message, merge_oid)
    done = push(repo, "--follow-tags", "origin", "main")
    assert done.returncode != 0 and "carries no review block" in done.stderr


def test_the_server_hook_refuses_a_hand_made_tag(repo: Path) -> None:
    hook = upstream(repo) / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{PROJECT / 'hooks' / 'pre-receive'}'\n")
    hook.chmod(0o755)
    merge_oid, _ = hotfix_merge(repo)
    hand_made_tag(repo, "hotfix-bd-42", merge_oid)
    done = push(repo, "--no-verify", "--follow-tags", "origin", "main")
    assert done.returncode != 0 and "pre-receive hook declined" in done.stderr
    assert "carries no review block" in done.stderr
    assert remote_oid(upstream(repo), "main") != merge_oid


def test_check_push_reports_the_missing_review(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    branch, _ = hotfix_branch(repo)
    merge_oid = merge(repo, branch)
    hand_made_tag(repo, "hotfix-bd-42", merge_oid)
    done = subprocess.run([sys.executable, "-m", "incident_beads", "-C", str(repo), "check-push",
                           "--range", f"{base}..{merge_oid}", "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    [finding] = json.loads(done.stdout)["findings"]
    assert finding["kind"] == "no-review" and finding["tag"] == "hotfix-bd-42"
    assert finding["fix"].startswith("git tag -d hotfix-bd-42 && incident hotfix review bd-42")


def test_the_tag_message_can_be_printed_for_git_flow(guarded: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli_runner import run_incident

    api, incident_id, hotfix_id = tool_hotfix(guarded)
    code, _, err = run_incident(capsys, guarded, "hotfix", "tag", hotfix_id, "--print-message")
    assert code == 1 and "no approving review" in err
    api.hotfixes.review(hotfix_id, reviewer="grace", approve=True, fixes_issue=True,
                        adds_issues=False)
    code, out, _ = run_incident(capsys, guarded, "hotfix", "tag", hotfix_id, "--print-message")
    assert code == 0 and "-----BEGIN INCIDENT-BEADS REVIEW-----" in out
    assert git(guarded, "tag", "--list") == ""  # printing does not tag
    # A tag made by another tool with this message passes (gitflow-avh tags the merge).
    (guarded / "message.txt").write_text(out)
    merged = merge_by_hand(guarded, incident_id)
    git(guarded, "tag", "-a", f"incident-{incident_id}", "-F", "message.txt", merged)
    (guarded / "message.txt").unlink()
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
