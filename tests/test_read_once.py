"""Read paths that read the store once: the report, and a declaration's retry lookup."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from knowledge_fixtures import CONFIRMED, Clock, resolved

from incident_beads import IncidentResponse
from incident_beads.beads import layout_cache
from incident_beads.beads.snapshot import Snapshot
from incident_beads.knowledge import api as knowledge_api
from incident_beads.knowledge.api import Knowledge


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_the_report_reads_the_store_once_and_still_finds_every_part(
        store_repo: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident = resolved(api, clock, "Checkout down", severity=1, minutes=60)
    api.knowledge.add_action(incident, "Alert on pool saturation", priority=1, owner="bob",
                             due="+1d", kind="prevent")
    for n in range(5):
        api.store.create(f"plain task {n}")
    clock.advance(days=3)  # the action item is late, the post-mortem was scheduled
    reads: list[Path] = []
    real = layout_cache.read_snapshot

    def counted(path: Path, *args: object, **kwargs: object) -> Snapshot:
        reads.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("incident_beads.beads.store.read_snapshot", counted)
    report = Knowledge(store_repo, clock=clock, actor="ada").report()
    assert len(reads) == 1
    figures = report.figures()
    assert figures["incidents"] == 1
    assert figures["postmortems"]["required"] == 1
    assert figures["postmortems"]["scheduled_within_hours"] == 1
    assert [a.incident_id for a in report.overdue_actions] == [incident]


def test_a_post_mortem_bead_that_lost_its_label_is_still_found(
        store_repo: Path, clock: Clock) -> None:
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident = resolved(api, clock, "Checkout down", severity=1, minutes=60)
    meeting = api.get(incident).state.postmortem_id
    assert meeting is not None
    with api.store.transaction() as tx:  # edited outside the tool
        tx.remove_label(meeting, "post-mortem")
    figures = Knowledge(store_repo, clock=clock, actor="ada").report().figures()
    assert figures["postmortems"]["scheduled_within_hours"] == 1


def test_resolving_lets_go_of_the_store_it_wrote_before_writing_the_documents(
        store_repo: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident = api.declare("Checkout down", severity=3, services=["checkout"])
    api.mitigate(incident.id, "rollback", "worked")
    held: list[int] = []
    real = knowledge_api.safe_after_resolution

    def documented(knowledge: Knowledge, incident_id: str) -> object:
        gc.collect()
        held.append(sum(1 for o in gc.get_objects() if isinstance(o, Snapshot) and o.data))
        return real(knowledge, incident_id)

    monkeypatch.setattr(knowledge_api, "safe_after_resolution", documented)
    api.resolve(incident.id, resolution="rolled back", root_cause="bad deploy",
                **CONFIRMED)
    assert held == [0]  # a big store is not held twice while the write-up reads it


def test_a_store_reads_its_file_again_only_once_it_changed(
        store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_beads.beads.store import BeadsStore

    writer = BeadsStore(store_repo)
    first = writer.create("first", labels=["incident"]).id
    reads: list[Path] = []
    real = layout_cache.read_regular

    def counted(path: Path) -> object:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(layout_cache, "read_regular", counted)
    store = BeadsStore(store_repo)
    assert [i.id for i in store.issues_mentioning("incident")] == [first]
    assert [i.id for i in store.query(label="incident")] == [first]
    assert store.get(first).title == "first"
    assert len(list(store.issues())) == 1
    assert len(reads) == 1  # one read answers every question while the file is that file
    line = (b'{"id":"x-out","title":"outside","status":"open","priority":1,"labels":["incident"],'
            b'"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}\n')
    with store.path.open("ab") as out:  # changed outside the tool
        out.write(line)
    assert sorted(i.id for i in store.query(label="incident")) == sorted([first, "x-out"])
    assert len(reads) == 2
    second = store.create("second").id  # a write lets the old bytes go; the next read is new
    assert {i.id for i in store.issues()} == {first, "x-out", second}
    assert len(reads) == 3  # the write itself used the bytes already read


class _CountingBytes(bytes):
    """Bytes that count the searches made in them."""

    searches = 0

    def find(self, *args: object) -> int:  # type: ignore[override]
        type(self).searches += 1
        return super().find(*args)  # type: ignore[arg-type]


def test_a_snapshot_searches_its_bytes_once_per_word(store_repo: Path) -> None:
    from incident_beads.beads.snapshot import parse_file
    from incident_beads.beads.store import BeadsStore

    store = BeadsStore(store_repo)
    wanted = {store.create(f"incident {n}", labels=["incident"]).id for n in range(3)}
    store.create("plain <task>")  # written with `\u003c`: a line any search must parse
    data = _CountingBytes(store.path.read_bytes())
    snapshot = parse_file(store.path, data)
    first = [i.id for _, i in snapshot.issue_lines_containing(b'"incident"')]
    searched = _CountingBytes.searches
    again = [i.id for _, i in snapshot.issue_lines_containing(b'"incident"')]
    assert first == again and wanted <= set(first) and len(first) == 4
    assert _CountingBytes.searches == searched  # the second time, no search of the bytes


FRONT_MATTER = """title: "Checkout: pool exhausted"
date: 2026-01-15
last_updated: 2026-01-16T10:00:00Z
tags: [checkout, 'db pool']
impact: &impact |
  EU users could not pay
  for 45 minutes
again: *impact
nested:
  severity: SEV-2
  services:
    - checkout
    - payments
count: 3
ratio: 0.5
flag: yes
empty:
"""


@pytest.mark.parametrize("text", [FRONT_MATTER, "a: [1, 2\n", "- just\n- a list\n", ""])
def test_front_matter_reads_the_same_with_or_without_libyaml(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from incident_beads.knowledge.frontmatter import FrontMatterError, parse_front_matter

    def read() -> object:
        try:
            return parse_front_matter(text.splitlines())
        except FrontMatterError as exc:
            return ("error", exc.line, exc.what.split(":")[0])

    fast = read()
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert read() == fast


def test_the_lines_a_word_was_found_on_are_carried_through_the_stores_own_write(
        store_repo: Path) -> None:
    from incident_beads.beads.snapshot import parse_file
    from incident_beads.beads.store import BeadsStore

    store = BeadsStore(store_repo)
    for n in range(6):
        store.create(f"incident {n}", labels=["incident"] if n % 2 else [])
    assert len(store.issues_mentioning("incident")) == 3  # searched: the lines remembered
    for n in range(6):  # new lines land before, between and after the ones found
        store.create(f"more {n}", labels=["incident"] if n % 3 == 0 else [])
    carried = store.snapshot()
    assert b'"incident"' in carried.searched()  # taken from the write, not searched again
    checked = parse_file(store.path, store.path.read_bytes())
    assert carried.searched()[b'"incident"'] == checked.lines_holding(b'"incident"')
    assert len(store.issues_mentioning("incident")) == 5
    with store.path.open("ab") as out:  # changed outside the tool: searched afresh
        out.write(b'{"id":"x-out","title":"t","status":"open","priority":1,'
                  b'"labels":["incident"],"created_at":"2026-01-01T00:00:00Z",'
                  b'"updated_at":"2026-01-01T00:00:00Z"}\n')
    assert "x-out" in {i.id for i in BeadsStore(store_repo).issues_mentioning("incident")}
    assert "x-out" in {i.id for i in store.issues_mentioning("incident")}
