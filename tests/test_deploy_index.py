"""The deployments index: answers without git while the refs stay put, and exactly what a fresh
reading gives whenever anything that could change the answer moved."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_beads.config import GitConfig
from incident_beads.errors import GitError
from incident_beads.hotfix import deploy_index, refs_state
from incident_beads.hotfix.deploy_index import remembered_deployments
from incident_beads.hotfix.deploys import Deployment, recent_deployments
from tests.conftest import git

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def day(n: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, n, hour, tzinfo=UTC)


def git_at(root: Path, when: datetime, *args: str) -> str:
    """Plain git with author and committer dates set to `when`."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when.isoformat(),
           "GIT_COMMITTER_DATE": when.isoformat()}
    done = subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout.strip()


def commit(root: Path, when: datetime, message: str = "Change") -> None:
    git_at(root, when, "commit", "-q", "--allow-empty", "-m", message)


def merge(root: Path, incident: str, when: datetime, onto: str = "main") -> None:
    """Merge a hotfix branch for `incident` into `onto` (a merge on its first-parent line)."""
    branch = f"hotfix/incident-{incident}"
    git(root, "checkout", "-q", "-b", branch, onto)
    commit(root, when, f"Fix {incident}")
    git(root, "checkout", "-q", onto)
    git_at(root, when, "merge", "-q", "--no-ff", "-m", f"Merge branch '{branch}'", branch)


def tag(root: Path, name: str, when: datetime) -> None:
    git_at(root, when, "tag", "-a", "-m", f"Hotfix {name}", name)


@pytest.fixture
def readings(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The moments the repository was read for (each a fresh reading through the seam)."""
    seen: list[datetime] = []
    real = deploy_index.read_log

    def spy(root: Path | str, *, since: datetime, config: GitConfig | None = None
            ) -> deploy_index.DeploymentLog:
        seen.append(since)
        return real(root, since=since, config=config)

    monkeypatch.setattr(deploy_index, "read_log", spy)
    return seen


def same(root: Path, since: datetime = LONG_AGO,
         config: GitConfig | None = None) -> list[Deployment]:
    """The index's answer, checked against a fresh reading's."""
    found = remembered_deployments(root, since=since, config=config)
    assert found == recent_deployments(root, since=since, config=config)
    return found


def names(found: list[Deployment]) -> list[tuple[str, str | None]]:
    return [(d.kind, d.incident_id) for d in found]


def index_file(root: Path) -> Path:
    return root / ".git" / "incident-beads" / deploy_index.NAME


# A declaration, in its own process ----------------------------------------------------------

DECLARE = """
import json, sys
from incident_beads.cli import main
try:
    main(["-C", sys.argv[1], *sys.argv[2:]])
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps("git" in sys.modules))
"""


def imports_git(root: Path, *args: str) -> bool:
    done = subprocess.run([sys.executable, "-c", DECLARE, str(root), *args],
                          check=True, capture_output=True, text=True)
    return bool(json.loads(done.stdout.splitlines()[-1]))


def test_a_second_declaration_in_an_unchanged_repository_does_not_import_git(
        store_repo: Path) -> None:
    declare = ["create", "Checkout down", "--sev", "3", "--what", "503s",
               "--service", "search"]
    assert imports_git(store_repo, *declare)  # the first reads the repository
    assert not imports_git(store_repo, *declare[:1], "Search slow", *declare[2:])
    assert not imports_git(store_repo, "deploys", "--json")
    git(store_repo, "tag", "hotfix-ib-1")
    assert imports_git(store_repo, "deploys", "--json")


# Following what moved ----------------------------------------------------------------------

def test_the_answer_follows_a_new_tag(repo: Path, readings: list[datetime]) -> None:
    assert same(repo) == []
    assert same(repo) == [] and len(readings) == 1  # the second came from the index
    tag(repo, "hotfix-ib-1", day(16))
    assert names(same(repo)) == [("tag", "ib-1")]
    assert len(readings) == 2


def test_the_answer_follows_a_new_merge_and_a_reset_of_main(repo: Path,
                                                            readings: list[datetime]) -> None:
    merge(repo, "ib-1", day(16))
    assert names(same(repo)) == [("merge", "ib-1")]
    merge(repo, "ib-2", day(17))
    assert names(same(repo)) == [("merge", "ib-2"), ("merge", "ib-1")]
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    assert names(same(repo)) == [("merge", "ib-1")]
    assert len(readings) == 3


def test_the_answer_follows_a_tag_deleted_from_packed_refs(repo: Path,
                                                          readings: list[datetime]) -> None:
    tag(repo, "hotfix-ib-1", day(16))
    tag(repo, "hotfix-ib-2", day(17))
    git(repo, "pack-refs", "--all")
    assert names(same(repo)) == [("tag", "ib-2"), ("tag", "ib-1")]
    git(repo, "tag", "-d", "hotfix-ib-2")  # only packed-refs changes: no loose file
    assert not (repo / ".git" / "refs" / "tags" / "hotfix-ib-1").exists()
    assert names(same(repo)) == [("tag", "ib-1")]
    assert len(readings) == 2


def test_the_answer_follows_the_main_branch_and_tag_names_settings(
        repo: Path, readings: list[datetime]) -> None:
    git(repo, "branch", "release")
    merge(repo, "ib-1", day(16), onto="release")
    tag(repo, "deploy-ib-2", day(17))
    assert same(repo) == []
    deploys = GitConfig(tag_names=("deploy-{id}",))
    assert names(same(repo, config=deploys)) == [("tag", "ib-2")]
    release = GitConfig(main_branch="release", tag_names=deploys.tag_names)
    assert names(same(repo, config=release)) == [("tag", "ib-2"), ("merge", "ib-1")]
    assert len(readings) == 3


def test_a_worktree_reads_the_refs_of_the_common_git_dir(repo: Path, tmp_path: Path,
                                                         readings: list[datetime]) -> None:
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", "-b", "side", str(other))
    assert same(other) == []
    assert same(other) == [] and len(readings) == 1  # indexed in the worktree's own git dir
    merge(repo, "ib-1", day(16))  # in the main checkout
    assert names(same(other)) == [("merge", "ib-1")]
    commit(other, day(17))  # the worktree's branch moves: the answer may not, but is read
    assert names(same(other)) == [("merge", "ib-1")]
    assert len(readings) == 3


def test_the_answer_follows_a_shallow_clone_deepened(repo: Path, tmp_path: Path,
                                                    readings: list[datetime]) -> None:
    """Only `shallow` changes: the tip merge, parentless at the boundary, becomes a merge."""
    merge(repo, "ib-1", day(16))
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    assert same(clone) == []
    git(clone, "fetch", "-q", "--deepen", "1", "origin")
    assert names(same(clone)) == [("merge", "ib-1")]
    assert len(readings) == 2


def test_a_repository_without_its_main_branch_is_refused_the_same_way(
        tmp_path: Path, readings: list[datetime]) -> None:
    git(tmp_path, "init", "-q", "-b", "trunk")
    for _ in range(2):
        with pytest.raises(GitError, match="cannot find the main branch") as refused:
            remembered_deployments(tmp_path, since=LONG_AGO)
        assert refused.value.hint == "set git.main_branch in .incident-beads.toml"
    assert len(readings) == 1
    commit(tmp_path, day(16))
    git(tmp_path, "branch", "main")
    assert same(tmp_path) == []


# The index file ----------------------------------------------------------------------------

@pytest.mark.parametrize("spoil", [
    lambda text: b"{not json",
    lambda text: text.replace(b'"v":1', b'"v":99'),
    lambda text: re.sub(rb'"merges":\[\[\d+', b'"merges":[["soon"', text),
    lambda text: text.replace(b'"Ada Oncall"', b'null'),
    lambda text: text.replace(b'"since":"', b'"since":"x'),
], ids=["not-json", "other-version", "reach-not-a-number", "author-missing", "since-unreadable"])
def test_a_spoiled_index_is_ignored_and_rewritten(repo: Path, readings: list[datetime],
                                                  spoil: Callable[[bytes], bytes]) -> None:
    merge(repo, "ib-1", day(16))
    expected = same(repo)
    path = index_file(repo)
    good = path.read_bytes()
    spoiled = spoil(good)
    assert spoiled != good
    path.write_bytes(spoiled)
    assert same(repo) == expected and len(readings) == 2
    assert json.loads(path.read_bytes())["v"] == deploy_index.VERSION
    assert same(repo) == expected and len(readings) == 2


def test_an_earlier_since_reads_afresh(repo: Path, readings: list[datetime]) -> None:
    merge(repo, "ib-1", day(16))
    assert same(repo, since=day(16)) != []
    assert same(repo, since=day(17)) == [] and readings == [day(16)]
    assert names(same(repo, since=day(1))) == [("merge", "ib-1")]
    assert readings == [day(16), day(1)]


@pytest.mark.parametrize("refused", ["reftable", "GIT_DIR"])
def test_what_the_fingerprint_cannot_trust_is_never_indexed(
        repo: Path, readings: list[datetime], monkeypatch: pytest.MonkeyPatch,
        refused: str) -> None:
    if refused == "reftable":
        (repo / ".git" / "reftable").mkdir()
    else:
        monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    merge(repo, "ib-1", day(16))
    for _ in range(2):
        assert names(same(repo)) == [("merge", "ib-1")]
    assert len(readings) == 2 and not index_file(repo).exists()


# Exact answers, however the dates are skewed ------------------------------------------------

def test_the_index_replays_git_s_walk_on_skewed_commit_dates(repo: Path,
                                                             readings: list[datetime]) -> None:
    """git's `--since` stops at the first commit older than the date: a merge behind an old
    commit is not listed even when it is newer, and the index answers the same."""
    merge(repo, "ib-1", day(20))
    commit(repo, day(16))  # skewed: older than the merge before it
    merge(repo, "ib-2", day(22))
    merge(repo, "ib-3", day(18))  # skewed: older than the merge before it
    commit(repo, day(24))
    tag(repo, "hotfix-ib-2", day(19, 12))
    moments = [day(n) for n in (15, 16, 17, 18, 19, 20, 22, 24)]
    probes = sorted({m + d for m in moments for d in (timedelta(seconds=-1), timedelta(0),
                                                      timedelta(microseconds=500_000),
                                                      timedelta(seconds=1))})
    remembered_deployments(repo, since=probes[0])
    assert readings == [probes[0]]
    for since in probes:
        assert remembered_deployments(repo, since=since) == recent_deployments(repo, since=since)
    assert readings == [probes[0]]  # every answer came from the index
    assert names(same(repo, since=day(19))) == [("tag", "ib-2")]  # not ib-1 nor ib-2's merge
    assert names(same(repo, since=day(17))) == [("merge", "ib-2"), ("tag", "ib-2"),
                                                 ("merge", "ib-3")]
    assert names(same(repo, since=day(15))) == [
        ("merge", "ib-2"), ("merge", "ib-1"), ("tag", "ib-2"), ("merge", "ib-3")]


def test_the_fingerprint_follows_the_configuration_files_git_includes(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "conf").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    nested = home / "conf" / "nested.inc"
    nested.write_text("[log]\n\tdate = iso\n")
    (home / "conf" / "team.inc").write_text('[include]\n\tpath = "nested.inc" ; from the team\n')
    (home / ".gitconfig").write_text('[includeIf "gitdir:~/elsewhere/"]\n'
                                     "\tpath = ~/conf/team.inc\n")
    (repo / ".git" / "local.inc").write_text("[log]\n\tdecorate = short\n")
    git(repo, "config", "include.path", "local.inc")
    before = refs_state.fingerprint(repo, [])
    assert before is not None
    for path, text in ((nested, "[log]\n\tdate = relative\n"),
                       (repo / ".git" / "local.inc", "[log]\n\tdecorate = full\n")):
        path.write_text(text)  # another size: another stat, whatever the clock's resolution
        after = refs_state.fingerprint(repo, [])
        assert after not in (None, before)
        before = after
