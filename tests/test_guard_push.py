"""The hotfix guard as git's pre-push hook: real pushes to a bare upstream."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads.guard.install import install
from tests.conftest import git
from tests.guard_helpers import (
    annotated_tag,
    commit,
    hand_made_tag,
    hotfix_branch,
    hotfix_merge,
    merge,
    push,
    remote_oid,
)


@pytest.fixture
def guarded(repo: Path) -> Path:
    """`repo` with the guard installed as its pre-push hook."""
    install(repo)
    return repo


def upstream_of(repo: Path) -> Path:
    return repo.parent / "upstream.git"


def test_untagged_hotfix_merge_is_refused_with_the_fix(guarded: Path) -> None:
    before = remote_oid(upstream_of(guarded), "main")
    merge_oid, _ = hotfix_merge(guarded)
    done = push(guarded, "origin", "main")
    assert done.returncode != 0
    assert remote_oid(upstream_of(guarded), "main") == before
    assert f"merge {merge_oid[:12]}" in done.stderr
    assert "incident bd-42" in done.stderr
    assert "no annotated tag hotfix-bd-42 or incident-bd-42" in done.stderr
    fix = next(x for x in done.stderr.splitlines() if x.startswith("incident: fix: "))
    # A person reviews, the tool tags: never a bare `git tag -a`, which carries no review.
    assert fix == ("incident: fix: incident hotfix review bd-42 --reviewer PERSON --approve "
                   "--fixes-issue yes --adds-issues no && incident hotfix tag bd-42 && "
                   "git push origin refs/tags/hotfix-bd-42 main")
    assert "git tag -a" not in done.stderr


def test_tag_on_the_merge_in_the_same_push_is_accepted(guarded: Path) -> None:
    """gitflow-avh: the annotated tag is on the merge; branch and tag go in one push."""
    merge_oid, _ = hotfix_merge(guarded)
    annotated_tag(guarded, "hotfix-bd-42", merge_oid)
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert remote_oid(upstream_of(guarded), "main") == merge_oid
    assert remote_oid(upstream_of(guarded), "refs/tags/hotfix-bd-42")


def test_tag_on_the_hotfix_tip_is_accepted(guarded: Path) -> None:
    """nvie's git-flow tags the hotfix branch tip, with the branch name as tag name."""
    _, tip = hotfix_merge(guarded)
    annotated_tag(guarded, "incident-bd-42", tip)
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr


def test_lightweight_tag_is_refused(guarded: Path) -> None:
    merge_oid, _ = hotfix_merge(guarded)
    git(guarded, "tag", "hotfix-bd-42", merge_oid)
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode != 0
    assert "tag hotfix-bd-42 is lightweight" in done.stderr
    assert ("git tag -d hotfix-bd-42 && incident hotfix review bd-42 --reviewer PERSON "
            "--approve") in done.stderr
    assert "+refs/tags/hotfix-bd-42" in done.stderr


def test_tag_on_an_unrelated_commit_is_refused(guarded: Path) -> None:
    first = git(guarded, "rev-parse", "HEAD")
    hotfix_merge(guarded)
    annotated_tag(guarded, "hotfix-bd-42", first)
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode != 0
    assert f"tag hotfix-bd-42 points at {first[:12]}, not at the merge" in done.stderr


def test_github_pull_request_merge_is_recognised(guarded: Path) -> None:
    branch, _ = hotfix_branch(guarded, "bd-7")
    merge_oid = merge(guarded, branch,
                      message="Merge pull request #12 from acme/hotfix/incident-bd-7\n\nFix it")
    done = push(guarded, "origin", "main")
    assert done.returncode != 0
    assert "incident bd-7" in done.stderr
    annotated_tag(guarded, "hotfix-bd-7", merge_oid)
    assert push(guarded, "--follow-tags", "origin", "main").returncode == 0


def test_remote_tracking_and_gitlab_subjects_are_recognised(guarded: Path) -> None:
    branch, _ = hotfix_branch(guarded, "bd-8")
    merge(guarded, branch, message="Merge branch 'hotfix/incident-bd-8' into 'main'")
    done = push(guarded, "origin", "main")
    assert done.returncode != 0
    assert "incident bd-8" in done.stderr


def test_hotfix_merge_to_an_unprotected_branch_passes(guarded: Path) -> None:
    git(guarded, "checkout", "-q", "-b", "staging")
    hotfix_merge(guarded, into="staging")
    assert push(guarded, "origin", "staging").returncode == 0


def test_new_protected_branch_is_checked(guarded: Path) -> None:
    git(guarded, "checkout", "-q", "-b", "master")
    hotfix_merge(guarded, into="master")
    done = push(guarded, "origin", "master")
    assert done.returncode != 0
    assert "to master" in done.stderr
    assert remote_oid(upstream_of(guarded), "refs/heads/master") == ""


def test_fast_forward_push_without_hotfix_passes(guarded: Path) -> None:
    commit(guarded, "Ordinary change")
    feature, _ = hotfix_branch(guarded, branch="feature/x")
    merge(guarded, feature)
    assert push(guarded, "origin", "main").returncode == 0


def test_force_push_over_a_tip_never_fetched(guarded: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(upstream_of(guarded)), str(other))
    commit(other, "Someone else's change")
    git(other, "push", "-q", "origin", "main")
    hotfix_merge(guarded)
    done = push(guarded, "--force", "origin", "main")
    assert done.returncode != 0
    assert "incident bd-42" in done.stderr


def test_deletions_pass(guarded: Path) -> None:
    git(guarded, "branch", "old-feature")
    hand_made_tag(guarded, "v1", "HEAD")
    assert push(guarded, "origin", "old-feature", "v1").returncode == 0
    assert push(guarded, "origin", ":old-feature", ":refs/tags/v1").returncode == 0
    assert remote_oid(upstream_of(guarded), "refs/heads/old-feature") == ""


def test_push_to_a_url_without_a_named_remote(guarded: Path) -> None:
    hotfix_merge(guarded)
    done = push(guarded, str(upstream_of(guarded)), "main")
    assert done.returncode != 0
    assert "incident bd-42" in done.stderr
    assert f"git push {upstream_of(guarded)} refs/tags/hotfix-bd-42 main" in done.stderr


def test_nothing_to_push_runs_with_empty_input(guarded: Path) -> None:
    done = push(guarded, "origin", "main")
    assert done.returncode == 0, done.stderr


def test_back_merge_into_develop_reaching_main_later_is_not_counted(guarded: Path) -> None:
    git(guarded, "branch", "develop")
    branch, _ = hotfix_branch(guarded, "bd-9")
    main_merge = merge(guarded, branch)
    annotated_tag(guarded, "hotfix-bd-9", main_merge)
    assert push(guarded, "--follow-tags", "origin", "main", "develop").returncode == 0
    # git's default subject names develop; a custom one does not, so only --first-parent keeps
    # the back-merge from counting when the release merge brings it to main.
    merge(guarded, branch, into="develop", message="Merge branch 'hotfix/incident-bd-9'")
    commit(guarded, "Feature work on develop")
    assert push(guarded, "origin", "develop").returncode == 0
    merge(guarded, "develop", into="main", message="Merge branch 'release/1.1'")
    done = push(guarded, "origin", "main")
    assert done.returncode == 0, done.stderr


def test_git_default_back_merge_subject_is_not_counted(guarded: Path) -> None:
    """`Merge branch 'hotfix/...' into develop` on main's first-parent line (develop
    fast-forwarded into main) is a back-merge, not a hotfix delivery."""
    git(guarded, "checkout", "-q", "-b", "develop")
    branch, _ = hotfix_branch(guarded, "bd-10", base="develop")
    merge(guarded, branch, into="develop")
    assert "into develop" in git(guarded, "log", "-1", "--format=%s")
    git(guarded, "checkout", "-q", "main")
    git(guarded, "merge", "-q", "--ff-only", "develop")
    assert push(guarded, "origin", "main").returncode == 0


def test_fast_forwarded_hotfix_with_trailer_needs_its_tag(guarded: Path) -> None:
    git(guarded, "checkout", "-q", "-b", "hotfix/incident-bd-11")
    commit(guarded, "Guard against the null config\n\nIncident: bd-11")
    tip = commit(guarded, "Add the regression test\n\nIncident: bd-11")
    git(guarded, "checkout", "-q", "main")
    git(guarded, "merge", "-q", "--ff-only", "hotfix/incident-bd-11")
    done = push(guarded, "origin", "main")
    assert done.returncode != 0
    assert f"commit {tip[:12]}" in done.stderr
    assert "without a merge (Incident: trailer)" in done.stderr
    annotated_tag(guarded, "hotfix-bd-11", tip)
    assert push(guarded, "--follow-tags", "origin", "main").returncode == 0
    # A later follow-up carrying the same trailer rides on the tag already delivered.
    commit(guarded, "Clean up after the hotfix\n\nIncident: bd-11")
    done = push(guarded, "origin", "main")
    assert done.returncode == 0, done.stderr
    assert "not part of this push" not in done.stderr


def test_squash_merged_hotfix_with_unrelated_tag_is_refused(guarded: Path) -> None:
    first = git(guarded, "rev-parse", "HEAD")
    commit(guarded, "Fix the outage (#31)\n\n* Fix the outage\n\nIncident: bd-12")
    annotated_tag(guarded, "hotfix-bd-12", first)
    done = push(guarded, "--follow-tags", "origin", "main")
    assert done.returncode != 0
    assert f"tag hotfix-bd-12 points at {first[:12]}" in done.stderr


def test_configured_branches_and_tag_names(guarded: Path) -> None:
    (guarded / ".incident-beads.toml").write_text(
        '[git]\nprotected_branches = ["production", "release/*"]\n'
        'tag_names = ["fix-{id}", "v{branch}"]\n')
    git(guarded, "checkout", "-q", "-b", "production")
    merge_oid, _ = hotfix_merge(guarded, into="production")
    annotated_tag(guarded, "hotfix-bd-42", merge_oid)  # not an accepted name any more
    done = push(guarded, "--follow-tags", "origin", "production")
    assert done.returncode != 0
    assert "no annotated tag fix-bd-42 or vincident-bd-42" in done.stderr
    annotated_tag(guarded, "fix-bd-42", merge_oid)
    assert push(guarded, "--follow-tags", "origin", "production").returncode == 0
    # main is no longer protected; release/* is, through its glob.
    hotfix_merge(guarded, "bd-43", into="main")
    assert push(guarded, "origin", "main").returncode == 0
    git(guarded, "checkout", "-q", "-b", "release/2.0")
    hotfix_merge(guarded, "bd-44", into="release/2.0")
    assert push(guarded, "origin", "release/2.0").returncode != 0


def test_git_flow_branch_names_use_the_branch_template(guarded: Path) -> None:
    (guarded / ".incident-beads.toml").write_text('[git]\ntag_names = ["v{branch}"]\n')
    branch, _ = hotfix_branch(guarded, branch="hotfix/1.2.1")
    merge_oid = merge(guarded, branch)
    done = push(guarded, "origin", "main")
    assert done.returncode != 0
    assert "no annotated tag v1.2.1" in done.stderr
    annotated_tag(guarded, "v1.2.1", merge_oid, incident="1.2.1")
    assert push(guarded, "--follow-tags", "origin", "main").returncode == 0


def test_two_hotfixes_get_one_combined_fix(guarded: Path) -> None:
    first, _ = hotfix_merge(guarded, "bd-1")
    second, _ = hotfix_merge(guarded, "bd-2")
    done = push(guarded, "origin", "main")
    assert done.returncode != 0
    fix = next(x for x in done.stderr.splitlines() if x.startswith("incident: fix: "))
    assert fix.count("incident hotfix review") == 2 and fix.count("incident hotfix tag") == 2
    assert fix.endswith("git push origin refs/tags/hotfix-bd-2 main refs/tags/hotfix-bd-1")
    annotated_tag(guarded, "hotfix-bd-1", first)
    annotated_tag(guarded, "hotfix-bd-2", second)
    assert push(guarded, "--follow-tags", "origin", "main").returncode == 0
    assert remote_oid(upstream_of(guarded), "main") == second


def test_tag_not_in_the_push_is_noted(guarded: Path) -> None:
    merge_oid, _ = hotfix_merge(guarded)
    annotated_tag(guarded, "hotfix-bd-42", merge_oid)
    git(guarded, "config", "push.followTags", "false")
    done = push(guarded, "origin", "main")
    assert done.returncode == 0
    assert "tag hotfix-bd-42 is not part of this push" in done.stderr


def test_sha256_repository(tmp_path: Path) -> None:
    upstream, work = tmp_path / "up.git", tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "--object-format=sha256", "-b", "main", str(upstream))
    git(tmp_path, "init", "-q", "--object-format=sha256", "-b", "main", str(work))
    commit(work, "Initial commit")
    git(work, "remote", "add", "origin", str(upstream))
    git(work, "push", "-q", "origin", "main")
    install(work)
    merge_oid, _ = hotfix_merge(work)
    assert len(merge_oid) == 64
    done = push(work, "origin", "main")
    assert done.returncode != 0
    assert f"merge {merge_oid[:12]}" in done.stderr
    annotated_tag(work, "hotfix-bd-42", merge_oid)  # its review names a 64-digit commit
    assert push(work, "--follow-tags", "origin", "main").returncode == 0
    # A new branch and a deletion carry 64-digit zero ids.
    git(work, "branch", "topic")
    assert push(work, "origin", "topic").returncode == 0
    assert push(work, "origin", ":topic").returncode == 0
