"""The library's one git seam (`incident_beads.repo`): real repositories with a bare upstream."""

from __future__ import annotations

import ast
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident_beads.errors import GitError, NotFound
from incident_beads.repo import GitRepo
from tests.conftest import git

PACKAGE = Path(__file__).resolve().parents[1] / "incident_beads"


def commit_file(work: Path, name: str, text: str, message: str) -> str:
    (work / name).write_text(text)
    git(work, "add", name)
    git(work, "commit", "-q", "-m", message)
    return git(work, "rev-parse", "HEAD")


def test_refs_commits_and_branches_read_through_the_object_model(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "hotfix/incident-ib-1")
    second = commit_file(repo, "app.py", "print(1)\n", "Fix\n\nIncident: ib-1")
    with GitRepo(repo) as seam:
        assert seam.main_branch() == "main"
        assert seam.branch_exists("hotfix/incident-ib-1") and not seam.branch_exists("nope")
        assert seam.rev_parse("refs/heads/main") == first
        assert seam.current_branch() == "hotfix/incident-ib-1"
        assert seam.is_ancestor(first, second) and not seam.is_ancestor(second, first)
        (found,) = seam.commits(first, second)
        assert found.sha == second and found.subject == "Fix"
        assert found.message.startswith("Fix\n\nIncident: ib-1")
        assert (found.author_name, found.committer_email) == ("Ada Oncall", "ada@example.com")
        assert found.date == "2026-01-15T10:00:00+00:00"
        assert seam.file_at(first, "app.py") == b"print('hello')\n"
        assert seam.file_at(first, "missing.py") is None
        with pytest.raises(NotFound):
            seam.rev_parse("refs/heads/nope")
    git(repo, "checkout", "-q", "--detach", first)
    with GitRepo(repo) as seam:
        assert seam.current_branch() is None


def test_tags_say_annotated_or_lightweight_and_who_made_them(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    message = "Hotfix\n\n# kept: not a comment\n  indented\n\n"
    with GitRepo(repo) as seam:
        seam.annotated_tag("hotfix-ib-1", head, message)
        # GitPython's tag object leaves out the message's last line break.
        assert seam.tag_message("hotfix-ib-1") == message[:-1]
    # Kept verbatim: blank lines, `#` lines and indentation, as the guard reads them back.
    assert git(repo, "cat-file", "tag", "hotfix-ib-1").endswith("\n\n" + message.rstrip("\n"))
    assert git(repo, "for-each-ref", "--format=%(contents)", "refs/tags/hotfix-ib-1") == (
        message.rstrip("\n"))
    git(repo, "tag", "v1")
    with GitRepo(repo) as seam:
        assert seam.tag_info("hotfix-ib-1") == ("tag", head)
        assert seam.tag_message("hotfix-ib-1") == message[:-1]
        assert seam.tag_info("v1") == ("commit", head)
        assert seam.tag_message("v1") is None
        with pytest.raises(NotFound):
            seam.tag_info("v2")
        tags = {t.name: t for t in seam.tags()}
        assert tags["hotfix-ib-1"].annotated and not tags["v1"].annotated
        assert {t.commit for t in tags.values()} == {head}
        assert tags["hotfix-ib-1"].who == tags["v1"].who == "Ada Oncall"
        assert datetime.fromisoformat(tags["v1"].at) == datetime(2026, 1, 15, 10, tzinfo=UTC)
        with pytest.raises(GitError, match="cannot create tag hotfix-ib-1"):
            seam.annotated_tag("hotfix-ib-1", head, "again")


def test_behind_remote_counts_what_was_fetched(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(tmp_path / "upstream.git"), str(other))
    commit_file(other, "b.py", "b\n", "Two")
    commit_file(other, "c.py", "c\n", "Three")
    git(other, "push", "-q", "origin", "main")
    with GitRepo(repo) as seam:
        assert seam.behind_remote("main", "origin") == 0  # nothing fetched yet
    git(repo, "fetch", "-q", "origin")
    with GitRepo(repo) as seam:
        assert seam.behind_remote("main", "origin") == 2
        line = seam.first_parent_line("main", since=int(datetime(2026, 1, 1, tzinfo=UTC)
                                                         .timestamp()))
        assert line == [(int(datetime(2026, 1, 15, 10, tzinfo=UTC).timestamp()), None)]


def test_configuration_written_by_git_reads_back_through_config_reader(repo: Path) -> None:
    value = "if test -x '/opt/my python'; then exec x; fi # \"quoted\" \\ backslash"
    with GitRepo(repo) as seam:
        assert seam.config_value('merge "incident-beads"', "driver", local=True) is None
        seam.set_config("merge.incident-beads.driver", value)
        assert seam.config_value('merge "incident-beads"', "driver", local=True) == value
        assert seam.config_value("user", "name", local=True) is None
    assert git(repo, "config", "--get", "merge.incident-beads.driver") == value


def test_a_refused_push_comes_back_with_its_status_and_words(repo: Path, tmp_path: Path) -> None:
    hook = tmp_path / "upstream.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'refused: no pushes today' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    commit_file(repo, "b.py", "b\n", "Two")
    with GitRepo(repo) as seam:
        status, err = seam.attempt("push", "origin", "main")
        assert status == 1 and "refused: no pushes today" in err
        with pytest.raises(GitError, match="git push to origin failed"):
            seam.push("origin", ["refs/heads/main"])


def test_init_and_closing(tmp_path: Path) -> None:
    GitRepo.init(tmp_path / "bare.git", bare=True)
    GitRepo.init(tmp_path / "work", branch="trunk")
    assert git(tmp_path / "work", "symbolic-ref", "HEAD") == "refs/heads/trunk"
    assert git(tmp_path / "bare.git", "rev-parse", "--is-bare-repository") == "true"
    seam = GitRepo(tmp_path / "work")
    with seam:
        assert seam.repo.working_tree_dir == str(tmp_path / "work")
    with pytest.raises(RuntimeError, match="outside its `with` block"):
        seam.repo  # noqa: B018 - closed when the block ends
    with pytest.raises(GitError, match="not a git repository"), GitRepo(tmp_path):
        pass


def test_gitpython_is_imported_by_the_seam_only() -> None:
    """Every library git call goes through `incident_beads.repo`; the hook path and the
    store's journal run plain git and never import GitPython."""
    importers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and
                     not node.level else [])
            if any(n == "git" or n.startswith("git.") for n in names):
                importers.append(path.relative_to(PACKAGE).as_posix())
    assert importers and all(path.startswith("repo/") for path in importers), importers
