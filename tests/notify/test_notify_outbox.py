"""Where the outbox lives, and what happens when it cannot be written."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.errors import Refused
from incident_beads.notify.outbox import outbox_folder
from tests.conftest import git
from tests.lifecycle.lifecycle_helpers import FakeClock
from tests.notify.receivers import WebhookReceiver


def test_worktrees_of_a_clone_share_one_outbox(notify_repo: Path, tmp_path: Path,
                                               webhook: WebhookReceiver,
                                               clock: FakeClock) -> None:
    git(notify_repo, "add", "-A")
    git(notify_repo, "commit", "-q", "-m", "store and channels")
    other = tmp_path / "other-worktree"
    git(notify_repo, "worktree", "add", "-q", str(other), "-b", "elsewhere")
    assert outbox_folder(other) == outbox_folder(notify_repo) == \
        (notify_repo / ".git" / "incident-beads" / "outbox").resolve()
    there = IncidentResponse(other, clock=clock, actor="ada")
    there.declare("Checkout down", severity=3)
    here = IncidentResponse(notify_repo, clock=clock, actor="ada")
    assert [m.kind for m in here.messages()] == ["declared"]
    assert here.notify() == [] and len(webhook.received) == 1


def test_an_outbox_that_cannot_be_written_refuses_the_change(notify_repo: Path,
                                                             webhook: WebhookReceiver,
                                                             clock: FakeClock) -> None:
    (notify_repo / ".git" / "incident-beads").write_text("not a folder")
    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    before = (notify_repo / ".beads" / "issues.jsonl").read_bytes()
    with pytest.raises(Refused, match="cannot keep the declared message in the outbox"):
        api.declare("Checkout down", severity=3)
    assert (notify_repo / ".beads" / "issues.jsonl").read_bytes() == before
    assert webhook.received == []


def test_outside_git_the_outbox_is_a_visible_folder(tmp_path: Path) -> None:
    assert outbox_folder(tmp_path) == tmp_path / ".incident-beads-outbox"
