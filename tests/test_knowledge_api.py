"""The knowledge API over real incidents: write-ups, critical patterns, drafts, actions, report."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from knowledge_fixtures import CONFIRMED, Clock, resolved

from incident_beads import IncidentResponse
from incident_beads.beads import store as store_module
from incident_beads.config import Config, KnowledgeConfig
from incident_beads.errors import InvalidInput, Refused
from incident_beads.hotfix.model import HotfixState, RunRecord, TagRecord, Verification
from incident_beads.knowledge.api import Knowledge
from incident_beads.knowledge.schema import BUG_TRACK, schema_problems


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(store_repo: Path, clock: Clock) -> IncidentResponse:
    return IncidentResponse(store_repo, clock=clock, actor="ada")


@pytest.fixture
def knowledge(store_repo: Path, clock: Clock) -> Knowledge:
    return Knowledge(store_repo, clock=clock, actor="ada")


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text()
    assert text.startswith("---\n")
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    data["date"] = str(data["date"])
    data["last_updated"] = str(data["last_updated"])
    return data


ODD_TITLES = ["Checkout 500s", "Title with | pipe, `code`, <b>html</b> & \"quotes\"",
              "Unicode: café — 東京 ✓", "Colon: in the middle", "$(rm -rf /); echo pwned",
              "- starts with a dash", "[x] starts with a bracket"]


@pytest.mark.parametrize("title", ODD_TITLES)
def test_every_write_up_front_matter_matches_the_schema(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path,
        title: str) -> None:
    incident = resolved(api, clock, title, severity=2, errors=["`boom`: failed", "? odd"],
                        root_cause="@here: pool * exhausted")
    result = knowledge.learn(incident, tags=["checkout", "pool"])
    data = front_matter(store_repo / result.writeup)
    assert schema_problems(data) == []
    assert data["problem_type"] in BUG_TRACK
    assert result.writeup.startswith("docs/solutions/runtime-errors/")
    assert data["incident_id"] == incident and data["duration_minutes"] == 45
    assert data["severity"] == "high"
    assert data["symptoms"] == ["`boom`: failed", "? odd"]
    assert data["root_cause"] == "@here: pool * exhausted"


def test_learn_twice_changes_nothing_and_keeps_human_text(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3)
    first = knowledge.learn(incident)
    path = store_repo / first.writeup
    text = path.read_text().replace(
        "_To be written by people: why the fix addresses the root cause._",
        "Because the pool is sized for peak now.")
    text = text.replace("root_cause: pool exhausted", "root_cause: pool sized for average load")
    path.write_text(text + "\nA closing remark.\n")
    patterns = (store_repo / first.critical_patterns).read_text()
    second = knowledge.learn(incident)
    assert not second.writeup_created and not second.past_incident_added
    assert path.read_text() == text + "\nA closing remark.\n"
    knowledge.learn(incident)
    assert path.read_text() == text + "\nA closing remark.\n"
    assert (store_repo / first.critical_patterns).read_text() == patterns


def test_learn_refreshes_generated_parts_only(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3)
    path = store_repo / knowledge.learn(incident).writeup
    path.write_text(path.read_text().replace("rolled back to v1.4.1", "stale text")
                    + "\nMine.\n")
    knowledge.learn(incident)
    assert "stale text" not in path.read_text()
    assert "rolled back to v1.4.1" in path.read_text() and path.read_text().endswith("Mine.\n")


def test_learn_options_choose_the_category(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Slow search", severity=3)
    result = knowledge.learn(incident, problem_type="performance_issue",
                             resolution_type="config_change", component="search")
    assert result.writeup.startswith("docs/solutions/performance-issues/")
    data = front_matter(store_repo / result.writeup)
    assert (data["component"], data["resolution_type"]) == ("search", "config_change")


def test_learn_refuses_an_unresolved_incident(api: IncidentResponse,
                                              knowledge: Knowledge) -> None:
    incident = api.declare("Still burning", severity=3)
    with pytest.raises(Refused, match="not resolved"):
        knowledge.learn(incident.id)


def test_past_incident_entry_added_once(api: IncidentResponse, knowledge: Knowledge,
                                        clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3)
    knowledge.learn(incident)
    knowledge.learn(incident)
    text = (store_repo / "docs/critical-patterns.md").read_text()
    assert text.count(f"`{incident}`") == 1
    entry = knowledge.patterns.sections().past_incidents[0]
    assert entry.startswith(f"2026-01-15 {incident} SEV-3 Checkout down: pool exhausted")


def test_recurring_component_proposes_a_pattern(store_repo: Path, clock: Clock) -> None:
    config = Config(knowledge=KnowledgeConfig(pattern_threshold=2, recurrence_window_days=0))
    api = IncidentResponse(store_repo, clock=clock, actor="ada", config=config)
    knowledge = Knowledge(store_repo, clock=clock, config=config)
    first = resolved(api, clock, "Checkout down", severity=3, services=["payments"],
                     root_cause="expired TLS cert")
    assert knowledge.learn(first).proposals == []
    clock.advance(days=3)
    second = resolved(api, clock, "Refunds failing", severity=3, services=["payments"],
                      root_cause="Expired TLS cert.")
    proposals = knowledge.learn(second).proposals
    assert len(proposals) == 2
    assert "payments" in proposals[0] and "TLS" in proposals[1]
    shown = knowledge.context("payments failing").patterns.proposed
    assert len(shown) == 2 and all(p.startswith("Proposed") for p in shown)


def test_draft_is_the_seed_template_with_prompts(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout | down <script>", severity=1)
    knowledge.add_action(incident, "Alert on pool saturation", priority=1, owner="bob",
                         due="+3d", kind="detect")
    draft = knowledge.postmortem_draft(incident)
    text = (store_repo / draft.path).read_text()
    assert draft.path == f"docs/postmortems/{incident}.md" and draft.owner == "grace"
    for heading in ("## Incident Summary", "## Timeline", "## Root Cause",
                    "## Contributing Factors", "## What Went Well", "## What Went Wrong",
                    "## Action Items", "## Lessons Learned", "## Prevention"):
        assert heading in text
    assert "**Owner:** grace" in text and "**Meeting:** 2026-01-16 10:15 UTC" in text
    assert "| 2026-01-15 10:15 | Mitigation rollback: worked - back to v1.4.1 |" in text
    assert "```mermaid\ngantt" in text
    assert "| Alert on pool saturation | bob | 2026-01-18 | P1 | detect |" in text
    assert "<script" not in text.replace("\\<script>", "") and "Checkout \\| down" in text
    assert "_To be written by people" in text


def test_draft_regeneration_keeps_what_people_wrote(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout down", severity=2)
    path = store_repo / knowledge.postmortem_draft(incident).path
    human = path.read_text().replace(
        "_To be written by people: how do we prevent this class of issue?_",
        "Load test the pool before each release.")
    path.write_text(human)
    knowledge.add_action(incident, "Load test", priority=2, owner="eve", due="+7d",
                         kind="prevent")
    knowledge.postmortem_draft(incident)
    once = path.read_text()
    assert "Load test the pool before each release." in once and "| Load test | eve |" in once
    knowledge.postmortem_draft(incident)
    assert path.read_text() == once


def test_draft_of_sev1_needs_the_postmortem_scheduled(
        api: IncidentResponse, knowledge: Knowledge, store_repo: Path) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(Refused, match="schedule"):
        knowledge.postmortem_draft(incident.id)
    assert not (store_repo / "docs/postmortems").exists()


def test_action_item_is_a_bead_as_the_contract_says(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3)
    item = knowledge.add_action(incident, "Add a pool alert", priority=2, owner="bob",
                                due="+2d", kind="detect")
    bead = api.store.get(item.id)
    assert (bead.issue_type, bead.priority, bead.labels) == ("task", 2, ["post-mortem"])
    assert bead.depends_on("discovered-from") == [incident]
    assert bead.metadata["incident_beads"]["kind"] == "action"
    assert bead.metadata["incident_beads"]["action_kind"] == "detect"
    assert bead.due_at == "2026-01-17T10:45:00Z"
    assert knowledge.actions.list(overdue=True) == []
    clock.advance(days=3)
    assert [i.id for i in knowledge.actions.list(overdue=True)] == [item.id]


@pytest.mark.parametrize(("field", "value"), [("priority", 3), ("kind", "blame"),
                                              ("owner", " "), ("due", "-1d")])
def test_bad_action_items_are_refused(api: IncidentResponse, knowledge: Knowledge,
                                      clock: Clock, field: str, value: object) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3)
    fields: dict[str, object] = {"priority": 1, "owner": "bob", "due": "+1d", "kind": "prevent"}
    fields[field] = value
    before = len(list(api.store.issues()))
    with pytest.raises(InvalidInput):
        knowledge.add_action(incident, "x", **fields)  # type: ignore[arg-type]
    assert len(list(api.store.issues())) == before


def test_report_figures(api: IncidentResponse, knowledge: Knowledge, clock: Clock) -> None:
    resolved(api, clock, "Checkout down", severity=1, minutes=60)
    clock.advance(days=8)
    late = api.declare("Login broken", severity=2)
    clock.advance(minutes=20)
    api.post_update(late.id, status="Identified", impact="login", action="fixing")
    figures = knowledge.report().figures()
    assert figures["incidents"] == 2
    assert figures["by_severity"] == {"SEV-1": 1, "SEV-2": 1, "SEV-3": 0, "SEV-4": 0}
    assert figures["mtta_minutes"] == 12.5
    assert figures["mean_time_to_mitigate_minutes"] == 15.0
    assert figures["mttr_minutes"] == 60.0
    assert figures["postmortems"]["scheduled_within_hours"] == 1
    assert figures["postmortems"]["required"] == 1
    assert list(figures["over_time"]) == ["2026-W03", "2026-W04"]
    assert knowledge.report(since="1d").figures()["incidents"] == 1
    text = knowledge.report().render()
    assert "\nxychart-beta\n" in text and "MTTR" in text
    # Real dates: the header from the first incident, the chart's weeks by their Monday.
    assert text.startswith("# Incident report: 2026-01-15 10:00 UTC to ")
    assert 'x-axis ["2026-01-12", "2026-01-19"]' in text
    assert 'title "Incidents per week by severity, 2026-01-12 to 2026-01-23"' in text
    assert "Legend: red SEV-1, orange SEV-2, blue SEV-3, grey SEV-4;" in text
    assert 'plotColorPalette: "#d62728, #ff7f0e, #1f77b4, #7f7f7f"' in text


def test_resolve_writes_the_write_up_and_the_patterns_entry(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3)
    written = list((store_repo / "docs/solutions/runtime-errors").iterdir())
    assert len(written) == 1 and incident in written[0].name
    assert f"`{incident}`" in (store_repo / "docs/critical-patterns.md").read_text()
    assert api.knowledge.writeups.find(incident) is not None


def test_resolution_stands_when_the_documents_cannot_be_written(
        api: IncidentResponse, clock: Clock, store_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (store_repo / "docs").symlink_to(outside)
    incident = resolved(api, clock, "Checkout down", severity=3)
    done = api.get(incident)
    assert not done.is_open and done.state.resolution is not None
    assert done.state.timeline[-1].kind == "learn-failed"
    assert f"incident learn {incident}" in done.state.timeline[-1].text
    assert list(outside.iterdir()) == []


def test_explicit_category_moves_the_write_up(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout slow", severity=3)
    before = knowledge.writeups.find(incident)
    assert before is not None and "/runtime-errors/" in before
    after = knowledge.learn(incident, problem_type="performance_issue").writeup
    assert "/performance-issues/" in after and not (store_repo / before).exists()


def test_learn_adds_the_incident_to_its_service_runbook_once(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3, errors=["PoolTimeout"],
                        what_broken="checkout page")
    result = knowledge.learn(incident)
    assert result.runbook == "docs/runbooks/checkout.md"
    text = (store_repo / result.runbook).read_text()
    knowledge.learn(incident)
    assert (store_repo / result.runbook).read_text() == text
    issue = knowledge.runbooks.show("checkout")[1][0]
    assert (issue.title, issue.symptoms) == ("Checkout down", ["checkout page", "PoolTimeout"])
    assert issue.resolution == f"rolled back to v1.4.1 (incident {incident})"


def test_learn_adds_deployment_safety_lessons_once(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock) -> None:
    incident = resolved(api, clock, "Checkout down", severity=3)
    lesson = "Rollback: `./deploy.sh --rollback v1.4.1` takes 3 minutes"
    assert knowledge.learn(incident, deployment_safety=[lesson]).deployment_safety_added
    assert not knowledge.learn(incident, deployment_safety=[lesson]).deployment_safety_added
    # Read back as people see it; the file keeps the command as code.
    assert knowledge.context("anything").patterns.deployment_safety == [lesson.replace("`", "")]


def test_hotfix_commit_and_tag_reach_the_draft_and_the_write_up(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path) -> None:
    incident = api.declare("Checkout down", severity=3, services=["checkout"])
    # The hotfix bead as the hotfix protocol records it (its own model, its own fields).
    now = clock()
    state = HotfixState(
        incident_id=incident.id, severity_level=3, branch=f"hotfix/incident-{incident.id}",
        tag=f"hotfix-{incident.id}", main_branch="main", base_commit="0" * 40, started_at=now,
        started_by="ada", tagged=TagRecord(name=f"hotfix-{incident.id}", commit="abc1234",
                                           at=now, by="ada"),
        deploys=[RunRecord(at=now, by="ada", ok=False, commit="0000000"),
                 RunRecord(at=now, by="ada", ok=True, commit="abc1234")],
        verification=Verification(started_at=now, started_by="ada", window_minutes=15,
                                  confirmed_at=now, confirmed_by="ada", evidence="green"))
    api.store.create("Hotfix: Checkout down", parent=incident.id, labels=["hotfix"],
                     metadata={"incident_beads": state.model_dump(mode="json")})
    clock.advance(minutes=30)
    api.resolve(incident.id, resolution="hotfix deployed", root_cause="bad index",
                no_longer_occurring=True, error_rates_normal=True, users_can_use_feature=True,
                monitoring_evidence="dashboards green", stakeholders_notified=True)
    writeup = knowledge.writeups.find(incident.id)
    assert writeup is not None
    data = front_matter(store_repo / writeup)
    assert data["hotfix_tag"] == f"hotfix-{incident.id}"
    assert data["resolution_type"] == "code_fix"
    draft = (store_repo / knowledge.postmortem_draft(incident.id).path).read_text()
    assert "- **Commit:** `abc1234`" in draft
    assert f"- **Tag:** `hotfix-{incident.id}`" in draft


def test_context_lists_recent_deployments_from_git(knowledge: Knowledge,
                                                   store_repo: Path) -> None:
    subprocess.run(["git", "tag", "-a", "hotfix-demo-1", "-m", "Hotfix for demo-1"],
                   cwd=store_repo, check=True)
    report = knowledge.context("anything")
    assert [d["name"] for d in report.deployments] == ["hotfix-demo-1"]
    assert report.deployments[0]["incident_id"] == "demo-1"
    assert "hotfix-demo-1" in report.render()


def test_context_outside_git_says_why_deployments_are_missing(tmp_path: Path,
                                                               clock: Clock) -> None:
    report = Knowledge(tmp_path, clock=clock).context("anything")
    assert report.deployments == [] and any("deployments" in n for n in report.notes)


@pytest.mark.parametrize("key", ["critical_patterns", "solutions_dir", "runbooks_dir",
                                 "postmortems_dir"])
def test_configured_paths_leaving_the_repository_are_refused(
        store_repo: Path, clock: Clock, tmp_path: Path, key: str) -> None:
    config = Config(knowledge=KnowledgeConfig(**{key: "../outside"}))
    api = IncidentResponse(store_repo, clock=clock, actor="ada", config=config)
    incident = resolved(api, clock, "Checkout down", severity=2)
    knowledge = Knowledge(store_repo, clock=clock, config=config)
    with pytest.raises(Refused):
        knowledge.learn(incident) if key != "postmortems_dir" else \
            knowledge.postmortem_draft(incident)
    assert not (store_repo.parent / "outside").exists()


def test_a_file_link_pointing_outside_is_refused(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock, store_repo: Path,
        tmp_path: Path) -> None:
    target = tmp_path / "victim.md"
    target.write_text("keep me\n")
    (store_repo / "docs").mkdir()
    (store_repo / "docs/critical-patterns.md").symlink_to(target)
    incident = resolved(api, clock, "Checkout down", severity=3)
    with pytest.raises(Refused):
        knowledge.learn(incident)
    assert target.read_text() == "keep me\n"


def test_context_reads_a_plain_bead_named_by_id_and_unlabelled_incidents(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock) -> None:
    past = resolved(api, clock, "Checkout pool exhausted", root_cause="pool too small")
    with api.store.transaction() as tx:  # someone dropped the label with bd: the record stays
        tx.remove_label(past, "incident")
    task = api.store.create("Payments queue backs up", description="checkout pool waits")
    report = knowledge.context(task.id)
    assert report.query.startswith("Payments queue backs up")
    assert past in [m.doc.key for m in report.similar if m.doc.kind == "incident"]


def test_a_resolution_is_documented_without_reading_the_store_again(
        api: IncidentResponse, clock: Clock, store_repo: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with api.store.transaction() as tx:  # the rest of the work the store holds
        for n in range(2000):  # (a write keeps lines weighing up to a 16th of the file)
            tx.create(f"task {n}")
    resolved(api, clock, "Checkout down")  # its write-up searched the incidents and hotfixes
    incident = api.declare("Search slow", severity=3, services=["search"], who_affected="all")
    api.mitigate(incident.id, "rollback", "worked")
    reads: list[Path] = []
    real = store_module.read_snapshot
    monkeypatch.setattr(store_module, "read_snapshot",
                        lambda path, *rest: reads.append(path) or real(path, *rest))
    api.resolve(incident.id, resolution="rolled back", root_cause="bad index", **CONFIRMED)
    assert len(reads) == 1  # the resolution's own transaction; its write-up reads no store
    assert api.knowledge.writeups.find(incident.id) is not None
    assert f"`{incident.id}`" in (store_repo / "docs/critical-patterns.md").read_text()


def test_a_post_mortem_that_lost_its_label_is_looked_up_by_its_id_not_searched_for(
        api: IncidentResponse, knowledge: Knowledge, clock: Clock) -> None:
    incident = resolved(api, clock, "Checkout down", severity=1, minutes=60)
    meeting = api.get(incident).state.postmortem_id
    assert meeting is not None
    with api.store.transaction() as tx:
        tx.remove_label(meeting, "post-mortem")
    store = knowledge.store
    figures = knowledge.report().figures()
    assert figures["postmortems"]["scheduled_within_hours"] == 1  # found all the same
    assert knowledge.postmortem_draft(incident).owner == "grace"
    searched = store.snapshot().searched()
    assert searched and not [word for word in searched if meeting.encode() in word]
