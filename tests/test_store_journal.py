"""The journal inside `.git`: git habits that change the work tree never lose an incident."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from incident_beads.beads import BeadsStore
from incident_beads.beads import journal as journal_module
from incident_beads.beads.journal import JOURNAL_REF, Journal, entry_path
from incident_beads.beads.recovery import MISSING, OLDER, behind, recover
from tests.cli_runner import CliResult, run_incident
from tests.conftest import git

pytestmark = pytest.mark.reliability


@pytest.fixture
def incident(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(root: Path, *args: str) -> CliResult:
        return run_incident(capsys, root, *args)

    return run


@pytest.fixture
def synced(repo: Path, incident) -> Path:  # type: ignore[no-untyped-def]
    """`repo` with a store committed and pushed, as a team keeps it."""
    assert incident(repo, "init").code == 0
    assert incident(repo, "sync", "--push").code == 0
    return repo


def _declare(incident, root: Path, title: str = "Checkout down") -> str:  # type: ignore[no-untyped-def]
    made = incident(root, "create", title, "--sev", "2", "--who", "all", "--what", "x", "--json")
    assert made.code == 0, made.err
    return str(json.loads(made.out)["id"])


def _ids(root: Path) -> set[str]:
    return {issue.id for issue in BeadsStore(root).issues()}


def test_each_write_is_one_commit_on_the_journal_ref(synced: Path, incident) -> None:  # type: ignore[no-untyped-def]
    first = _declare(incident, synced)
    assert git(synced, "rev-list", "--count", JOURNAL_REF) == "1"
    assert incident(synced, "update", first, "--status", "Identified", "--impact", "all",
                    "--action", "rollback").code == 0
    assert git(synced, "rev-list", "--count", JOURNAL_REF) == "2"
    line = git(synced, "show", f"{JOURNAL_REF}:{entry_path(first)}")
    assert json.loads(line)["id"] == first and "rollback" in line
    # the journal is no branch: status, log and branch listings do not show it
    assert git(synced, "branch", "--list") == "* main"
    assert git(synced, "status", "--porcelain") == "M .beads/issues.jsonl"


def test_git_stash_then_recover(synced: Path, incident) -> None:  # type: ignore[no-untyped-def]
    """The reproduction: the hint said `git stash`, and the incident was gone."""
    incident_id = _declare(incident, synced)
    git(synced, "stash")
    missing = incident(synced, "show", incident_id)
    assert missing.code == 1 and "`incident recover`" in missing.err
    doctor = incident(synced, "doctor")
    assert doctor.code == 0 and "behind the journal" in doctor.out and incident_id in doctor.out
    done = incident(synced, "recover")
    assert done.code == 0
    assert f"{incident_id}: missing from the work tree" in done.out
    assert incident(synced, "show", incident_id).code == 0
    assert "behind the journal" not in incident(synced, "doctor").out
    again = incident(synced, "recover", "--json")
    assert json.loads(again.out)["issues"] == []


def test_reset_hard_brings_back_new_and_newer_records(synced: Path, incident) -> None:  # type: ignore[no-untyped-def]
    old = _declare(incident, synced, "Search slow")
    assert incident(synced, "sync").code == 0
    assert incident(synced, "update", old, "--status", "Identified", "--impact", "all",
                    "--action", "reindex").code == 0
    new = _declare(incident, synced, "Payments failing")
    git(synced, "reset", "-q", "--hard")
    assert new not in _ids(synced)
    dry = incident(synced, "recover", "--dry-run", "--json")
    assert {(i["id"], i["reason"]) for i in json.loads(dry.out)["issues"]} == {
        (old, OLDER), (new, MISSING)}
    assert new not in _ids(synced)  # a dry run writes nothing
    assert incident(synced, "recover").code == 0
    assert new in _ids(synced)
    assert "reindex" in json.dumps(BeadsStore(synced).get(old).data)


def test_checkout_dot_and_branch_switch(synced: Path, incident) -> None:  # type: ignore[no-untyped-def]
    first = _declare(incident, synced)
    git(synced, "checkout", "--", ".")
    assert first not in _ids(synced)
    assert incident(synced, "recover").code == 0
    assert first in _ids(synced)
    assert incident(synced, "sync").code == 0
    git(synced, "checkout", "-q", "-b", "old-work", "HEAD~1")  # a branch from before the store
    second = _declare(incident, synced, "On the old branch")
    git(synced, "checkout", "-q", "-f", "main")
    assert second not in _ids(synced)
    assert incident(synced, "recover").code == 0
    assert {first, second} <= _ids(synced)


def test_git_clean_of_an_uncommitted_store(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    assert incident(repo, "init").code == 0  # never committed
    incident_id = _declare(incident, repo)
    git(repo, "clean", "-q", "-fdx")
    assert not (repo / ".beads").exists()
    gone = incident(repo, "list")
    assert gone.code == 1 and "`incident recover`" in gone.err
    assert incident(repo, "recover").code == 0
    assert incident_id in _ids(repo)


def test_nothing_newer_in_the_work_tree_is_overwritten(store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    mine = store.create("ours")
    path = store.path
    # another tool (bd) rewrites the line later, and adds an issue of its own
    data = dict(mine.data, title="edited by bd", updated_at="2099-01-01T00:00:00Z")
    foreign = {"id": f"{mine.id}x", "title": "bd's own", "priority": 2,
               "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    path.write_text(json.dumps(data) + "\n" + json.dumps(foreign) + "\n")
    assert behind(store) == []
    assert recover(store) == []
    assert store.get(mine.id).title == "edited by bd"
    assert store.get(foreign["id"]).title == "bd's own"


def test_pruning_keeps_the_journal_bounded(store_repo: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "MAX_DEPTH", 5)
    store = BeadsStore(store_repo)
    made = [store.create(f"issue {n}").id for n in range(12)]
    for issue_id in made[:3]:
        store.update(issue_id, notes="touched")
    depth = int(git(store_repo, "rev-list", "--count", JOURNAL_REF))
    assert 1 <= depth <= 5
    listed = git(store_repo, "ls-tree", "-r", "--name-only", JOURNAL_REF).splitlines()
    assert sorted(listed) == sorted(entry_path(i) for i in made)
    store.path.write_bytes(b"")
    assert {item.issue_id for item in recover(store)} == set(made)
    assert store.get(made[0]).data.get("notes") == "touched"


def test_a_failed_write_leaves_the_journal_as_it_was(store_repo: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store = BeadsStore(store_repo)
    store.create("first")
    tip = git(store_repo, "rev-parse", JOURNAL_REF)
    from incident_beads.beads import write as write_module

    def disk_full(path: Path, chunks: object, **_: object) -> None:
        assert path == store.path
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write_module, "atomic_write", disk_full)
    with pytest.raises(OSError):
        store.create("second")
    assert git(store_repo, "rev-parse", JOURNAL_REF) == tip


def test_a_broken_journal_warns_and_keeps_the_write(store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    store.create("first")
    ref = Journal.of(store_repo)
    assert ref is not None
    (store_repo / ".git" / JOURNAL_REF).write_text("1" * 40 + "\n")  # a tip that is gone
    issue = store.create("second")
    assert issue.id in _ids(store_repo)
    assert any("journal" in warning for warning in store.warnings)


def _create_many(root: str, n: int) -> None:
    store = BeadsStore(root)
    for k in range(n):
        store.create(f"parallel {k}")


def test_parallel_writers_each_leave_their_commit(store_repo: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_create_many, args=(str(store_repo), 4)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    ids = _ids(store_repo)
    assert len(ids) == 16
    assert git(store_repo, "rev-list", "--count", JOURNAL_REF) == "16"
    listed = set(git(store_repo, "ls-tree", "-r", "--name-only", JOURNAL_REF).splitlines())
    assert listed == {entry_path(i) for i in ids}


def test_a_linked_worktree_keeps_its_own_journal(synced: Path, tmp_path: Path,
                                                incident) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other"
    git(synced, "worktree", "add", "-q", "-b", "side", str(other))
    side = _declare(incident, other, "Seen from the side")
    main = _declare(incident, synced, "Seen from main")
    refs = git(synced, "for-each-ref", "--format=%(refname)", "refs/incident-beads/")
    assert refs.splitlines() == [JOURNAL_REF, "refs/incident-beads/worktrees/other"]
    assert incident(synced, "recover", "--json").code == 0
    assert side not in _ids(synced) and main in _ids(synced)


def test_recover_without_store_or_journal_says_to_init(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    result = incident(repo, "recover")
    assert result.code == 1 and result.err.count("\n") == 1
    assert "incident init" in result.err
    assert not (repo / ".beads").exists()
