"""With the push guard installed, the hotfix flow's pushes are accepted, as the next issue needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hotfix_helpers import MakeApi, deployable, git_run, ready_incident

from incident_beads import IncidentResponse
from incident_beads.config import Config, GitConfig
from incident_beads.guard.install import install
from incident_beads.hotfix.sync import sync


def test_guard_accepts_the_tagged_merge_and_the_sync_commit(
        api: IncidentResponse, hot_repo: Path) -> None:
    install(hot_repo, python=sys.executable)
    hid = deployable(api, hot_repo)
    merged = api.hotfixes.merge(hid, push=True)
    upstream = hot_repo.parent / "upstream.git"
    assert git_run(upstream, "rev-parse", "main") == merged.main_commit
    result = sync(hot_repo, Config(), [api.hotfixes.get(hid).state.incident_id], push=True)
    assert git_run(upstream, "rev-parse", "main") == result.commit


def test_guard_refuses_an_untagged_hotfix_merge(api: IncidentResponse, hot_repo: Path) -> None:
    install(hot_repo, python=sys.executable)
    incident_id = ready_incident(api)
    api.hotfixes.start(incident_id)
    (hot_repo / "app.py").write_text("print('fix')\n")
    git_run(hot_repo, "commit", "-qam", "Fix")
    git_run(hot_repo, "checkout", "-q", "main")
    git_run(hot_repo, "merge", "-q", "--no-ff", "--no-edit", f"hotfix/incident-{incident_id}")
    with pytest.raises(subprocess.CalledProcessError):
        git_run(hot_repo, "push", "-q", "origin", "main")


def test_configured_tag_names_are_used_by_the_tag_and_the_guard_alike(
        make_api: MakeApi, hot_repo: Path) -> None:
    (hot_repo / ".incident-beads.toml").write_text('[git]\ntag_names = ["fix-{id}"]\n')
    git_run(hot_repo, "add", ".incident-beads.toml")
    git_run(hot_repo, "commit", "-qm", "Configure the tag names")
    git_run(hot_repo, "push", "-q", "origin", "main")
    install(hot_repo, python=sys.executable)
    api = make_api(git=GitConfig(tag_names=("fix-{id}",)))
    hid = deployable(api, hot_repo)
    incident_id = api.hotfixes.get(hid).state.incident_id
    assert api.hotfixes.get(hid).state.tag == f"fix-{incident_id}"
    assert git_run(hot_repo, "tag", "--list") == f"fix-{incident_id}"
    merged = api.hotfixes.merge(hid, push=True)
    upstream = hot_repo.parent / "upstream.git"
    assert git_run(upstream, "rev-parse", "main") == merged.main_commit
    assert git_run(upstream, "tag", "--list") == f"fix-{incident_id}"
