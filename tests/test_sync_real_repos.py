"""`incident sync` in repositories as people keep them: an ignored `.beads/`, a detached HEAD."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import CliResult, run_incident
from tests.conftest import git


@pytest.fixture
def incident(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(root: Path, *args: str) -> CliResult:
        return run_incident(capsys, root, *args)

    return run


def _declare(incident, root: Path, title: str = "Checkout down") -> str:  # type: ignore[no-untyped-def]
    made = incident(root, "create", title, "--sev", "2", "--who", "all", "--what", "x", "--json")
    assert made.code == 0, made.err
    return str(json.loads(made.out)["id"])


def test_sync_where_beads_is_ignored_but_the_store_tracked(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    """The reproduction: bd's own repository lists `.beads/` in `.gitignore`."""
    (repo / ".gitignore").write_text(".beads/\n")
    assert incident(repo, "init").code == 0
    git(repo, "add", ".gitignore", ".gitattributes")
    git(repo, "add", "-f", ".beads/issues.jsonl")
    git(repo, "commit", "-q", "-m", "Track the store")
    incident_id = _declare(incident, repo)
    (repo / ".beads" / "scratch.db").write_text("bd's database, ignored\n")
    result = incident(repo, "sync", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["paths"] == [".beads/issues.jsonl"]
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert committed == [".beads/issues.jsonl"]
    assert git(repo, "log", "-1", "--format=%s") == f"Record incident {incident_id}"
    assert git(repo, "status", "--porcelain") == ""


def test_sync_refuses_a_detached_head_in_one_line(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    assert incident(repo, "init").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "store")
    _declare(incident, repo)
    git(repo, "checkout", "-q", "--detach")
    head = git(repo, "rev-parse", "HEAD")
    result = incident(repo, "sync")
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert "detached" in result.err and "git switch main" in result.err
    assert git(repo, "rev-parse", "HEAD") == head  # no commit on no branch


def test_sync_commits_the_setup_files_init_changed_and_names_the_incidents(repo: Path,
                                                                            incident) -> None:  # type: ignore[no-untyped-def]
    (repo / ".gitattributes").write_text("*.png binary\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "attributes")
    init = incident(repo, "init", "--prefix", "ops")
    assert init.code == 0
    assert ".gitattributes" in init.out and ".beads/.gitignore" in init.out
    assert "`incident sync` commits them" in init.out
    first = _declare(incident, repo, "Checkout down")
    second = _declare(incident, repo, "Search slow")
    plain = incident(repo, "sync")
    assert plain.code == 0, plain.err
    committed = sorted(git(repo, "show", "--name-only", "--format=", "HEAD").splitlines())
    assert committed == [".beads/.gitignore", ".beads/config.yaml", ".beads/issues.jsonl",
                         ".gitattributes"]
    subject = git(repo, "log", "-1", "--format=%s")
    assert subject.startswith("Record incidents ") and first in subject and second in subject
    assert git(repo, "status", "--porcelain") == ""
    # a later sync names only the incident that changed
    assert incident(repo, "update", first, "--status", "Identified", "--impact", "all",
                    "--action", "rollback").code == 0
    assert incident(repo, "sync").code == 0
    assert git(repo, "log", "-1", "--format=%s") == f"Record incident {first}"


def test_sync_leaves_other_gitattributes_changes_alone(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    assert incident(repo, "init").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "store")
    with open(repo / ".gitattributes", "a", encoding="utf-8") as out:
        out.write("*.bin binary\n")
    _declare(incident, repo)
    assert incident(repo, "sync").code == 0
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == ".beads/issues.jsonl"
    assert git(repo, "status", "--porcelain") == "M .gitattributes"


def test_the_first_sync_after_init_says_it_sets_up_the_store(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    assert incident(repo, "init").code == 0
    assert incident(repo, "sync").code == 0
    assert git(repo, "log", "-1", "--format=%s") == "Set up the incident store"
