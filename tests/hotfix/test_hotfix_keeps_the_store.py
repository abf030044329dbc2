"""Hints that never lose data: `hotfix start` on a dirty tree, and the store across the switch."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hotfix_helpers import git_run, ready_incident

from incident_beads import IncidentResponse, Refused
from incident_beads.beads import BeadsStore
from incident_beads.hotfix.worktree import stash_hint


def _ids(root: Path) -> set[str]:
    return {issue.id for issue in BeadsStore(root).issues()}


def test_the_dirty_tree_hint_names_the_files_and_its_stash_keeps_the_store(
        api: IncidentResponse, hot_repo: Path) -> None:
    """The reproduction: the old hint said `git stash`, which took the incident along."""
    incident_id = ready_incident(api)
    (hot_repo / "app.py").write_text("print('local edit')\n")
    (hot_repo / "my notes.txt").write_text("tracked notes\n")
    git_run(hot_repo, "add", "my notes.txt")
    with pytest.raises(Refused) as refused:
        api.hotfixes.start(incident_id)
    assert "(app.py, my notes.txt)" in refused.value.message
    hint = refused.value.hint or ""
    command = hint.partition(": ")[2]
    assert command == "git stash push -- app.py 'my notes.txt'"
    assert "git stash push" in hint and ".beads" not in command
    subprocess.run(command, shell=True, cwd=hot_repo, check=True, capture_output=True)
    assert incident_id in _ids(hot_repo)  # the store stayed in the work tree
    started = api.hotfixes.start(incident_id)
    assert started.state.branch == f"hotfix/incident-{incident_id}"
    git_run(hot_repo, "checkout", "-q", "main")
    git_run(hot_repo, "stash", "pop")
    assert (hot_repo / "app.py").read_text() == "print('local edit')\n"


def test_many_dirty_files_are_stashed_by_leaving_beads_out(tmp_path: Path) -> None:
    paths = [f"f{n}.py" for n in range(12)]
    hint = stash_hint(paths)
    assert hint.endswith("git stash push -- . ':(exclude).beads'")
    repo = tmp_path / "r"
    git_run(tmp_path, "init", "-q", "-b", "main", str(repo))
    for name in [*paths, ".beads/issues.jsonl"]:
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text("one\n")
    git_run(repo, "add", "-A")
    git_run(repo, "commit", "-q", "-m", "files")
    for name in [*paths, ".beads/issues.jsonl"]:
        (repo / name).write_text("two\n")
    subprocess.run(hint.partition(": ")[2], shell=True, cwd=repo, check=True,
                   capture_output=True)
    assert git_run(repo, "status", "--porcelain") == "M .beads/issues.jsonl"


def test_only_the_store_dirty_starts_and_carries_it_across_the_switch(
        api: IncidentResponse, hot_repo: Path) -> None:
    """On a branch whose committed store differs from main's, git alone refuses the switch."""
    git_run(hot_repo, "branch", "side")
    main_issue = BeadsStore(hot_repo).create("Committed on main meanwhile").id
    git_run(hot_repo, "commit", "-q", "-am", "main: an issue")
    git_run(hot_repo, "push", "-q", "origin", "main")
    git_run(hot_repo, "checkout", "-q", "side")
    side_issue = BeadsStore(hot_repo).create("Committed on the side branch").id
    git_run(hot_repo, "commit", "-q", "-am", "side: an issue")
    incident_id = ready_incident(api)  # the store is dirty, nothing else is
    assert git_run(hot_repo, "status", "--porcelain") == "M .beads/issues.jsonl"
    started = api.hotfixes.start(incident_id)
    assert git_run(hot_repo, "branch", "--show-current") == started.state.branch
    ids = _ids(hot_repo)
    assert {incident_id, started.id, side_issue, main_issue} <= ids
    assert len(api.get(incident_id).state.mitigations) == 2
    assert git_run(hot_repo, "show", "side:.beads/issues.jsonl").count(side_issue) == 1
