"""The happy path, end to end, on a real repository with a bare upstream."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hotfix_helpers import FakeClock, git_run, ready_incident, write_fix

from incident_beads import IncidentResponse
from incident_beads.beads.doctor import validate
from incident_beads.hotfix.deploys import recent_deployments


def test_happy_path_from_branch_to_verified_deploy(
        api: IncidentResponse, hot_repo: Path, clock: FakeClock) -> None:
    incident_id = ready_incident(api)
    hotfixes = api.hotfixes
    started = hotfixes.start(incident_id, scope=["app.py"])
    branch = f"hotfix/incident-{incident_id}"
    assert started.state.branch == branch
    assert git_run(hot_repo, "rev-parse", "--abbrev-ref", "HEAD") == branch
    assert started.state.base_commit == git_run(hot_repo, "rev-parse", "main")
    bead = api.store.get(started.id)
    assert bead.issue_type == "task" and bead.labels == ["hotfix"]
    assert bead.priority == 0 and bead.depends_on("parent-child") == [incident_id]
    assert api.get(incident_id).state.phase == "hotfix"

    write_fix(hot_repo)
    sha = hotfixes.commit(started.id, "Fix the checkout total\n\nRound before summing.")
    assert f"Incident: {incident_id}" in git_run(hot_repo, "log", "-1", "--format=%B", sha)
    assert hotfixes.scope(started.id).flags == ()

    review = hotfixes.review(started.id, reviewer="Grace", approve=True, fixes_issue=True,
                             adds_issues=False, note="minimal, fixes the rounding")
    assert review.level == "quick" and review.head == sha
    hotfixes.gate(started.id, "tests", done=False, reason="SEV-1, suite takes 40 min")
    hotfixes.staging(started.id, passed=True, note="checkout on staging returns 200")
    assert hotfixes.pending_gates(started.id) == []

    tagged = hotfixes.tag(started.id)
    assert tagged.name == f"hotfix-{incident_id}" and tagged.commit == sha
    assert git_run(hot_repo, "cat-file", "-t", tagged.name) == "tag"
    message = git_run(hot_repo, "tag", "-l", "--format=%(contents)", tagged.name)
    assert incident_id in message and "Checkout returns 500" in message

    merged = hotfixes.merge(started.id, push=True)
    upstream = hot_repo.parent / "upstream.git"
    assert git_run(upstream, "rev-parse", "main") == merged.main_commit
    assert git_run(upstream, "rev-parse", f"{tagged.name}^{{commit}}") == sha
    parents = git_run(hot_repo, "rev-list", "--parents", "-n1", merged.main_commit).split()
    assert parents[2] == sha  # a real --no-ff merge of the hotfix head
    assert git_run(hot_repo, "log", "-1", "--format=%s", merged.main_commit) == \
        f"Merge branch '{branch}'"

    deployed = hotfixes.deploy(started.id)
    assert deployed.ok and deployed.exit_status == 0
    # The work tree is on main after the merge: the merge is what ships, with the tag in it.
    assert deployed.commit == merged.main_commit
    assert f"deploying {tagged.name} {merged.main_commit}" in deployed.output_tail

    hotfixes.verify_start(started.id)
    clock.advance(minutes=15)
    done = hotfixes.verify_confirm(started.id, evidence="5xx rate back to 0.1% on dashboard")
    assert done.status == "closed"
    assert done.close_reason == f"Deployed in {merged.main_commit} ({tagged.name})"
    assert set(done.state.follow_ups) == {"tests", "cleanup", "docs", "gate:tests",
                                          "gate:security-scan"}
    for follow_up in done.state.follow_ups.values():
        issue = api.store.get(follow_up)
        assert issue.labels == ["hotfix-follow-up"] and issue.priority == 2
        assert issue.depends_on("discovered-from") == [started.id]
    assert api.get(incident_id).state.phase == "mitigated"
    kinds = [e.kind for e in api.get(incident_id).state.timeline]
    assert kinds.count("hotfix") >= 6
    assert [p for p in validate(hot_repo / ".beads" / "issues.jsonl") if p.level == "error"] == []

    since = clock.moment - timedelta(days=3650)
    found = recent_deployments(hot_repo, since=since)
    assert {(d.kind, d.incident_id) for d in found} == {("tag", incident_id),
                                                        ("merge", incident_id)}


def test_unmerged_hotfix_gets_a_merge_follow_up(
        api: IncidentResponse, hot_repo: Path, clock: FakeClock) -> None:
    incident_id = ready_incident(api, severity=2)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(hot_repo)
    api.hotfixes.commit(hid, "Fix it")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    api.hotfixes.gate(hid, "tests", done=True)
    api.hotfixes.gate(hid, "security-scan", done=True, reason="quick scan clean")
    api.hotfixes.staging(hid, passed=True, note="ok")
    api.hotfixes.tag(hid)
    api.hotfixes.deploy(hid)
    api.hotfixes.verify_start(hid, minutes=30)
    clock.advance(minutes=30)
    done = api.hotfixes.verify_confirm(hid, evidence="error rate normal")
    assert set(done.state.follow_ups) == {"tests", "cleanup", "docs", "merge"}


def test_status_names_the_next_step_in_the_seed_order(
        api: IncidentResponse, hot_repo: Path, clock: FakeClock) -> None:
    hotfixes = api.hotfixes
    incident_id = ready_incident(api)
    hid = hotfixes.start(incident_id, scope=["app.py"]).id

    def step() -> str:
        return hotfixes.status(hid).next_step

    assert "hotfix commit" in step()
    write_fix(hot_repo)
    hotfixes.commit(hid, "Fix")
    assert "hotfix review" in step()
    hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    assert "hotfix staging" in step()
    hotfixes.staging(hid, passed=True, note="ok")
    assert "(tests)" in step() and hotfixes.status(hid).pending_gates == ("tests",)
    hotfixes.gate(hid, "tests", done=False, reason="SEV-1")
    assert "hotfix tag" in step()
    hotfixes.tag(hid)
    assert "hotfix deploy" in step()
    hotfixes.deploy(hid)
    assert "--start" in step()
    hotfixes.verify_start(hid)
    assert "confirm after" in step()
    clock.advance(minutes=15)
    assert "confirm now" in step()
    hotfixes.verify_confirm(hid, evidence="ok")
    assert step().startswith("done (Deployed in ")
    assert hotfixes.status(incident_id).hotfix.id == hid
