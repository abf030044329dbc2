"""The expedited review and the quality-gate table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hotfix_helpers import git_run, ready_incident, reviewed, write_fix

from incident_beads import IncidentResponse, InvalidInput, Refused


def _committed(api: IncidentResponse, root: Path, severity: int = 1) -> str:
    hid = api.hotfixes.start(ready_incident(api, severity=severity), scope=["app.py"]).id
    write_fix(root)
    api.hotfixes.commit(hid, "Fix it")
    return hid


@pytest.mark.parametrize("reviewer", ["Ada Oncall", "ADA@example.com"])
def test_the_author_cannot_review(api: IncidentResponse, hot_repo: Path, reviewer: str) -> None:
    hid = _committed(api, hot_repo)
    with pytest.raises(Refused, match="cannot review"):
        api.hotfixes.review(hid, reviewer=reviewer, approve=True, fixes_issue=True,
                            adds_issues=False)


def test_review_answers_both_questions_and_is_stored(api: IncidentResponse,
                                                     hot_repo: Path) -> None:
    hid = _committed(api, hot_repo, severity=2)
    review = api.hotfixes.review(hid, reviewer="grace", approve=False, fixes_issue=True,
                                 adds_issues=True, note="breaks the refund path")
    state = api.hotfixes.get(hid).state
    assert state.reviews == [review]
    assert (review.fixes_issue, review.adds_issues, review.level) == (True, True, "standard")
    assert "code-review" not in state.gates


@pytest.mark.parametrize(("fixes", "adds"), [(False, False), (True, True)])
def test_an_approval_must_answer_yes_no(api: IncidentResponse, hot_repo: Path, fixes: bool,
                                        adds: bool) -> None:
    hid = _committed(api, hot_repo)
    with pytest.raises(Refused, match="an approval must say"):
        api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=fixes,
                            adds_issues=adds)


def test_request_changes_needs_a_note(api: IncidentResponse, hot_repo: Path) -> None:
    hid = _committed(api, hot_repo)
    with pytest.raises(InvalidInput, match="note"):
        api.hotfixes.review(hid, reviewer="grace", approve=False, fixes_issue=False,
                            adds_issues=False)


def test_nothing_to_review_without_a_commit(api: IncidentResponse) -> None:
    hid = api.hotfixes.start(ready_incident(api)).id
    with pytest.raises(Refused, match="no commit to review"):
        api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True,
                            adds_issues=False)


def test_reviewer_sees_the_scope_flags(api: IncidentResponse, hot_repo: Path) -> None:
    hid = api.hotfixes.start(ready_incident(api), scope=["app.py"]).id
    write_fix(hot_repo, "README.md", "while we're here\n")
    api.hotfixes.commit(hid, "Fix it")
    review = api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True,
                                 adds_issues=False)
    assert [f["kind"] for f in review.flags_seen] == ["out-of-scope"]


def test_a_new_commit_after_approval_needs_a_new_review(api: IncidentResponse,
                                                        hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    write_fix(hot_repo, "app.py", "print('fixed again')\n")
    api.hotfixes.commit(hid, "One more thing")
    with pytest.raises(Refused, match="no approving review"):
        api.hotfixes.tag(hid)


def test_sev1_table_skips_security_scan_and_defers_docs(api: IncidentResponse) -> None:
    hotfix = api.hotfixes.start(ready_incident(api, severity=1))
    gates = hotfix.state.gates
    assert {g: r.status for g, r in gates.items()} == {"security-scan": "skipped",
                                                      "documentation": "skipped"}
    assert gates["security-scan"].follow_up == hotfix.state.follow_ups["gate:security-scan"]
    assert gates["documentation"].follow_up == hotfix.state.follow_ups["docs"]


def test_sev2_table_defers_only_docs(api: IncidentResponse) -> None:
    hotfix = api.hotfixes.start(ready_incident(api, severity=2))
    assert set(hotfix.state.gates) == {"documentation"}


@pytest.mark.parametrize(("severity", "gate"), [(2, "security-scan"), (1, "staging"),
                                                (2, "code-review"), (1, "code-review")])
def test_a_skip_the_table_forbids_is_refused(api: IncidentResponse, severity: int,
                                             gate: str) -> None:
    hid = api.hotfixes.start(ready_incident(api, severity=severity)).id
    with pytest.raises(Refused, match="cannot be skipped"):
        api.hotfixes.gate(hid, gate, done=False, reason="in a hurry")
    assert gate not in api.hotfixes.get(hid).state.gates


def test_sev3_tests_must_pass(api: IncidentResponse) -> None:
    incident_id = ready_incident(api, severity=3)
    api.acknowledge_risk(incident_id, "hotfix-minor-severity", by="Grace (IC)")
    hid = api.hotfixes.start(incident_id).id
    with pytest.raises(Refused, match="must pass"):
        api.hotfixes.gate(hid, "tests", done=False, reason="slow")
    with pytest.raises(Refused, match="before"):
        api.hotfixes.gate(hid, "docs", done=False, reason="later")


def test_a_skip_needs_a_reason_and_becomes_a_follow_up(api: IncidentResponse) -> None:
    hid = api.hotfixes.start(ready_incident(api, severity=2)).id
    with pytest.raises(Refused, match="needs a reason"):
        api.hotfixes.gate(hid, "tests", done=False, reason=" ")
    record = api.hotfixes.gate(hid, "tests", done=False, reason="flaky suite, run after")
    follow_up = api.store.get(record.follow_up or "")
    assert follow_up.labels == ["hotfix-follow-up"]
    assert follow_up.depends_on("discovered-from") == [hid]
    assert "flaky suite" in follow_up.description


@pytest.mark.parametrize("gate", ["code-review", "staging"])
def test_review_and_staging_are_recorded_by_their_own_step(api: IncidentResponse,
                                                           gate: str) -> None:
    hid = api.hotfixes.start(ready_incident(api)).id
    with pytest.raises(Refused, match="recorded by"):
        api.hotfixes.gate(hid, gate, done=True)


def test_unknown_gate(api: IncidentResponse) -> None:
    hid = api.hotfixes.start(ready_incident(api)).id
    with pytest.raises(InvalidInput, match="unknown quality gate"):
        api.hotfixes.gate(hid, "vibes", done=True)


def test_hotfix_found_by_incident_id(api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id).id
    assert api.hotfixes.get(incident_id).id == hid
    assert git_run(hot_repo, "rev-parse", "--abbrev-ref", "HEAD").endswith(incident_id)


def test_a_new_commit_reopens_the_review_and_staging_gates(api: IncidentResponse,
                                                           hot_repo: Path) -> None:
    hid = reviewed(api, hot_repo)
    api.hotfixes.staging(hid, passed=True, note="ok")
    assert {"code-review", "staging"} <= set(api.hotfixes.get(hid).state.gates)
    write_fix(hot_repo, "app.py", "print('fixed again')\n")
    api.hotfixes.commit(hid, "One more thing")
    assert api.hotfixes.pending_gates(hid) == ["code-review", "tests", "staging"]


def test_declared_scope_keeps_dot_folders(api: IncidentResponse) -> None:
    hid = api.hotfixes.start(ready_incident(api)).id
    report = api.hotfixes.scope(hid, declare=["./.github/workflows/", "src/app.py"])
    assert report.declared == (".github/workflows/", "src/app.py")
