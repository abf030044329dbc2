"""`incident sync` commits the store and the incident docs, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hotfix_helpers import git_run, ready_incident

from incident_beads import GitError, IncidentResponse, InvalidInput, Refused
from incident_beads.config import Config
from incident_beads.hotfix.deploys import parse_since, recent_deployments
from incident_beads.hotfix.sync import sync


def test_sync_commits_store_and_docs_and_leaves_staged_work_alone(
        api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    runbook = hot_repo / "docs" / "runbooks" / "checkout.md"
    runbook.parent.mkdir(parents=True)
    runbook.write_text("# Runbook: checkout\n")
    (hot_repo / "app.py").write_text("print('staged work')\n")
    git_run(hot_repo, "add", "app.py")
    (hot_repo / "notes.txt").write_text("untracked\n")

    result = sync(hot_repo, Config(), [incident_id], push=True)
    assert result.paths == (".beads/issues.jsonl", "docs/runbooks/checkout.md")
    message = git_run(hot_repo, "log", "-1", "--format=%B")
    assert message.startswith(f"Record incident {incident_id}")
    # A bookkeeping commit is no hotfix: the push guard must not ask it for a tag.
    assert "Incident:" not in message
    committed = git_run(hot_repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert committed == [".beads/issues.jsonl", "docs/runbooks/checkout.md"]
    status = git_run(hot_repo, "status", "--porcelain").splitlines()
    assert status == ["M  app.py", "?? notes.txt"]
    upstream = hot_repo.parent / "upstream.git"
    assert git_run(upstream, "rev-parse", "main") == result.commit
    assert sync(hot_repo, Config(), [incident_id]).commit is None


def test_sync_push_from_detached_head_is_refused(api: IncidentResponse, hot_repo: Path) -> None:
    ready_incident(api)
    git_run(hot_repo, "checkout", "-q", "--detach")
    with pytest.raises(Refused, match="detached"):
        sync(hot_repo, Config(), [], push=True)


def test_sync_needs_a_commit(tmp_path: Path) -> None:
    git_run(tmp_path, "init", "-q", "-b", "main")
    with pytest.raises(GitError, match="no commit"):
        sync(tmp_path, Config(), [])


def test_recent_deployments_since(hot_repo: Path) -> None:
    git_run(hot_repo, "checkout", "-q", "-b", "hotfix/incident-ib-42")
    (hot_repo / "app.py").write_text("print(42)\n")
    git_run(hot_repo, "commit", "-q", "-am", "Fix")
    git_run(hot_repo, "tag", "-a", "-m", "Hotfix for incident ib-42", "hotfix-ib-42")
    git_run(hot_repo, "tag", "v1.0")  # not a hotfix tag
    git_run(hot_repo, "checkout", "-q", "main")
    git_run(hot_repo, "merge", "-q", "--no-ff", "--no-edit", "hotfix/incident-ib-42")
    after = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # the fixture's commit dates are 10:00
    found = recent_deployments(hot_repo, since=after)
    assert sorted((d.kind, d.incident_id, d.author) for d in found) == [
        ("merge", "ib-42", "Ada Oncall"), ("tag", "ib-42", "Ada Oncall")]
    assert recent_deployments(hot_repo, since=after + timedelta(hours=2)) == []


def test_parse_since() -> None:
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert parse_since("24h", now) == now - timedelta(hours=24)
    assert parse_since("2026-01-14T00:00:00Z", now) == datetime(2026, 1, 14, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        parse_since("last tuesday", now)


def test_sync_refuses_the_hotfix_branch(api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    api.hotfixes.start(incident_id)
    with pytest.raises(Refused, match="on the main branch"):
        sync(hot_repo, Config(), [incident_id])
    git_run(hot_repo, "checkout", "-q", "main")
    assert sync(hot_repo, Config(), [incident_id]).branch == "main"


def test_recent_deployments_read_merges_as_the_push_guard_does(hot_repo: Path) -> None:
    """The incident of a merge comes from the guard's rules: its `Incident:` line in any
    paragraph and in any case, else the hotfix branch of a git or GitHub merge subject."""
    after = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    for branch, message in (
            ("fix-a", "Merge pull request #12 from ada/hotfix/incident-ib-7\n"),
            ("fix-b", "Merge the payments fix\n\nincident: ib-8\n\nCo-authored-by: G <g@x>\n"),
            ("fix-c", "Merge branch 'hotfix/payments'\n")):
        git_run(hot_repo, "checkout", "-q", "-b", branch)
        (hot_repo / "app.py").write_text(f"print('{branch}')\n")
        git_run(hot_repo, "commit", "-q", "-am", f"Fix {branch}")
        git_run(hot_repo, "checkout", "-q", "main")
        git_run(hot_repo, "merge", "-q", "--no-ff", "-m", message, branch)
    found = recent_deployments(hot_repo, since=after)
    assert sorted((d.kind, d.incident_id) for d in found) == [
        ("merge", "ib-7"), ("merge", "ib-8"), ("merge", "payments")]
