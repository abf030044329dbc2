"""The merge driver as git runs it: registration, the command, two clones merging."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_beads.beads.doctor import validate
from incident_beads.beads.init_store import init_store
from incident_beads.beads.issue import encode_line
from incident_beads.beads.store import BeadsStore
from incident_beads.cli import main
from incident_beads.errors import GitError
from incident_beads.mergedriver import driver_command, register_merge_driver
from incident_beads.mergedriver.setup import init_repository
from tests.conftest import git
from tests.test_merge_rules import T1, changed, issue

ATTRIBUTES = ".beads/issues.jsonl merge=incident-beads"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


# registration -------------------------------------------------------------------------------
def test_init_registers_the_driver_once_and_keeps_other_attributes(repo: Path) -> None:
    (repo / ".gitattributes").write_text("*.png binary")  # no final newline
    written = init_repository(repo)
    assert repo / ".gitattributes" in written
    assert (repo / ".gitattributes").read_text() == f"*.png binary\n{ATTRIBUTES}\n"
    driver = git(repo, "config", "--get", "merge.incident-beads.driver")
    assert "-m incident_beads merge-driver %O %A %B %P" in driver
    assert "then exec incident merge-driver %O %A %B %P" in driver
    assert git(repo, "config", "--get", "merge.incident-beads.name")
    assert git(repo, "check-attr", "merge", "--", ".beads/issues.jsonl").endswith(
        "merge: incident-beads")

    assert repo / ".gitattributes" not in init_repository(repo)
    again = register_merge_driver(repo)
    assert (again.config_written, again.attributes_written) == (False, None)
    assert (repo / ".gitattributes").read_text().count(ATTRIBUTES) == 1


def test_an_old_bd_driver_line_is_kept_and_overridden(repo: Path) -> None:
    (repo / ".gitattributes").write_text(".beads/issues.jsonl merge=beads\n")
    register_merge_driver(repo)
    assert (repo / ".gitattributes").read_text() == (
        f".beads/issues.jsonl merge=beads\n{ATTRIBUTES}\n")
    assert git(repo, "check-attr", "merge", "--", ".beads/issues.jsonl").endswith(
        "merge: incident-beads")


def test_registration_needs_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a git repository"):
        register_merge_driver(tmp_path)
    init_repository(tmp_path)  # a store outside git is still fine, without the driver
    assert not (tmp_path / ".gitattributes").exists()


def test_the_store_alone_leaves_git_untouched(repo: Path) -> None:
    """The store sits below the merge driver: only setting the repository up registers it."""
    written = init_store(repo)
    assert repo / ".gitattributes" not in written
    assert not (repo / ".gitattributes").exists()
    done = subprocess.run(["git", "config", "--get-regexp", "^merge[.]"], cwd=repo,
                          capture_output=True, text=True)
    assert done.stdout == ""


def test_the_driver_falls_back_to_incident_on_path(tmp_path: Path) -> None:
    command = driver_command(str(tmp_path / "gone" / "python"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "is gone and no `incident` is on PATH" in done.stderr

    fake = bin_dir / "incident"
    fake.write_text('#!/bin/sh\necho "$@"\n')
    fake.chmod(0o755)
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stdout) == (0, "merge-driver %O %A %B %P\n")


# the command --------------------------------------------------------------------------------
def test_the_command_writes_the_merge_into_ours(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    base = issue()
    files = {name: tmp_path / name for name in ("O", "A", "B")}
    files["O"].write_bytes(encode_line(base))
    files["A"].write_bytes(encode_line(changed(base, title="ours", updated_at=T1)))
    files["B"].write_bytes(encode_line(base) + encode_line(issue("inc-b2")))
    code, out, err = run_cli(capsys, "merge-driver", *map(str, files.values()),
                             ".beads/issues.jsonl")
    assert (code, out, err) == (0, "", "")
    assert files["A"].read_bytes() == encode_line(changed(base, title="ours", updated_at=T1)) \
        + encode_line(issue("inc-b2"))


def test_the_command_reports_a_conflict_and_exits_1(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    files = {name: tmp_path / name for name in ("O", "A", "B")}
    files["O"].write_bytes(b"")
    files["A"].write_bytes(encode_line(issue("inc-x1", title="one", created_at=T1)))
    files["B"].write_bytes(encode_line(issue("inc-x1", title="two")))
    code, _, err = run_cli(capsys, "merge-driver", *map(str, files.values()),
                           ".beads/issues.jsonl")
    assert code == 1
    assert "cannot merge inc-x1: both sides added an issue with this id" in err
    assert "1 issue(s) left between conflict markers" in err
    assert files["A"].read_bytes().startswith(b"<<<<<<< ours\n")


def test_the_command_refuses_a_malformed_version_and_leaves_ours(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {name: tmp_path / name for name in ("O", "A", "B")}
    files["O"].write_bytes(b"")
    files["A"].write_bytes(encode_line(issue()))
    files["B"].write_bytes(encode_line(issue()) + b"{oops\n")
    code, _, err = run_cli(capsys, "merge-driver", *map(str, files.values()),
                           ".beads/issues.jsonl")
    assert code == 1
    assert "theirs:.beads/issues.jsonl:2: not valid JSON" in err
    assert files["A"].read_bytes() == encode_line(issue())


# two clones ---------------------------------------------------------------------------------
def clock_at(hours: float) -> Callable[[], datetime]:
    moment = [datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=hours)]

    def now() -> datetime:
        moment[0] += timedelta(seconds=30)
        return moment[0]

    return now


def commit_all(work: Path, message: str) -> None:
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", message)


def two_responders(repo: Path, *, register_b: bool) -> tuple[Path, dict[str, str]]:
    """Ann (repo) and Bob (a second clone) each declare and update incidents on main."""
    init_repository(repo, "inc")
    first = BeadsStore(repo, clock=clock_at(0))
    db = first.create("[SEV-2] Database latency", issue_type="bug", priority=1,
                      labels=["incident", "sev-2"])
    api = first.create("[SEV-3] API errors", issue_type="bug", priority=2,
                       labels=["incident", "sev-3"])
    commit_all(repo, "Declare two incidents")
    git(repo, "push", "-q", "origin", "main")

    bob = repo.parent / "bob"
    git(repo.parent, "clone", "-q", str(repo.parent / "upstream.git"), str(bob))
    if register_b:
        init_repository(bob)

    ann_store = BeadsStore(repo, clock=clock_at(1))
    with ann_store.transaction() as tx:
        cache = tx.create("[SEV-1] Cache cluster down", issue_type="bug", priority=0,
                          labels=["incident", "sev-1"])
        tx.update(db.id, description="p99 at 4 s since the 09:00 deploy")
        tx.add_comment(api.id, "ann", "Investigating: 5xx on /orders")
        tx.set_metadata(api.id, "incident_beads", {"phase": "assess",
                                                   "updates": [{"by": "ann"}]})
    commit_all(repo, "Ann: declare the cache incident, update two")
    git(repo, "push", "-q", "origin", "main")

    bob_store = BeadsStore(bob, clock=clock_at(2))
    with bob_store.transaction() as tx:
        queue = tx.create("[SEV-2] Queue backlog", issue_type="bug", priority=1,
                          labels=["incident", "sev-2"])
        tx.close(db.id, "Rolled back the 09:00 deploy")
        tx.add_comment(api.id, "bob", "Identified: bad config push")
        tx.add_label(api.id, "config")
        tx.set_metadata(api.id, "incident_beads", {"phase": "mitigate",
                                                   "updates": [{"by": "bob"}]})
    commit_all(bob, "Bob: declare the queue incident, resolve the database one")
    return bob, {"db": db.id, "api": api.id, "cache": cache.id, "queue": queue.id}


def test_two_clones_merge_without_conflict_and_keep_everything(repo: Path) -> None:
    bob, ids = two_responders(repo, register_b=True)
    done = subprocess.run(["git", "pull", "-q", "--no-rebase", "origin", "main"], cwd=bob,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert git(bob, "status", "--porcelain") == ""
    assert len(git(bob, "log", "-1", "--format=%P").split()) == 2  # a real merge commit

    store = BeadsStore(bob)
    assert {i.id for i in store.issues()} == set(ids.values())
    db, api = store.get(ids["db"]), store.get(ids["api"])
    assert db.is_closed and db.close_reason == "Rolled back the 09:00 deploy"
    assert db.description == "p99 at 4 s since the 09:00 deploy"
    assert [c["author"] for c in api.comments] == ["ann", "bob"]
    assert "config" in api.labels
    # Bob merges: his own list first, then what Ann added; comments read in time order.
    assert api.metadata["incident_beads"] == {"phase": "mitigate",
                                              "updates": [{"by": "bob"}, {"by": "ann"}]}
    assert [v for v in validate(store.path) if v.level == "error"] == []


def test_without_the_driver_plain_git_conflicts(repo: Path) -> None:
    # The same story without the driver registered in Bob's clone: git's text merge fails,
    # which shows the test above really exercises the driver.
    bob, _ = two_responders(repo, register_b=False)
    done = subprocess.run(["git", "pull", "-q", "--no-rebase", "origin", "main"], cwd=bob,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "CONFLICT" in done.stdout + done.stderr
    git(bob, "merge", "--abort")


def test_incident_records_from_two_clones_merge_into_a_valid_incident(repo: Path) -> None:
    from incident_beads.response import IncidentResponse

    init_repository(repo, "inc")
    declared = IncidentResponse(repo, clock=clock_at(0), actor="ann").declare(
        "Checkout fails", severity="SEV-2", who_affected="EU customers")
    commit_all(repo, "Declare the checkout incident")
    git(repo, "push", "-q", "origin", "main")
    bob = repo.parent / "bob"
    git(repo.parent, "clone", "-q", str(repo.parent / "upstream.git"), str(bob))
    init_repository(bob)

    IncidentResponse(repo, clock=clock_at(0.25), actor="ann").post_update(
        declared.id, status="Investigating", impact="EU checkout fails", action="reading logs")
    IncidentResponse(repo, clock=clock_at(0.3), actor="ann").declare(
        "Search slow", severity="SEV-3")
    commit_all(repo, "Ann: first status update, a second incident")
    git(repo, "push", "-q", "origin", "main")
    IncidentResponse(bob, clock=clock_at(0.5), actor="bob").mitigate(
        declared.id, "rollback", "failed", detail="the previous build fails too")
    commit_all(bob, "Bob: the rollback failed")

    done = subprocess.run(["git", "pull", "-q", "--no-rebase", "origin", "main"], cwd=bob,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    response = IncidentResponse(bob)
    incident = response.get(declared.id)  # the merged metadata still validates
    assert [u.status for u in incident.state.updates] == ["Investigating"]
    assert [m.option for m in incident.state.mitigations] == ["rollback"]
    assert len(response.incidents()) == 2


def test_children_added_on_two_clones_both_survive_the_merge(repo: Path) -> None:
    init_repository(repo, "inc")
    incident = BeadsStore(repo, clock=clock_at(0)).create("[SEV-1] Outage", issue_type="bug")
    commit_all(repo, "Declare the outage")
    git(repo, "push", "-q", "origin", "main")
    bob = repo.parent / "bob"
    git(repo.parent, "clone", "-q", str(repo.parent / "upstream.git"), str(bob))
    init_repository(bob)
    postmortem = BeadsStore(repo, clock=clock_at(1)).create(
        "Post-mortem: outage", labels=["post-mortem"], parent=incident.id)
    commit_all(repo, "Ann: schedule the post-mortem")
    git(repo, "push", "-q", "origin", "main")
    hotfix = BeadsStore(bob, clock=clock_at(2)).create(
        "Hotfix: outage", labels=["hotfix"], parent=incident.id)
    commit_all(bob, "Bob: start the hotfix")
    assert postmortem.id == hotfix.id == f"{incident.id}.1"

    done = subprocess.run(["git", "pull", "--no-rebase", "origin", "main"], cwd=bob,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"both sides added a different {hotfix.id}; theirs is now {incident.id}.2" \
        in done.stderr
    titles = {i.id: i.title for i in BeadsStore(bob).issues()}
    assert sorted(titles.values()) == ["Hotfix: outage", "Post-mortem: outage", "[SEV-1] Outage"]
    assert BeadsStore(bob).get(f"{incident.id}.2").depends_on("parent-child") == [incident.id]
