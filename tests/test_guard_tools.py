"""The guard with the real tools it must live with, where they are installed: git-flow (AVH)
and lefthook. Skipped when the tool is missing; the layouts are also tested without them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.guard.install import LEFTHOOK, install, status
from tests.conftest import git
from tests.guard_helpers import annotated_tag, commit, hotfix_merge, push, remote_oid

needs_git_flow = pytest.mark.skipif(
    subprocess.run(["git", "flow", "version"], capture_output=True).returncode != 0,
    reason="git-flow is not installed")
needs_lefthook = pytest.mark.skipif(shutil.which("lefthook") is None,
                                    reason="lefthook is not installed")


def git_flow(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "flow", *args], cwd=repo, capture_output=True, text=True)


@pytest.fixture
def flow_repo(repo: Path) -> Path:
    """`repo` with git-flow initialised (main, develop, empty version tag prefix)."""
    git(repo, "push", "-q", "origin", "main")
    assert git_flow(repo, "init", "-d", "-f").returncode == 0
    git(repo, "config", "gitflow.branch.master", "main")
    git(repo, "push", "-q", "origin", "develop")
    install(repo)
    return repo


@needs_git_flow
def test_git_flow_hotfix_finish_passes_the_guard(flow_repo: Path) -> None:
    """The documented way: the tool starts, commits and records the review; git-flow finishes
    with the tool's tag message (`incident hotfix tag ID --print-message`)."""
    git(flow_repo, "checkout", "-q", "main")
    (flow_repo / ".beads").mkdir()
    (flow_repo / ".beads" / "issues.jsonl").write_text("")
    git(flow_repo, "add", ".beads")
    git(flow_repo, "commit", "-q", "-m", "Add the beads store")
    git(flow_repo, "push", "-q", "origin", "main")
    api = IncidentResponse(flow_repo, actor="ada")
    incident_id = api.declare("Checkout down", severity=1).id
    for rung in ("rollback", "feature-flag"):
        api.mitigate(incident_id, rung, "unavailable", detail="not possible")
    hotfix = api.hotfixes.start(incident_id)
    (flow_repo / "app.py").write_text("print('fixed')\n")
    git(flow_repo, "add", "app.py")
    api.hotfixes.commit(hotfix.id, "Fix the outage")
    api.hotfixes.review(hotfix.id, reviewer="grace", approve=True, fixes_issue=True,
                        adds_issues=False)
    (flow_repo.parent / "tag-message").write_text(api.hotfixes.tag_message(hotfix.id))
    # git-flow wants a clean tree: the store is committed where the team keeps it, never on
    # the reviewed hotfix branch (that would change the commit the review approved).
    git(flow_repo, "checkout", "-q", "main")
    git(flow_repo, "commit", "-q", "-m", "Record the incident so far", ".beads/issues.jsonl")
    name = f"incident-{incident_id}"
    done = git_flow(flow_repo, "hotfix", "finish", "-f", str(flow_repo.parent / "tag-message"),
                    name)
    assert done.returncode == 0, done.stderr
    tag = git(flow_repo, "for-each-ref", "--format=%(objecttype)", f"refs/tags/{name}")
    assert tag == "tag"
    # develop first (its back-merge is not a delivery), then main with the tag.
    assert push(flow_repo, "origin", "develop").returncode == 0
    done = push(flow_repo, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert remote_oid(flow_repo.parent / "upstream.git", f"refs/tags/{name}")


@needs_git_flow
def test_git_flow_tag_without_the_review_is_refused(flow_repo: Path) -> None:
    assert git_flow(flow_repo, "hotfix", "start", "incident-42").returncode == 0
    commit(flow_repo, "Fix the outage\n\nIncident: 42")
    done = git_flow(flow_repo, "hotfix", "finish", "-m", "Hotfix for incident 42", "incident-42")
    assert done.returncode == 0, done.stderr
    assert push(flow_repo, "origin", "develop").returncode == 0
    done = push(flow_repo, "--follow-tags", "origin", "main")
    assert done.returncode != 0
    assert "tag incident-42 carries no review block" in done.stderr


@needs_git_flow
def test_git_flow_hotfix_finished_without_a_tag_is_refused(flow_repo: Path) -> None:
    assert git_flow(flow_repo, "hotfix", "start", "incident-43").returncode == 0
    commit(flow_repo, "Fix it again")
    done = git_flow(flow_repo, "hotfix", "finish", "-n", "incident-43")
    assert done.returncode == 0, done.stderr
    done = push(flow_repo, "origin", "main")
    assert done.returncode != 0
    assert "incident 43" in done.stderr
    assert "no annotated tag hotfix-43 or incident-43" in done.stderr


@needs_lefthook
def test_lefthook_runs_the_guard_and_its_own_jobs(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "lefthook-job.log"
    (repo / "lefthook.yml").write_text(
        "pre-push:\n  commands:\n    record:\n"
        f"      run: cat > {log}\n      use_stdin: true\n")
    git(repo, "add", "lefthook.yml")
    git(repo, "commit", "-q", "-m", "Add lefthook")
    assert install(repo).manager == LEFTHOOK
    subprocess.run(["lefthook", "install"], cwd=repo, check=True, capture_output=True)
    assert status(repo).state == "installed"
    merge_oid, _ = hotfix_merge(repo)
    done = push(repo, "origin", "main")
    assert done.returncode != 0
    assert "incident bd-42" in done.stderr
    annotated_tag(repo, "hotfix-bd-42", merge_oid)
    done = push(repo, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stdout + done.stderr
    refs = sorted(line.split()[2] for line in log.read_text().splitlines())
    assert refs == ["refs/heads/main", "refs/tags/hotfix-bd-42"]
