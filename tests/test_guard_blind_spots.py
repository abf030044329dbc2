"""The guard's former blind spots, refused by all three checks: the client's pre-push hook, the
server's `hooks/pre-receive` (pushed to with `--no-verify`) and `incident check-push` in CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.guard.commits import body_incidents
from incident_beads.guard.deletions import is_hotfix_tag
from incident_beads.guard.install import install
from tests.conftest import git
from tests.guard_helpers import (
    annotated_tag,
    commit,
    hand_made_tag,
    hotfix_merge,
    merge,
    push,
    remote_oid,
)

PROJECT = Path(__file__).resolve().parent.parent
SQUASH = ("Fix the checkout pool (#12)\n\nIncident: bd-42\n\n"
          "Co-authored-by: Grace Hopper <grace@example.com>\n")


@pytest.fixture
def server(repo: Path) -> Path:
    """The bare upstream of `repo`, running the shipped hooks/pre-receive."""
    upstream = repo.parent / "upstream.git"
    hook = upstream / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{PROJECT / 'hooks' / 'pre-receive'}'\n")
    hook.chmod(0o755)
    return upstream


def check_push(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incident_beads", "-C", str(repo),
                           "check-push", *args], capture_output=True, text=True)


def custom_subject_merge(repo: Path) -> tuple[str, str]:
    """A release branch carrying a hotfix commit, merged --no-ff as "Release 2.3"."""
    git(repo, "checkout", "-q", "-b", "release/2.3")
    commit(repo, "Prepare 2.3", name="version.txt")
    (repo / "fix.py").write_text("fixed = True\n")
    git(repo, "add", "fix.py")
    git(repo, "commit", "-q", "-m", "Fix the pool", "--trailer", "Incident: bd-42")
    carrier = git(repo, "rev-parse", "HEAD")
    return merge(repo, "release/2.3", message="Release 2.3"), carrier


def squash_commit(repo: Path) -> str:
    """A squash-merged hotfix as GitHub writes it: the trailer, then Co-authored-by lines."""
    (repo / "fix.py").write_text("fixed = True\n")
    git(repo, "add", "fix.py")
    git(repo, "commit", "-q", "-m", SQUASH)
    return git(repo, "rev-parse", "HEAD")


# a --no-ff merge with a custom subject -----------------------------------------------------
def test_custom_subject_merge_is_refused_by_the_server(repo: Path, server: Path) -> None:
    merge_oid, _ = custom_subject_merge(repo)
    done = push(repo, "--no-verify", "origin", "main")
    assert done.returncode != 0 and "pre-receive hook declined" in done.stderr
    assert f'merge {merge_oid[:12]} ("Release 2.3") brings incident bd-42' in done.stderr
    assert remote_oid(server, "main") != merge_oid


def test_custom_subject_merge_is_refused_by_pre_push_and_check_push(repo: Path) -> None:
    base = git(repo, "rev-parse", "main")
    merge_oid, _ = custom_subject_merge(repo)
    done = check_push(repo, "--range", f"{base}..{merge_oid}")
    assert done.returncode == 1 and "incident bd-42" in done.stderr
    install(repo)
    done = push(repo, "origin", "main")
    assert done.returncode != 0 and "brings incident bd-42" in done.stderr


def test_custom_subject_merge_with_its_tag_passes(repo: Path, server: Path) -> None:
    merge_oid, carrier = custom_subject_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", carrier)
    done = push(repo, "--no-verify", "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert remote_oid(server, "main") == merge_oid


def test_a_custom_subject_merge_without_incident_lines_passes(repo: Path, server: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "Add a feature\n\nIncident report template: see docs", name="f.py")
    merge_oid = merge(repo, "feature", message="Release 2.4")
    assert push(repo, "--no-verify", "origin", "main").returncode == 0
    assert remote_oid(server, "main") == merge_oid


def test_a_commit_already_on_main_does_not_count_again(repo: Path, server: Path) -> None:
    merge_oid, carrier = custom_subject_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", carrier)
    assert push(repo, "--no-verify", "--follow-tags", "origin", "main").returncode == 0
    # develop had the hotfix merged back; its later merge into main brings nothing new of it.
    git(repo, "checkout", "-q", "-b", "develop", merge_oid)
    commit(repo, "More work", name="w.py")
    merge(repo, "develop", message="Release 2.5")
    assert push(repo, "--no-verify", "origin", "main").returncode == 0


# a squash commit whose trailer is followed by another paragraph ----------------------------
def test_squash_with_co_authors_is_refused_by_the_server(repo: Path, server: Path) -> None:
    oid = squash_commit(repo)
    done = push(repo, "--no-verify", "origin", "main")
    assert done.returncode != 0 and f"commit {oid[:12]}" in done.stderr
    assert "incident bd-42" in done.stderr and remote_oid(server, "main") != oid


def test_squash_with_co_authors_is_refused_by_pre_push_and_check_push(repo: Path) -> None:
    base = git(repo, "rev-parse", "main")
    oid = squash_commit(repo)
    done = check_push(repo, "--range", f"{base}..{oid}")
    assert done.returncode == 1 and "incident bd-42" in done.stderr
    install(repo)
    done = push(repo, "origin", "main")
    assert done.returncode != 0 and "incident bd-42" in done.stderr
    annotated_tag(repo, "hotfix-bd-42", oid)
    assert push(repo, "--follow-tags", "origin", "main").returncode == 0


def test_incident_lines_count_in_any_paragraph_but_prose_does_not() -> None:
    assert body_incidents("Incident: bd-42\n\nCo-authored-by: a <a@b>\n") == ["bd-42"]
    assert body_incidents("text\nincident:   bd-7  \n") == ["bd-7"]
    assert body_incidents("Incident: the database went down\n  Incident: bd-1\n") == []


# deleting a hotfix tag once its merge has landed ------------------------------------------
def landed_hotfix(repo: Path) -> str:
    merge_oid, _ = hotfix_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", merge_oid)
    assert push(repo, "--no-verify", "--follow-tags", "origin", "main").returncode == 0
    return merge_oid


def test_deleting_a_landed_hotfix_tag_is_refused_by_the_server(repo: Path,
                                                                server: Path) -> None:
    landed_hotfix(repo)
    tag_object = remote_oid(server, "refs/tags/hotfix-bd-42")
    done = push(repo, "--no-verify", "origin", ":refs/tags/hotfix-bd-42")
    assert done.returncode != 0 and "pre-receive hook declined" in done.stderr
    assert "tag hotfix-bd-42 marks a hotfix that has landed on main" in done.stderr
    assert remote_oid(server, "refs/tags/hotfix-bd-42") == tag_object


def test_deleting_a_landed_hotfix_tag_is_refused_by_pre_push_and_check_push(
        repo: Path) -> None:
    landed_hotfix(repo)
    tag_object = git(repo, "rev-parse", "refs/tags/hotfix-bd-42")
    zero = "0" * 40
    done = subprocess.run([sys.executable, "-m", "incident_beads", "-C", str(repo),
                           "check-push", "--remote", "origin"], capture_output=True, text=True,
                          input=f"(delete) {zero} refs/tags/hotfix-bd-42 {tag_object}\n")
    assert done.returncode == 1 and "has landed on main" in done.stderr
    install(repo)
    done = push(repo, "origin", ":refs/tags/hotfix-bd-42")
    assert done.returncode != 0 and "has landed on main" in done.stderr
    assert remote_oid(repo.parent / "upstream.git", "refs/tags/hotfix-bd-42") == tag_object


def test_deleting_other_tags_and_unlanded_hotfix_tags_passes(repo: Path, server: Path) -> None:
    landed_hotfix(repo)
    hand_made_tag(repo, "v1.0", "HEAD")
    git(repo, "checkout", "-q", "-b", "hotfix/incident-bd-9")
    tip = commit(repo, "Not merged yet", name="n.py")
    annotated_tag(repo, "hotfix-bd-9", tip)
    assert push(repo, "--no-verify", "origin", "refs/tags/v1.0", "refs/tags/hotfix-bd-9",
                "hotfix/incident-bd-9").returncode == 0
    done = push(repo, "--no-verify", "origin", ":refs/tags/v1.0", ":refs/tags/hotfix-bd-9")
    assert done.returncode == 0, done.stderr


def test_hotfix_tag_names_follow_the_templates() -> None:
    templates = ("hotfix-{id}", "incident-{id}", "v{branch}")
    assert is_hotfix_tag("hotfix-bd-42", templates) and is_hotfix_tag("v1.2.3", templates)
    assert not is_hotfix_tag("hotfix-", templates) and not is_hotfix_tag("release-1", templates)
