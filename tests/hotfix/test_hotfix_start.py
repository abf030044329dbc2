"""Starting a hotfix: the protocol's preconditions and git-flow's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from hotfix_helpers import MakeApi, git_run, ready_incident, write_fix

from incident_beads import Escalation, GitError, IncidentResponse, Refused
from incident_beads.beads import BeadsStore
from incident_beads.config import GitConfig
from incident_beads.hotfix import start
from incident_beads.lifecycle.risk import KnownRisk


def test_sev3_is_refused_unless_a_person_accepts_it(api: IncidentResponse) -> None:
    incident_id = ready_incident(api, severity=3)
    with pytest.raises(Refused, match="SEV-3") as refused:
        api.hotfixes.start(incident_id)
    assert KnownRisk.HOTFIX_MINOR_SEVERITY in (refused.value.hint or "")
    api.acknowledge_risk(incident_id, KnownRisk.HOTFIX_MINOR_SEVERITY, by="Grace (IC)")
    started = api.hotfixes.start(incident_id)
    assert "SEV-3" in started.state.override


@pytest.mark.parametrize("open_rung", ["rollback", "feature-flag"])
def test_refused_while_rollback_or_flag_is_still_possible(
        api: IncidentResponse, hot_repo: Path, open_rung: str) -> None:
    incident = api.declare("Checkout down", severity=1)
    for rung in ("rollback", "feature-flag"):
        if rung != open_rung:
            api.mitigate(incident.id, rung, "failed", detail="did not help",
                         reason="rollback still being evaluated")
    with pytest.raises(Refused, match=f"{open_rung} is not recorded as failed or unavailable"):
        api.hotfixes.start(incident.id)
    assert "hotfix/" not in git_run(hot_repo, "branch", "--list")
    assert not any("hotfix" in i.labels for i in api.store.issues())


def test_an_acknowledged_risk_overrides_and_is_recorded(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=2)
    api.acknowledge_risk(incident.id, KnownRisk.HOTFIX_WITHOUT_ROLLBACK, by="Grace (IC)",
                         note="rollback takes 3 h")
    started = api.hotfixes.start(incident.id)
    assert "rollback is not recorded" in started.state.override


def test_dirty_work_tree_is_refused_but_the_store_does_not_count(
        api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    # Declaring changed the committed store: that alone must not block the hotfix.
    assert ".beads/issues.jsonl" in git_run(hot_repo, "status", "--porcelain")
    (hot_repo / "app.py").write_text("print('local edit')\n")
    with pytest.raises(Refused, match=r"uncommitted changes \(app.py\)"):
        api.hotfixes.start(incident_id)
    git_run(hot_repo, "checkout", "--", "app.py")
    assert api.hotfixes.start(incident_id).state.branch.startswith("hotfix/")


def test_staged_change_is_dirty_too(api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    write_fix(hot_repo, "other.py")
    write_fix(hot_repo, "app.py")
    with pytest.raises(Refused, match="uncommitted"):
        api.hotfixes.start(incident_id)


def test_existing_branch_is_refused(api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    git_run(hot_repo, "branch", f"hotfix/incident-{incident_id}")
    with pytest.raises(Refused, match="already exists"):
        api.hotfixes.start(incident_id)


def test_existing_tag_is_refused(api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    git_run(hot_repo, "tag", f"hotfix-{incident_id}")
    with pytest.raises(Refused, match=f"tag hotfix-{incident_id} already exists"):
        api.hotfixes.start(incident_id)


def test_master_is_found_as_the_main_branch(api: IncidentResponse, hot_repo: Path) -> None:
    git_run(hot_repo, "branch", "-m", "main", "master")
    started = api.hotfixes.start(ready_incident(api))
    assert started.state.main_branch == "master"
    assert started.state.base_commit == git_run(hot_repo, "rev-parse", "master")


def test_no_main_branch_is_an_error(api: IncidentResponse, hot_repo: Path) -> None:
    git_run(hot_repo, "branch", "-m", "main", "trunk")
    with pytest.raises(GitError, match="cannot find the main branch") as failed:
        api.hotfixes.start(ready_incident(api))
    assert "git.main_branch" in (failed.value.hint or "")


def test_configured_main_branch(make_api: MakeApi, hot_repo: Path) -> None:
    git_run(hot_repo, "branch", "-m", "main", "trunk")
    api = make_api(git=GitConfig(main_branch="trunk"))
    assert api.hotfixes.start(ready_incident(api)).state.main_branch == "trunk"
    missing = make_api(git=GitConfig(main_branch="production"))
    with pytest.raises(GitError, match="'production' does not exist"):
        missing.hotfixes.start(ready_incident(missing, title="Another outage"))


def test_detached_head_branches_from_main_not_from_head(
        api: IncidentResponse, hot_repo: Path) -> None:
    main = git_run(hot_repo, "rev-parse", "main")
    (hot_repo / "feature.py").write_text("x = 1\n")
    git_run(hot_repo, "add", "feature.py")
    git_run(hot_repo, "commit", "-q", "-m", "Unreleased work")
    git_run(hot_repo, "checkout", "-q", "--detach", "HEAD")
    started = api.hotfixes.start(ready_incident(api))
    assert started.state.base_commit != main  # main moved with the commit above
    assert started.state.base_commit == git_run(hot_repo, "rev-parse", "main")


def test_commit_is_refused_off_the_hotfix_branch(api: IncidentResponse, hot_repo: Path) -> None:
    hid = api.hotfixes.start(ready_incident(api)).id
    write_fix(hot_repo)
    git_run(hot_repo, "checkout", "-q", "--detach", "HEAD")
    with pytest.raises(Refused, match="detached"):
        api.hotfixes.commit(hid, "Fix it")
    git_run(hot_repo, "checkout", "-q", "main")
    with pytest.raises(Refused, match="on main"):
        api.hotfixes.commit(hid, "Fix it")


def test_commit_needs_something_staged(api: IncidentResponse) -> None:
    hid = api.hotfixes.start(ready_incident(api)).id
    with pytest.raises(Refused, match="nothing is staged"):
        api.hotfixes.commit(hid, "Fix it")


def test_one_open_hotfix_per_incident_and_only_for_open_incidents(
        api: IncidentResponse, hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    api.hotfixes.start(incident_id)
    git_run(hot_repo, "checkout", "-q", "main")
    with pytest.raises(Refused, match="already has an open hotfix"):
        api.hotfixes.start(incident_id)


def test_high_risk_without_rollback_escalates_first(api: IncidentResponse,
                                                    hot_repo: Path) -> None:
    incident_id = ready_incident(api)
    with pytest.raises(Escalation) as stop:
        api.hotfixes.start(incident_id, risk="high")
    assert stop.value.condition == Escalation.RISKY_HOTFIX_NO_ROLLBACK
    recorded = api.get(incident_id).state.escalations
    assert [e.condition for e in recorded] == [Escalation.RISKY_HOTFIX_NO_ROLLBACK]
    assert "hotfix/" not in git_run(hot_repo, "branch", "--list")
    api.acknowledge_risk(incident_id, Escalation.RISKY_HOTFIX_NO_ROLLBACK, by="Grace (IC)",
                         note="worth it: checkout is down")
    assert api.hotfixes.start(incident_id, risk="high").state.risk == "high"


def test_a_decision_on_the_escalation_itself_accepts_the_risk(api: IncidentResponse) -> None:
    incident_id = ready_incident(api)
    with pytest.raises(Escalation) as stop:
        api.hotfixes.start(incident_id, risk="high")
    # The decision names the condition, as the escalation's decision command does.
    api.acknowledge_risk(incident_id, stop.value.condition, by="Grace (IC)",
                         note="one-line fix, the migration cannot be undone")
    assert api.hotfixes.start(incident_id, risk="high").state.risk == "high"
    assert len(api.get(incident_id).state.escalations) == 1


def test_main_behind_its_upstream_is_refused(api: IncidentResponse, hot_repo: Path,
                                             tmp_path: Path) -> None:
    other = tmp_path / "colleague"
    git_run(tmp_path, "clone", "-q", str(hot_repo.parent / "upstream.git"), str(other))
    (other / "app.py").write_text("print('already fixed upstream')\n")
    git_run(other, "commit", "-qam", "Fix upstream")
    git_run(other, "push", "-q", "origin", "main")
    git_run(hot_repo, "fetch", "-q", "origin")
    incident_id = ready_incident(api)
    with pytest.raises(Refused, match="1 commit\\(s\\) behind origin/main"):
        api.hotfixes.start(incident_id)
    git_run(hot_repo, "merge", "-q", "--ff-only", "origin/main")
    assert api.hotfixes.start(incident_id).state.base_commit == \
        git_run(hot_repo, "rev-parse", "origin/main")


def test_a_closed_incident_gets_no_hotfix(api: IncidentResponse) -> None:
    incident_id = ready_incident(api)
    with api.store.transaction() as tx:
        tx.close(incident_id, "resolved elsewhere")
    with pytest.raises(Refused, match="closed"):
        api.hotfixes.start(incident_id)


def test_a_failed_bead_write_takes_the_branch_back(
        api: IncidentResponse, hot_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    incident_id = ready_incident(api)

    def broken(*args: object, **kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(start, "create_bead", broken)
    with pytest.raises(OSError, match="disk full"):
        api.hotfixes.start(incident_id)
    assert git_run(hot_repo, "branch", "--list", "hotfix/*") == ""
    assert git_run(hot_repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"


def test_a_title_at_the_limit_still_gets_a_hotfix(api: IncidentResponse) -> None:
    incident_id = ready_incident(api, title="x" * 491 + "y")  # the longest `[SEV-1] ` allows
    title = api.store.get(api.hotfixes.start(incident_id).id).title
    assert title == "Hotfix: " + "x" * 491 + "y"
    incident_id = ready_incident(api, title="z" * 492)
    api.store.update(incident_id, title="z" * 500)  # a longer title written by another tool
    title = api.store.get(api.hotfixes.start(incident_id).id).title
    assert len(title) == 500 and title.endswith("z\u2026")


def test_hotfixes_are_found_without_parsing_the_rest_of_the_store(
        api: IncidentResponse, hot_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id).id
    git_run(hot_repo, "checkout", "-q", "main")
    api.store.create("Unrelated work")
    monkeypatch.setattr(BeadsStore, "issues", lambda self: pytest.fail("parsed every issue"))
    with pytest.raises(Refused, match="already has an open hotfix"):
        api.hotfixes.start(incident_id)
    assert api.hotfixes.get(incident_id).id == hid  # an incident's id names its latest hotfix
