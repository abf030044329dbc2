"""Who may approve a hotfix: a person who had no hand in it (and an approver, when listed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hotfix_helpers import FakeClock, git_run, ready_incident, write_fix

from incident_beads import IncidentResponse, Refused
from incident_beads.config import Config, PeopleConfig


def committed(api: IncidentResponse, root: Path, *, starter: str = "ada",
              committer: str = "ada") -> str:
    hid = api.hotfixes.start(ready_incident(api), scope=["app.py"], actor=starter).id
    write_fix(root)
    api.hotfixes.commit(hid, "Fix it", actor=committer)
    return hid


def approve(api: IncidentResponse, hid: str, reviewer: str) -> None:
    api.hotfixes.review(hid, reviewer=reviewer, approve=True, fixes_issue=True,
                        adds_issues=False)


@pytest.mark.parametrize("reviewer", ["carol", "Carol"])
def test_who_started_the_hotfix_cannot_approve_it(api: IncidentResponse, hot_repo: Path,
                                                  reviewer: str) -> None:
    hid = committed(api, hot_repo, starter="carol")
    with pytest.raises(Refused, match="started, committed or authored") as refused:
        approve(api, hid, reviewer)
    assert "no hand in the fix" in (refused.value.hint or "")
    assert api.hotfixes.get(hid).state.reviews == []


def test_who_committed_through_the_tool_cannot_approve_it(api: IncidentResponse,
                                                          hot_repo: Path) -> None:
    hid = committed(api, hot_repo, committer="carol")
    with pytest.raises(Refused, match="started, committed or authored"):
        approve(api, hid, "carol")


def test_the_git_committer_of_a_fix_commit_cannot_approve_it(
        api: IncidentResponse, hot_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hid = committed(api, hot_repo)
    state = api.hotfixes.get(hid).state
    git_run(hot_repo, "checkout", "-q", state.branch)
    (hot_repo / "app.py").write_text("print('fixed twice')\n")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Dave Merge")
    git_run(hot_repo, "commit", "-qam", f"Tidy\n\nIncident: {state.incident_id}")
    with pytest.raises(Refused, match="started, committed or authored"):
        approve(api, hid, "Dave Merge")
    approve(api, hid, "grace")  # someone with no hand in it may


@pytest.mark.parametrize("reviewer", ["agent:reviewer", "review[bot]", "orchestrator-2"])
def test_an_automated_reviewer_never_approves(hot_repo: Path, clock: FakeClock,
                                              reviewer: str) -> None:
    api = IncidentResponse(hot_repo, clock=clock, actor="ada",
                           config=Config(people=PeopleConfig(agents=("orchestrator-*",))))
    hid = committed(api, hot_repo)
    with pytest.raises(Refused, match="automated"):
        approve(api, hid, reviewer)
    # Asking for changes is not a decision: an automated reviewer may still do that.
    api.hotfixes.review(hid, reviewer=reviewer, approve=False, fixes_issue=False,
                        adds_issues=True, note="the test is missing")


def test_with_approvers_only_they_approve(hot_repo: Path, clock: FakeClock) -> None:
    api = IncidentResponse(hot_repo, clock=clock, actor="ada",
                           config=Config(people=PeopleConfig(approvers=("grace",))))
    hid = committed(api, hot_repo)
    with pytest.raises(Refused, match="not an approver"):
        approve(api, hid, "heidi")
    approve(api, hid, "Grace")


def test_the_review_is_recorded_by_its_actor_and_names_the_reviewer(
        api: IncidentResponse, hot_repo: Path) -> None:
    hid = committed(api, hot_repo)
    approve(api, hid, "grace")
    incident_id = api.hotfixes.get(hid).state.incident_id
    comment = api.store.get(incident_id).comments[-1]
    assert comment["author"] == "ada" and "Hotfix review by grace" in str(comment["text"])
