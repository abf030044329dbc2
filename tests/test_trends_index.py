"""Pattern emergence reads each incident's trend facts once per line's bytes, and sees edits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from knowledge_fixtures import Clock, resolved

from incident_beads import IncidentResponse
from incident_beads.beads.issue import Issue
from incident_beads.beads.store import BeadsStore
from incident_beads.config import Config, KnowledgeConfig
from incident_beads.knowledge import line_index, trends
from incident_beads.knowledge.api import Knowledge
from incident_beads.lifecycle.timeline import incident_from, is_incident, readable_incident

CONFIG = Config(knowledge=KnowledgeConfig(pattern_threshold=2, recurrence_window_days=0))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(store_repo: Path, clock: Clock) -> IncidentResponse:
    return IncidentResponse(store_repo, clock=clock, actor="ada", config=CONFIG)


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids whose trend facts are read from their record from here on, as a new process
    would (nothing remembered in memory)."""
    monkeypatch.setattr(line_index, "_READ", {})
    found: list[str] = []
    real = trends._read

    def counting(issue: Issue) -> Any:
        found.append(issue.id)
        return real(issue)

    monkeypatch.setattr(trends, "_read", counting)
    return found


def learn(root: Path, clock: Clock, incident: str) -> list[str]:
    line_index._READ.clear()
    return Knowledge(root, clock=clock, config=CONFIG).learn(incident).proposals


def test_only_the_lines_changed_since_are_read_and_the_answer_is_a_fresh_one(
        api: IncidentResponse, clock: Clock, store_repo: Path, read: list[str]) -> None:
    first = resolved(api, clock, "Checkout down", services=["payments"],
                     root_cause="expired TLS cert")
    assert learn(store_repo, clock, first) == []
    assert read == [first]
    clock.advance(days=3)
    second = resolved(api, clock, "Refunds failing", services=["payments"],
                      root_cause="Expired TLS cert.")
    read.clear()
    proposals = learn(store_repo, clock, second)
    assert read == [second]  # the first incident's line did not change
    assert len(proposals) == 2 and "payments" in proposals[0] and "TLS" in proposals[1]
    lines = BeadsStore(store_repo).issue_lines_mentioning("incident")
    assert trends.recorded(store_repo, lines) == [
        trends.Trend.of(incident_from(issue)) for _, issue in lines if is_incident(issue)]


def test_a_record_edited_by_hand_is_read_again(
        api: IncidentResponse, clock: Clock, store_repo: Path, read: list[str]) -> None:
    first = resolved(api, clock, "Checkout down", services=["payments"],
                     root_cause="expired TLS cert")
    clock.advance(days=3)
    second = resolved(api, clock, "Refunds failing", services=["payments"],
                      root_cause="expired TLS cert")
    assert len(learn(store_repo, clock, second)) == 2
    path = store_repo / ".beads" / "issues.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    for n, line in enumerate(lines):
        if line.strip() and json.loads(line)["id"] == first:
            lines[n] = line.replace(b"expired TLS cert", b"a full disk")
    path.write_bytes(b"".join(lines))
    read.clear()
    proposals = learn(store_repo, clock, second)
    assert first in read
    assert len(proposals) == 1 and "payments" in proposals[0]


@pytest.mark.parametrize("entry", [
    [1, 2, 3], ["inc-1", "not a time", "cause"], ["inc-1", "2026-01-15T10:00:00", "cause"],
    ["inc-1"], "inc-1", {"id": "inc-1"}])
def test_an_entry_without_the_shape_of_one_is_not_used(entry: Any) -> None:
    assert trends._from_json(entry) == (False, None)


def test_an_entry_gives_back_the_facts_it_was_made_of(
        api: IncidentResponse, clock: Clock) -> None:
    incident = resolved(api, clock, "Checkout down", services=["payments", "checkout"])
    trend = trends.Trend.of(incident_from(api.store.get(incident)))
    assert trends._from_json(trends._to_json(trend)) == (True, trend)
    assert trends._from_json(trends._to_json(None)) == (True, None)


def test_an_incident_whose_record_cannot_be_read_is_left_out_not_fatal(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    broken = resolved(api, clock, "Checkout down", services=["payments"])
    kept = resolved(api, clock, "Refunds failing", services=["payments"])
    path = store_repo / ".beads" / "issues.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    for n, line in enumerate(lines):
        if line.strip() and json.loads(line)["id"] == broken:
            data = json.loads(line)
            data["metadata"]["incident_beads"]["timestamps"] = "not a record"
            lines[n] = (json.dumps(data) + "\n").encode()
    path.write_bytes(b"".join(lines))
    store = BeadsStore(store_repo)
    issue = store.get(broken)
    assert is_incident(issue) and readable_incident(issue) is None
    assert [t.id for t in trends.recorded(store_repo, store.issue_lines_mentioning("incident"))
            ] == [kept]
    knowledge = Knowledge(store_repo, clock=clock, config=CONFIG)
    assert [i.id for i in knowledge.report().incidents] == [kept]
    assert kept in {row.doc.key for row in knowledge.context("payments failing").similar}
