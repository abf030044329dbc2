"""The merge driver on whole files: line order, bytes kept, foreign lines, properties."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from incident_beads.beads.ids import child_id
from incident_beads.beads.import_rules import import_violations
from incident_beads.beads.issue import encode_line, format_ts
from incident_beads.beads.snapshot import parse_file
from incident_beads.mergedriver import merge_files
from tests.test_merge_rules import T1, changed, issue, jsonl

CORPUS = Path(__file__).resolve().parent / "corpus"


def ids_of(data: bytes) -> list[str]:
    return [i for i in parse_file(Path("merged"), data).ids if i is not None]


def test_a_side_that_changed_nothing_gives_the_other_side_byte_for_byte() -> None:
    base = (CORPUS / "beads-1x-export.jsonl").read_bytes()
    lines = base.splitlines(keepends=True)
    record = json.loads(lines[10])
    record["title"] = "retitled on our branch"
    ours = b"".join([*lines[:10], encode_line(record), *lines[11:]])
    assert merge_files(base, ours, base).data == ours
    assert merge_files(base, base, ours).data == ours


def test_unchanged_lines_keep_their_bytes_and_a_merged_line_is_bd_encoded() -> None:
    base = (CORPUS / "bd-sqlite-era-small.jsonl").read_bytes()
    lines = base.splitlines(keepends=True)
    first = json.loads(lines[0])
    ours_line = encode_line(changed(first, title="ours title",
                                    updated_at="2030-01-01T00:00:00Z"))
    theirs_line = encode_line(changed(first, notes="theirs notes",
                                      updated_at="2030-01-02T00:00:00Z"))
    result = merge_files(base, ours_line + b"".join(lines[1:]),
                         theirs_line + b"".join(lines[1:]))
    out = result.data.splitlines(keepends=True)
    assert out[1:] == lines[1:]  # SQLite-era timestamps and spacing untouched
    expected = changed(first, title="ours title", notes="theirs notes",
                       updated_at="2030-01-02T00:00:00Z")
    assert out[0] == encode_line(expected)


def test_lines_keep_ours_order_and_theirs_new_issues_go_after_their_id_neighbour() -> None:
    base = jsonl(issue("inc-m"), issue("inc-c"), issue("inc-x"))
    ours = jsonl(issue("inc-x"), issue("inc-m"), issue("inc-c"), issue("inc-n"))
    theirs = base + jsonl(issue("inc-d"), issue("inc-a"), issue("inc-z"))
    assert ids_of(merge_files(base, ours, theirs).data) == [
        "inc-x", "inc-z", "inc-m", "inc-a", "inc-c", "inc-d", "inc-n"]


def test_an_issue_deleted_on_one_side_is_kept() -> None:
    base = jsonl(issue("inc-a"), issue("inc-b"))
    ours = jsonl(issue("inc-a"))
    theirs = jsonl(issue("inc-a"), changed(issue("inc-b"), title="still here", updated_at=T1))
    assert ids_of(merge_files(base, ours, theirs).data) == ["inc-a", "inc-b"]
    assert ids_of(merge_files(base, theirs, ours).data) == ["inc-a", "inc-b"]


def test_foreign_records_merge_by_content() -> None:
    memory = b'{"_type":"memory","key":"deploys","value":"friday freeze"}\n'
    kept = b'{"_type":"memory","key":"oncall","value":"ann"}\n'
    added = b'{"_type":"memory","key":"new","value":"theirs"}\n'
    base = jsonl(issue("inc-a")) + memory + kept
    ours = jsonl(issue("inc-a")) + memory + kept + b"\n"
    theirs = jsonl(issue("inc-a")) + kept + added  # theirs removed one record, added one
    assert merge_files(base, ours, theirs).data == jsonl(issue("inc-a")) + kept + b"\n" + added


def test_a_missing_final_newline_is_added() -> None:
    base = jsonl(issue("inc-a"))
    ours = base.rstrip(b"\n")
    assert merge_files(base, ours, base + jsonl(issue("inc-b"))).data == base + jsonl(
        issue("inc-b"))


# properties ---------------------------------------------------------------------------------
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LABELS = ["incident", "sev-1", "sev-2", "db", "api"]


def apply(version: dict[str, dict[str, Any]], op: tuple[str, int, int], side: str,
          clock: list[datetime]) -> None:
    kind, pick, value = op
    clock[0] += timedelta(minutes=1 + value % 7)
    now = format_ts(clock[0])
    if kind == "add" or not version:
        new_id = f"inc-{side}{len(version)}x{pick}"
        if new_id not in version:
            version[new_id] = issue(new_id, created_at=now, updated_at=now)
        return
    issue_id = sorted(version)[pick % len(version)]
    data = version[issue_id]
    if kind == "child":  # counters: both sides may take the same `<parent>.<n>`
        if issue_id.count(".") >= 3:
            return  # bd allows three levels
        new_id = child_id(issue_id, set(version))
        version[new_id] = issue(new_id, title=f"{side} child", created_at=now, updated_at=now)
        return
    if kind == "delete":
        del version[issue_id]
        return
    if kind == "title":
        data["title"] = f"{side} title {value}"
    elif kind == "close":  # on a closed issue: reopened and closed again
        data.update(status="closed", closed_at=now, close_reason=f"{side} fixed {value}")
    elif kind == "reopen" and data.get("status") == "closed":
        data["status"] = "in_progress" if value % 2 else "open"
        data.pop("closed_at", None)
        data.pop("close_reason", None)
    elif kind == "label":
        labels = data.setdefault("labels", [])
        label = LABELS[value % len(LABELS)]
        labels.remove(label) if label in labels else labels.append(label)
    elif kind == "comment":
        data.setdefault("comments", []).append(
            {"id": f"{side}{value}", "issue_id": issue_id, "author": side,
             "text": f"note {value}", "created_at": now})
    elif kind == "metadata":
        state = data.setdefault("metadata", {}).setdefault("incident_beads", {})
        state.setdefault("updates", []).append({"at": now, "by": side})
        state["phase"] = f"{side}-{value % 3}"
    data["updated_at"] = now


OPS = st.lists(st.tuples(
    st.sampled_from(["add", "child", "delete", "title", "close", "reopen", "label", "comment",
                     "metadata"]),
    st.integers(0, 3), st.integers(0, 50)), max_size=12)


def side_from(base: dict[str, dict[str, Any]], ops: list[tuple[str, int, int]],
              side: str) -> bytes:
    version = json.loads(json.dumps(base))
    clock = [START]
    for op in ops:
        apply(version, op, side, clock)
    return jsonl(*version.values())


@settings(max_examples=80, deadline=None)
@given(base_ops=OPS, ours_ops=OPS, theirs_ops=OPS)
def test_merging_never_drops_an_issue_and_passes_the_import_rules(
        base_ops: list[tuple[str, int, int]], ours_ops: list[tuple[str, int, int]],
        theirs_ops: list[tuple[str, int, int]]) -> None:
    base_version: dict[str, dict[str, Any]] = {}
    clock = [START - timedelta(days=1)]
    for op in base_ops:
        apply(base_version, op, "b", clock)
    base = jsonl(*base_version.values())
    ours = side_from(base_version, ours_ops, "o")
    theirs = side_from(base_version, theirs_ops, "t")
    result = merge_files(base, ours, theirs)
    assert result.clean, result.conflicts
    merged_ids = ids_of(result.data)
    both = set(ids_of(ours)) | set(ids_of(theirs))
    assert set(merged_ids) >= both
    assert len(merged_ids) == len(both) + len(result.renamed)  # renumbered children included
    for line in result.data.splitlines():
        assert import_violations(json.loads(line)) == []
    assert merge_files(base, ours, theirs) == result  # deterministic
