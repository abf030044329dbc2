"""The layout a write produces, and the remembered layout a read trusts only once proven."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_beads.beads import BeadsStore, layout_cache
from incident_beads.beads import snapshot as snapshot_module
from incident_beads.beads.issue import Issue, encode_line
from incident_beads.beads.layout_cache import _layout_fits
from incident_beads.beads.placement import lay_out, place_after_neighbours
from incident_beads.beads.snapshot import Snapshot, parse_file
from incident_beads.beads.transaction import Changes
from incident_beads.errors import MalformedFile, NotFound

STAMP = '"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"'


def _line(issue_id: str) -> bytes:
    return f'{{"id":"{issue_id}", "title":"t","priority":1,{STAMP}}}\n'.encode()


def _naive_layout(lines: list[tuple[str | None, bytes]], changed: dict[str, bytes],
                  created: dict[str, bytes]) -> bytes:
    """The rule written the slow, obvious way: each line, then the new ids that follow it."""
    line_of = {issue_id: n for n, (issue_id, _) in enumerate(lines) if issue_id is not None}
    out: list[bytes] = []
    placed: dict[int, list[str]] = {}
    for new_id in sorted(created):
        smaller = [i for i in line_of if i < new_id]
        # after the greatest smaller id; else right before the smallest; else at the top
        line_no = (line_of[max(smaller)] if smaller
                   else line_of[min(line_of)] - 1 if line_of else -1)
        placed.setdefault(line_no, []).append(new_id)
    out += [created[i] for i in placed.get(-1, [])]
    for n, (issue_id, raw) in enumerate(lines):
        text = changed.get(issue_id, raw) if issue_id is not None else raw
        out.append(text if text.endswith(b"\n") else text + b"\n")
        out += [created[i] for i in placed.get(n, [])]
    return b"".join(out)


ids_st = st.lists(st.text("abcdef0123", min_size=1, max_size=3).map(lambda s: f"p-{s}"),
                  unique=True, max_size=12)


@settings(max_examples=150, deadline=None)
@given(ids_st, st.data())
def test_apply_equals_the_obvious_layout(existing: list[str], data: st.DataObject) -> None:
    lines: list[tuple[str | None, bytes]] = []
    for issue_id in existing:
        if data.draw(st.booleans()):
            lines.append((None, b'{"_type":"memory","k":1}\n' if data.draw(st.booleans())
                          else b"\n"))
        lines.append((issue_id, _line(issue_id)))
    raw = b"".join(text for _, text in lines)
    if raw and data.draw(st.booleans()):
        raw = raw[:-1]  # no newline at the end of the file
        lines[-1] = (lines[-1][0], lines[-1][1][:-1])
    snap = parse_file(Path("f.jsonl"), raw)
    changes = Changes.__new__(Changes)
    changes.changed, changes.created = {}, []
    for issue_id in data.draw(st.lists(st.sampled_from(existing), unique=True)) if existing else []:
        changes.changed[issue_id] = Issue({"id": issue_id, "title": "changed", "priority": 0})
    new_ids = data.draw(st.lists(st.text("abcdef0123", min_size=4, max_size=4)
                                 .map(lambda s: f"p-{s}"), unique=True, max_size=12))
    for new_id in new_ids:
        changes.changed[new_id] = Issue({"id": new_id, "title": "new", "priority": 2})
        changes.created.append(new_id)
    ids, ends, chunks = lay_out(snap, changes.changed, changes.created)
    written = b"".join(bytes(c) for c in chunks)
    expected = _naive_layout(
        lines, {i: encode_line(changes.changed[i].data) for i in changes.changed
                if i not in new_ids},
        {i: encode_line(changes.changed[i].data) for i in new_ids})
    assert written == expected
    again = parse_file(Path("f.jsonl"), written)
    assert (again.ids, again.ends) == (ids, ends)


def test_few_and_many_new_ids_are_placed_alike() -> None:
    ids = [None, "p-5", "p-1", None, "p-9", "p-3"]
    for new in (["p-0"], ["p-4", "p-95", "p-2"], [f"p-{n}x" for n in range(20)]):
        few = place_after_neighbours(ids, new)
        names = sorted((i, n) for n, i in enumerate(ids) if i)
        for line, placed in few.items():
            for new_id in placed:
                smaller = [n for i, n in names if i < new_id]
                assert line == (max(smaller, key=lambda n: ids[n] or "") if smaller
                                else names[0][1] - 1)


def test_the_remembered_layout_is_used_and_proven(store_repo: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store = BeadsStore(store_repo)
    made = [store.create(f"issue {n}").id for n in range(5)]
    monkeypatch.setattr(layout_cache, "parse_file", lambda *a: pytest.fail("parsed again"))
    assert [i.id for i in BeadsStore(store_repo).issues()] == sorted(made)
    monkeypatch.undo()
    cache = next((store_repo / ".git" / "incident-beads").iterdir())
    cache.write_text("garbage")
    assert [i.id for i in BeadsStore(store_repo).issues()] == sorted(made)  # re-checked


def test_a_layout_is_checked_once_per_process_for_a_stat(store_repo: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = BeadsStore(store_repo)
    made = store.create("first").id
    checked: list[int] = []
    check = layout_cache._checked

    def counting(layout: layout_cache._Layout, data: bytes) -> bool:
        checked.append(len(data))
        return check(layout, data)

    def read(store: BeadsStore) -> list[str]:
        store._read = None  # as a later call of a long-running process: the file read again
        return [issue.id for issue in store.issues()]

    monkeypatch.setattr(layout_cache, "_checked", counting)
    assert read(store) == read(store) == [made]  # the layout it saved for its own write
    assert checked == []
    other = BeadsStore(store_repo)  # another process: the remembered layout is checked once
    assert read(other) == read(other) == [made]
    assert len(checked) == 1
    other.update(made, notes="changed")  # its own write: trusted for the new stat
    assert read(other) == [made] and len(checked) == 1
    with open(store_repo / ".beads" / "issues.jsonl", "ab") as out:  # changed outside
        out.write(b"\n")
    assert read(other) == [made]
    assert len(checked) == 1  # a new stat: no layout is remembered, the file is parsed


def test_a_layout_that_does_not_fit_the_bytes_is_refused() -> None:
    data = _line("p-1") + b"\n" + _line("p-2")
    good = parse_file(Path("f"), data)
    assert _layout_fits(data, good.ends, good.ids)
    shifted = [good.ends[0] + 1, *good.ends[1:]]
    assert not _layout_fits(data, shifted, good.ids)
    assert not _layout_fits(data, good.ends[:-1], good.ids[:-1])
    assert not _layout_fits(data, [good.ends[0], good.ends[0], good.ends[2]], good.ids)
    assert not _layout_fits(data[:-1], good.ends, good.ids)
    assert _layout_fits(b"", [], [])
    swapped = Snapshot("f", data, ["p-2", None, "p-1"], good.ends)
    with pytest.raises(MalformedFile, match="expected issue p-1"):
        swapped.get("p-1")


def test_a_new_store_file_gets_the_usual_permissions(repo: Path) -> None:
    old = os.umask(0o022)
    try:
        (repo / ".beads").mkdir()
        BeadsStore(repo).create("first")
    finally:
        os.umask(old)
    path = repo / ".beads" / "issues.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    os.chmod(path, 0o600)
    BeadsStore(repo).create("second")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(json.loads(line)["title"] for line in path.read_bytes().splitlines()) == [
        "first", "second"]


def test_a_stale_layout_is_refused_where_it_is_used(tmp_path: Path) -> None:
    data = _line("p-1") + _line("p-2")
    cache = tmp_path / "store-cache.json"
    cache.write_text("remembered")
    bogus = Snapshot("f", data, ["p-1", "p-2"], [len(_line("p-1")) - 3, len(data)],
                     remembered_in=cache)
    with pytest.raises(MalformedFile, match="not the one remembered"):
        bogus.get("p-2")
    assert not cache.exists()  # forgotten, so the next command checks every line
    changes = Changes.__new__(Changes)
    changes.changed = {"p-2": Issue({"id": "p-2", "title": "t", "priority": 0})}
    changes.created = []
    with pytest.raises(MalformedFile, match="does not end where"):
        lay_out(bogus, changes.changed, changes.created)


def test_an_issue_just_written_is_read_back_without_a_second_read(
        store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BeadsStore(store_repo)
    made = store.create("first", labels=["incident"])
    store.update(made.id, title="renamed")
    monkeypatch.setattr(store, "snapshot", lambda: pytest.fail("read the store again"))
    again = store.get(made.id)
    assert again.data == BeadsStore(store_repo).get(made.id).data
    assert again.title == "renamed"
    again.data["title"] = "changed by the caller"
    assert store.get(made.id).title == "renamed"  # each read gets its own copy


def test_a_store_changed_outside_after_a_write_is_read_from_the_file(store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    made = store.create("first")
    path = store_repo / ".beads" / "issues.jsonl"
    line = json.loads(path.read_bytes())
    line["title"] = "other"  # same length: only the stat tells the files apart
    before = path.stat().st_mtime_ns
    path.write_bytes(encode_line(line))
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a coarse clock could miss the write
    assert store.get(made.id).title == "other"
    path.write_bytes(b"")
    with pytest.raises(NotFound, match=f"{made.id} is not in"):  # the journal still holds it
        store.get(made.id)


def test_a_label_query_parses_only_the_lines_that_can_hold_the_label(
        store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BeadsStore(store_repo)
    plain = [store.create(f"task {n}").id for n in range(6)]
    tagged = store.create("outage", labels=["incident"]).id
    store.create("an incident-like title", labels=["incidental"])
    store.issues()  # the layout is remembered
    parsed: list[int] = []
    real_parse = Snapshot._parse
    monkeypatch.setattr(Snapshot, "_parse",
                        lambda self, n: parsed.append(n) or real_parse(self, n))
    assert [i.id for i in BeadsStore(store_repo).query(label="incident")] == [tagged]
    assert len(parsed) == 1
    assert [row["id"] for row in BeadsStore(store_repo).summaries(label="incident")] == [tagged]
    assert len(BeadsStore(store_repo).query(status="open")) == len(plain) + 2


@pytest.mark.parametrize("spelling", ['"\\u0069ncident"', '"inciden\\u0074"'])
def test_a_label_written_with_escapes_outside_the_tool_is_still_found(
        store_repo: Path, spelling: str) -> None:
    store = BeadsStore(store_repo)
    store.create("first", labels=["incident"])
    store.issues()  # remembered layout, so the byte filter is what decides
    path = store_repo / ".beads" / "issues.jsonl"
    with path.open("ab") as out:
        out.write(f'{{"id":"x-esc","title":"t","status":"open","priority":1,'
                  f'"labels":[{spelling}],{STAMP}}}\n'.encode())
    BeadsStore(store_repo).issues()  # checked and remembered again with the new line
    found = [i.id for i in BeadsStore(store_repo).query(label="incident")]
    assert "x-esc" in found and len(found) == 2
    weird = BeadsStore(store_repo)
    weird.create("quoted", labels=['in"cident'])
    assert [i.title for i in weird.query(label='in"cident')] == ["quoted"]


@pytest.mark.parametrize("on_disk", [True, False])
def test_issues_mentioning_finds_every_issue_holding_the_word(tmp_path: Path,
                                                               on_disk: bool) -> None:
    if on_disk:
        (tmp_path / ".beads").mkdir()
    store = BeadsStore(tmp_path)
    labelled = store.create("a", labels=["incident"]).id
    in_metadata = store.create("b", metadata={"x": {"kind": "incident"}}).id
    store.create("c incident", description="an incident, in words")
    other = store.create("d").id
    assert sorted(i.id for i in store.issues_mentioning("incident")) == sorted(
        [labelled, in_metadata])
    assert [i.id for i in store.issues_mentioning(other)] == [other]
    assert [i.id for i in store.issues_mentioning("a/b", other)] == [other]
    with store.transaction() as tx:
        fresh = tx.create("e", labels=["incident"]).id
        tx.remove_label(labelled, "incident")
        seen = sorted(i.id for i in tx.issues_mentioning("incident"))
        assert seen == sorted([labelled, in_metadata, fresh])  # changed ones, as changed
        assert "incident" not in tx.get(labelled).labels


def _escaped_outside(store_repo: Path) -> BeadsStore:
    """A store whose file got, outside the tool, an incident label spelled with an escape."""
    store = BeadsStore(store_repo)
    store.create("first", labels=["incident"])
    path = store_repo / ".beads" / "issues.jsonl"
    with path.open("ab") as out:
        out.write(f'{{"id":"x-esc","title":"t","status":"open","priority":1,'
                  f'"labels":["\\u0069ncident"],{STAMP}}}\n'.encode())
    store.issues()  # checked in full and remembered, escapes included
    return store


def test_the_escaped_lines_are_remembered_and_carried_through_writes(store_repo: Path) -> None:
    store = _escaped_outside(store_repo)
    path = store.path
    for n in range(12):  # new lines land before and after the escaped one
        store.create(f"task <{n}>" if n % 3 == 0 else f"task {n}")  # `<` is written `\u003c`
    remembered = layout_cache.read_snapshot(path, layout_cache.SnapshotCache(path))
    assert remembered.remembered_in is not None  # the layout the writes left, trusted
    checked = parse_file(path, path.read_bytes())
    assert remembered.escaped == checked.escaped and len(checked.escaped or []) == 5
    found = [i.id for i in BeadsStore(store_repo).query(label="incident")]
    assert "x-esc" in found and len(found) == 2


def test_a_remembered_escape_list_that_does_not_fit_is_not_trusted(store_repo: Path) -> None:
    store = _escaped_outside(store_repo)
    cache = layout_cache.SnapshotCache(store.path)
    assert cache.file is not None
    head, _, packed = cache.file.read_bytes().partition(b"\n")
    header = json.loads(head)
    assert header["escaped"] == [1]
    header["escaped"] = []  # as if the escaped line had not been seen: same key, wrong list
    cache.file.write_bytes(json.dumps(header).encode() + b"\n" + packed)
    data = store.path.read_bytes()
    assert cache.load(store.path, data, os.stat(store.path)) is None
    found = [i.id for i in BeadsStore(store_repo).query(label="incident")]
    assert "x-esc" in found and len(found) == 2


@pytest.fixture
def words_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small stores remember searched words too (by default only big ones do)."""
    monkeypatch.setattr(layout_cache, "WORDS_FROM_LINES", 0)


def _labelled(store_repo: Path) -> BeadsStore:
    """A store with incidents among other issues, searched once for the incident label."""
    store = BeadsStore(store_repo)
    for n in range(30):
        store.create(f"task {n}", labels=["incident"] if n % 7 == 0 else [])
    assert len(store.query(label="incident")) == 5
    return store


def test_the_lines_holding_a_searched_label_are_remembered_for_the_next_command(
        store_repo: Path, words_kept: None) -> None:
    store = _labelled(store_repo)
    needle = b'"incident"'
    later = layout_cache.read_snapshot(store.path, layout_cache.SnapshotCache(store.path))
    checked = parse_file(store.path, store.path.read_bytes())
    assert later.lines_holding(needle) == checked.lines_holding(needle)
    assert not later.unsaved  # proven, not searched for again
    # a write carries the remembered lines through to the file it writes
    store.create("late", labels=["incident"])
    after = layout_cache.read_snapshot(store.path, layout_cache.SnapshotCache(store.path))
    assert after.lines_holding(needle) == parse_file(
        store.path, store.path.read_bytes()).lines_holding(needle)
    assert not after.unsaved
    assert len(BeadsStore(store_repo).query(label="incident")) == 6


def test_remembered_lines_of_a_word_that_do_not_fit_are_searched_again(
        store_repo: Path, words_kept: None) -> None:
    store = _labelled(store_repo)
    cache = layout_cache.SnapshotCache(store.path)
    assert cache.file is not None
    head, _, packed = cache.file.read_bytes().partition(b"\n")
    header = json.loads(head)
    assert header["words"] == [['"incident"', 5]]
    # same key, one line of the five left out (the packed lines: the last 8 bytes dropped)
    header["words"] = [['"incident"', 4]]
    cache.file.write_bytes(json.dumps(header).encode() + b"\n" + packed[:-8])
    remembered = cache.load(store.path, store.path.read_bytes(), os.stat(store.path))
    assert remembered is not None and b'"incident"' not in remembered.searched()
    assert len(BeadsStore(store_repo).query(label="incident")) == 5


def test_a_label_added_outside_the_tool_is_found_despite_remembered_lines(
        store_repo: Path, words_kept: None) -> None:
    _labelled(store_repo)
    path = store_repo / ".beads" / "issues.jsonl"
    with path.open("ab") as out:
        out.write(f'{{"id":"x-out","title":"t","status":"open","priority":1,'
                  f'"labels":["incident"],{STAMP}}}\n'.encode())
    found = [i.id for i in BeadsStore(store_repo).query(label="incident")]
    assert "x-out" in found and len(found) == 6


def test_a_store_trusts_the_layout_it_wrote_without_reading_it_back(
        store_repo: Path, words_kept: None) -> None:
    store = _labelled(store_repo)
    store.create("one more")
    cache_file = layout_cache.SnapshotCache(store.path).file
    assert cache_file is not None
    cache_file.unlink()  # the layout is still in this process: no file needed, no full check
    again = store.snapshot()
    assert again.remembered_in is not None and b'"incident"' in again.searched()
    with store.path.open("ab") as out:  # another file now: the kept layout is not trusted
        out.write(_line("x-late"))
    assert store.snapshot().remembered_in is None
    assert "x-late" in [i.id for i in store.issues()]


def test_an_id_holding_a_newline_is_never_packed_into_the_layout(store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    store.create("first")
    with store.path.open("ab") as out:
        out.write(f'{{"id":"x-a\\nb","title":"t","priority":1,{STAMP}}}\n'.encode())
    cache = layout_cache.SnapshotCache(store.path)
    assert cache.file is not None
    cache.file.unlink(missing_ok=True)
    assert "x-a\nb" in [i.id for i in BeadsStore(store_repo).issues()]
    assert not cache.file.exists()


def test_a_layout_keeps_the_most_recently_searched_words_only(store_repo: Path,
                                                            words_kept: None) -> None:
    store = _labelled(store_repo)
    ids = [i.id for i in store.issues()]
    for issue_id in ids[:10]:  # ids searched once each
        store.issues_mentioning(issue_id)
    kept = layout_cache.read_snapshot(store.path, layout_cache.SnapshotCache(store.path))
    words = list(kept.unchecked())
    assert words == [f'"{issue_id}"'.encode() for issue_id in ids[2:10]]
    later = BeadsStore(store_repo)  # the next command searches the label again: kept, last
    assert len(later.query(label="incident")) == 5
    kept = layout_cache.read_snapshot(store.path, layout_cache.SnapshotCache(store.path))
    assert len(kept.unchecked()) == layout_cache.WORDS_KEPT
    assert list(kept.unchecked())[-1] == b'"incident"'


def test_a_small_store_searches_its_bytes_instead_of_remembering_words(store_repo: Path) -> None:
    store = _labelled(store_repo)
    cache = layout_cache.SnapshotCache(store.path)
    assert cache.file is not None
    assert json.loads(cache.file.read_bytes().partition(b"\n")[0])["words"] == []
    assert len(BeadsStore(store_repo).query(label="incident")) == 5


def test_a_search_after_a_write_is_answered_from_the_lines_it_kept(
        store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BeadsStore(store_repo)
    with store.transaction() as tx:  # the kept lines weigh at most a 16th of the file
        for n in range(200):
            tx.create(f"task {n}", labels=["incident"] if n % 50 == 0 else [])
        tx.create("with an escape \u00e9 \u2028", labels=["other"])
    path = store_repo / ".beads" / "issues.jsonl"
    with path.open("ab") as out:  # an escaped spelling of the label, as another tool writes
        out.write(f'{{"id":"x-esc","title":"t","status":"open","priority":1,'
                  f'"labels":["\\u0069ncident"],{STAMP}}}\n'.encode())
    # searched (escaped lines are candidates too): the next write keeps these lines
    assert len(store.issues_mentioning("incident")) == 6
    store.create("late", labels=["incident"])
    monkeypatch.setattr(store, "snapshot", lambda: pytest.fail("read the store again"))
    found = store.issues_mentioning("incident")
    fresh = BeadsStore(store_repo).issues_mentioning("incident")
    assert [i.data for i in found] == [i.data for i in fresh]
    assert "x-esc" in {i.id for i in found} and len(found) == 7
    assert store._wrote is not None and store._wrote.kept is not None


def test_kept_lines_are_not_used_once_the_file_changed(
        store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    with store.transaction() as tx:
        tx.create("first", labels=["incident"])
        for n in range(40):
            tx.create(f"task {n}")
    store.issues_mentioning("incident")
    store.create("second", labels=["incident"])
    assert store._wrote is not None and store._wrote.kept is not None
    path = store_repo / ".beads" / "issues.jsonl"
    old = path.read_bytes()
    # same length: only the stat tells the files apart
    path.write_bytes(old.replace(b'"title":"first"', b'"title":"other"'))
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before + 10**9, before + 10**9))
    assert {i.title for i in store.issues_mentioning("incident")} == {"other", "second"}


def test_lines_heavier_than_their_share_of_the_file_are_not_kept(store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    for n in range(4):
        store.create(f"task {n}", labels=["incident"])
    store.issues_mentioning("incident")
    store.create("late", labels=["incident"])  # every line holds the word: too many to keep
    assert store._wrote is not None and store._wrote.kept is None
    assert len(store.issues_mentioning("incident")) == 5


def test_a_remembered_word_is_checked_when_a_command_searches_for_it_or_writes(
        store_repo: Path, words_kept: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _labelled(store_repo)  # the lines holding "incident" are remembered with the layout
    needle = b'"incident"'
    checked: list[bytes] = []
    real = snapshot_module.lines_fit
    monkeypatch.setattr(snapshot_module, "lines_fit",
                        lambda data, ends, lines, word: checked.append(word)
                        or real(data, ends, lines, word))
    reader = BeadsStore(store_repo)
    assert len(reader.query(status="open")) == 30 and reader.get(reader.query()[0].id)
    assert checked == []  # a command that does not search for the word does not check it
    writer = BeadsStore(store_repo)
    writer.create("late", labels=["incident"])
    assert checked == [needle]  # proven before the write, while its bytes are at hand
    assert writer._wrote is not None and needle in writer._wrote.searched
    assert len(writer.query(label="incident")) == 6  # from the lines the write kept
    assert len(BeadsStore(store_repo).query(label="incident")) == 6
    assert checked == [needle, needle]  # the next command checks it on its first search
