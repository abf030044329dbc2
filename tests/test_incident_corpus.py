"""Step 0's incident index: past incidents ranked from the hash of each line's bytes, and every
answer the one a fresh read gives (lines changed by hand, a broken index, another process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from knowledge_fixtures import Clock, resolved

from incident_beads import IncidentResponse
from incident_beads.beads import snapshot as snapshot_module
from incident_beads.beads.snapshot import Snapshot
from incident_beads.beads.store import BeadsStore
from incident_beads.knowledge import incident_corpus, line_index
from incident_beads.knowledge.api import Knowledge
from incident_beads.knowledge.incident_corpus import incident_docs, index_of


@pytest.fixture(autouse=True)
def fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with nothing remembered in this process, and every change is written
    (so the index is what the last scan met)."""
    monkeypatch.setattr(line_index, "_READ", {})
    monkeypatch.setattr(line_index, "REWRITE_AFTER", 1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(store_repo: Path, clock: Clock) -> IncidentResponse:
    return IncidentResponse(store_repo, clock=clock, actor="ada")


def index_file(root: Path) -> Path:
    return root / ".git" / "incident-beads" / incident_corpus.NAME


def similar(root: Path, clock: Clock, text: str) -> list[dict[str, Any]]:
    """What `incident context` finds, as a fresh process would (nothing remembered in memory)."""
    line_index._READ.clear()
    report = Knowledge(root, clock=clock, actor="ada").context(text, service="checkout")
    return [{k: v for k, v in row.items() if k != "score"} for row in report.to_dict()["similar"]]


def edit_line(root: Path, incident_id: str, old: str, new: str) -> None:
    """Change an incident's line by hand, as an editor or a merge would."""
    path = root / ".beads" / "issues.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if json.loads(line)["id"] == incident_id)
    assert old.encode() in lines[at]
    lines[at] = lines[at].replace(old.encode(), new.encode())
    path.write_bytes(b"".join(lines))


def test_the_index_answers_as_a_fresh_read(api: IncidentResponse, clock: Clock,
                                           store_repo: Path) -> None:
    first = resolved(api, clock, "Checkout pool exhausted", root_cause="pool exhausted")
    resolved(api, clock, "Search index lag", services=("search",), root_cause="index lag")
    fresh = similar(store_repo, clock, "checkout pool")
    entries = json.loads(index_file(store_repo).read_text())["lines"]
    assert sorted(e[0] for e in entries.values() if e) == sorted(
        i.id for i in api.incidents(include_closed=True))
    assert similar(store_repo, clock, "checkout pool") == fresh
    assert fresh[0]["id"] == first and fresh[0]["root_cause"] == "pool exhausted"


def test_a_line_changed_by_hand_is_read_afresh(api: IncidentResponse, clock: Clock,
                                               store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout pool exhausted", root_cause="pool exhausted")
    assert similar(store_repo, clock, "checkout")[0]["root_cause"] == "pool exhausted"
    edit_line(store_repo, incident, '"root_cause":"pool exhausted"',
              '"root_cause":"dns misconfigured"')
    found = similar(store_repo, clock, "dns")
    assert [(row["id"], row["root_cause"]) for row in found] == [(incident, "dns misconfigured")]


def test_an_incident_gone_from_the_store_is_gone_from_the_ranking(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    gone = resolved(api, clock, "Checkout pool exhausted")
    kept = resolved(api, clock, "Payments pool exhausted", services=("payments",))
    assert {row["id"] for row in similar(store_repo, clock, "checkout pool")} == {gone, kept}
    path = store_repo / ".beads" / "issues.jsonl"
    path.write_bytes(b"".join(line for line in path.read_bytes().splitlines(keepends=True)
                              if json.loads(line)["id"] != gone))
    # its write-up stays, no longer joined to a bead
    assert {(row["id"], row["kind"]) for row in similar(store_repo, clock, "checkout pool")} == {
        (kept, "incident"), (gone, "writeup")}


@pytest.mark.parametrize("damage", [
    b"not json", b"", b'{"v": 1, "lines": []}',
    b'{"v": 1, "lines": {"KEY": {"key": 3}}}',
    b'{"v": 1, "lines": {"KEY": {"key": "x", "fields": {}, "info": {}, "terms": []}}}',
    b'{"v": 1, "lines": {"KEY": "an incident"}}',
    b'{"v": 2, "lines": {"KEY": ["work-1", "SEV-3", "closed"]}}',
    b'{"v": 2, "lines": {"KEY": ["work-1", "SEV-3", "closed", "a", "b", "c", "d", "e", "a", "b",'
    b' "c", "d", 5]}}',
    b'{"v": 2, "lines": {"KEY": {"not": "a list"}}}',
])
def test_a_broken_index_is_read_around(api: IncidentResponse, clock: Clock, store_repo: Path,
                                       damage: bytes) -> None:
    resolved(api, clock, "Checkout pool exhausted")
    fresh = similar(store_repo, clock, "checkout pool")
    keys = list(json.loads(index_file(store_repo).read_text())["lines"])
    index_file(store_repo).write_bytes(damage.replace(b"KEY", keys[0].encode()))
    assert similar(store_repo, clock, "checkout pool") == fresh


def test_a_process_reads_the_index_again_once_another_replaced_it(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, "Checkout pool exhausted")
    store = BeadsStore(store_repo)
    assert [d.info["title"] for d in incident_docs(store)] == ["Checkout pool exhausted"]
    # another process rewrites the index: what it holds for the line is what this one uses
    path = index_file(store_repo)
    data = json.loads(path.read_text())
    for entry in data["lines"].values():
        entry[3] = "As the other process wrote it"  # the title field
    path.write_text(json.dumps(data))
    assert [(d.key, d.info["title"]) for d in incident_docs(store)] == [
        (incident, "As the other process wrote it")]


def test_the_index_is_rewritten_once_enough_lines_changed(
        api: IncidentResponse, clock: Clock, store_repo: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(line_index, "REWRITE_AFTER", 2)
    resolved(api, clock, "Checkout pool exhausted")
    similar(store_repo, clock, "pool")  # no index yet: written
    written = index_file(store_repo).read_bytes()
    second = resolved(api, clock, "Payments pool exhausted", services=("payments",))
    assert second in {row["id"] for row in similar(store_repo, clock, "pool")}
    assert index_file(store_repo).read_bytes() == written  # one line: read afresh, not written
    resolved(api, clock, "Billing pool exhausted", services=("billing",))
    assert len(similar(store_repo, clock, "pool")) == 3
    assert index_file(store_repo).read_bytes() != written


def test_each_line_is_read_once_per_scan_and_then_from_the_index(
        api: IncidentResponse, clock: Clock, store_repo: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    resolved(api, clock, "Checkout pool exhausted")
    resolved(api, clock, "Search index lag", services=("search",))
    read: list[int] = []
    real = incident_corpus._read

    def counting(snapshot: Snapshot, n: int) -> Any:
        read.append(n)
        return real(snapshot, n)

    monkeypatch.setattr(incident_corpus, "_read", counting)
    index_file(store_repo).unlink()
    first = [d.key for d in incident_docs(BeadsStore(store_repo))]
    assert len(first) == 2 and len(read) == len(set(read)) >= 2
    read.clear()
    line_index._READ.clear()
    assert [d.key for d in incident_docs(BeadsStore(store_repo))] == first
    assert read == []


def test_outside_git_every_line_is_read(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / ".beads").mkdir()
    api = IncidentResponse(tmp_path, clock=clock, actor="ada")
    incident = resolved(api, clock, "Checkout pool exhausted")
    assert [d.key for d in incident_docs(BeadsStore(tmp_path))] == [incident]
    assert not index_of(tmp_path)._found


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lines parsed from here on (nothing parsed before is remembered)."""
    monkeypatch.setattr(snapshot_module, "_DECODED", {})
    lines: list[int] = []
    real = Snapshot._parse

    def counting(self: Snapshot, n: int) -> Any:
        lines.append(n)
        return real(self, n)

    monkeypatch.setattr(Snapshot, "_parse", counting)
    return lines


def test_searches_of_one_snapshot_share_the_issues_they_parse(
        api: IncidentResponse, clock: Clock, store_repo: Path, parsed: list[int]) -> None:
    resolved(api, clock, "Checkout pool exhausted")
    resolved(api, clock, "Search index lag", services=("search",))
    snapshot_module._DECODED.clear()
    parsed.clear()
    snapshot = BeadsStore(store_repo).snapshot()
    first = [i.data for _, i in snapshot.issue_lines_containing(b'"incident"')]
    again = [i.data for _, i in snapshot.issue_lines_containing(b'"incident"')]
    assert first and again == first and len(parsed) == len(first)


def test_the_next_snapshot_parses_only_the_lines_that_changed(
        api: IncidentResponse, clock: Clock, store_repo: Path, parsed: list[int]) -> None:
    resolved(api, clock, "Checkout pool exhausted")
    later = resolved(api, clock, "Search index lag", services=("search",))
    store = BeadsStore(store_repo)
    before = {i.id: i.data for i in store.issues_mentioning("incident")}
    api.record_event(later, "Customer support told", kind="note", actor="ada")
    parsed.clear()
    after = {i.id: i.data for i in store.issues_mentioning("incident")}
    assert after.keys() == before.keys() and after[later] != before[later]
    assert len(parsed) == 1  # the incident just written; the other line is as parsed before


def test_so_many_parsed_issues_are_kept_and_no_more(
        api: IncidentResponse, clock: Clock, store_repo: Path, parsed: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    resolved(api, clock, "Checkout pool exhausted")
    resolved(api, clock, "Search index lag", services=("search",))
    monkeypatch.setattr(snapshot_module, "_SHARED_ISSUES", 1)
    snapshot_module._DECODED.clear()
    snapshot = BeadsStore(store_repo).snapshot()
    found = [i.data for _, i in snapshot.issue_lines_containing(b'"incident"')]
    assert len(found) >= 2
    assert len(snapshot._parsed) == len(snapshot_module._DECODED) == 1


def test_a_declaration_loads_no_more_of_the_knowledge_than_step_0(store_repo: Path) -> None:
    script = (
        "import sys\n"
        "from incident_beads import IncidentResponse\n"
        f"api = IncidentResponse({str(store_repo)!r}, actor='ada')\n"
        "incident = api.declare('Checkout down', severity=3, services=['checkout'])\n"
        "assert incident.state.context.status == 'loaded', incident.state.context\n"
        "import json\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('incident_beads.knowledge')]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    loaded = set(json.loads(done.stdout))
    assert "incident_beads.knowledge.step0" in loaded
    assert not loaded & {"incident_beads.knowledge.api", "incident_beads.knowledge.postmortem",
                         "incident_beads.knowledge.report", "incident_beads.knowledge.actions"}
