"""The merge driver's rules, one issue at a time."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from incident_beads.beads.import_rules import import_violations
from incident_beads.beads.issue import encode_line
from incident_beads.errors import MalformedFile
from incident_beads.mergedriver import merge_files

T0, T1, T2, T3 = ("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z",
                  "2026-03-01T13:00:00Z")


def issue(issue_id: str = "inc-a1", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": issue_id, "title": "[SEV-2] Checkout fails", "status": "open",
                            "priority": 1, "issue_type": "bug", "created_at": T0,
                            "updated_at": T0}
    data.update(fields)
    return data


def changed(data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    result = json.loads(json.dumps(data))
    for key, value in fields.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def jsonl(*issues: dict[str, Any]) -> bytes:
    return b"".join(encode_line(i) for i in issues)


def merged(base: dict[str, Any] | None, ours: dict[str, Any],
           theirs: dict[str, Any]) -> dict[str, Any]:
    result = merge_files(jsonl(base) if base else b"", jsonl(ours), jsonl(theirs))
    assert result.clean, result.conflicts
    (line,) = result.data.splitlines()
    data: dict[str, Any] = json.loads(line)
    assert import_violations(data) == []
    return data


def test_a_field_changed_on_one_side_takes_that_change() -> None:
    base = issue()
    ours = changed(base, title="[SEV-1] Checkout down", updated_at=T1)
    theirs = changed(base, assignee="bob", updated_at=T2)
    result = merged(base, ours, theirs)
    assert result["title"] == "[SEV-1] Checkout down"
    assert result["assignee"] == "bob"


def test_a_field_both_changed_takes_the_later_updated_at() -> None:
    base = issue()
    ours = changed(base, description="ours", updated_at=T2)
    theirs = changed(base, description="theirs", updated_at=T1)
    assert merged(base, ours, theirs)["description"] == "ours"
    assert merged(base, changed(ours, updated_at=T1), changed(theirs, updated_at=T2))[
        "description"] == "theirs"


def test_a_tie_in_updated_at_goes_to_ours() -> None:
    base = issue()
    ours = changed(base, priority=0, updated_at=T1)
    theirs = changed(base, priority=3, updated_at=T1)
    assert merged(base, ours, theirs)["priority"] == 0
    assert merged(base, theirs, ours)["priority"] == 3


def test_updated_at_of_a_merged_issue_is_the_later_one() -> None:
    base = issue()
    ours = changed(base, title="ours title", updated_at=T1)
    theirs = changed(base, notes="theirs notes", updated_at="2026-03-01T12:30:00.5+00:00")
    assert merged(base, ours, theirs)["updated_at"] == "2026-03-01T12:30:00.5+00:00"


def test_a_field_removed_on_one_side_is_removed() -> None:
    base = issue(assignee="ann")
    ours = changed(base, assignee=None, updated_at=T1)
    theirs = changed(base, title="new title", updated_at=T2)
    result = merged(base, ours, theirs)
    assert "assignee" not in result
    assert result["title"] == "new title"


def test_a_close_after_the_reopen_wins() -> None:
    base = issue(status="closed", closed_at=T0, close_reason="fixed")
    reopened = changed(base, status="open", closed_at=None, close_reason=None, updated_at=T1)
    reclosed = changed(base, close_reason="fixed again", closed_at=T2, updated_at=T2)
    result = merged(base, reopened, reclosed)
    assert (result["status"], result["closed_at"], result["close_reason"]) == (
        "closed", T2, "fixed again")


def test_a_reopen_after_the_close_wins_and_drops_closed_at() -> None:
    base = issue()
    closed = changed(base, status="closed", closed_at=T1, close_reason="fixed", updated_at=T1)
    in_progress = changed(base, status="in_progress", updated_at=T2)
    result = merged(base, closed, in_progress)
    assert result["status"] == "in_progress"
    assert "closed_at" not in result and "close_reason" not in result
    assert merged(base, in_progress, closed)["status"] == "in_progress"


def test_a_close_is_timed_by_closed_at_not_by_later_edits() -> None:
    base = issue()
    # Closed at T1, commented on at T3; the other side moved it to in_progress at T2.
    closed = changed(base, status="closed", closed_at=T1, close_reason="done", updated_at=T3)
    other = changed(base, status="in_progress", updated_at=T2)
    assert merged(base, closed, other)["status"] == "in_progress"


def test_a_close_wins_a_tie_with_a_status_change() -> None:
    base = issue()
    closed = changed(base, status="closed", closed_at=T1, close_reason="done", updated_at=T1)
    blocked = changed(base, status="blocked", updated_at=T1)
    assert merged(base, blocked, closed)["status"] == "closed"


def test_labels_merge_as_sets() -> None:
    base = issue(labels=["incident", "sev-2", "db"])
    ours = changed(base, labels=["incident", "sev-2", "db", "payments"], updated_at=T1)
    theirs = changed(base, labels=["incident", "sev-2", "api"], updated_at=T2)  # db removed
    assert merged(base, ours, theirs)["labels"] == ["incident", "sev-2", "payments", "api"]


def test_a_label_added_on_both_sides_is_kept_once() -> None:
    base = issue(labels=["incident"])
    ours = changed(base, labels=["incident", "hotfix"], updated_at=T1)
    theirs = changed(base, labels=["hotfix", "incident"], updated_at=T2)
    assert merged(base, ours, theirs)["labels"] == ["incident", "hotfix"]


def edge(target: str, dep_type: str = "blocks", at: str = T0) -> dict[str, Any]:
    return {"issue_id": "inc-a1", "depends_on_id": target, "type": dep_type, "created_at": at}


def test_dependencies_merge_by_target_and_type() -> None:
    base = issue(dependencies=[edge("inc-b1"), edge("inc-c1", "related")])
    ours = changed(base, dependencies=[edge("inc-b1"), edge("inc-c1", "related"),
                                       edge("inc-d1", "parent-child", T1)], updated_at=T1)
    theirs = changed(base, dependencies=[edge("inc-c1", "related"),
                                         edge("inc-e1", "discovered-from", T2)], updated_at=T2)
    result = merged(base, ours, theirs)
    assert [(d["depends_on_id"], d["type"]) for d in result["dependencies"]] == [
        ("inc-c1", "related"), ("inc-d1", "parent-child"), ("inc-e1", "discovered-from")]


def comment(text: str, at: str, author: str = "ann", cid: str = "") -> dict[str, Any]:
    return {"id": cid or f"c-{text}", "issue_id": "inc-a1", "author": author, "text": text,
            "created_at": at}


def test_comments_from_both_sides_are_kept_in_time_order() -> None:
    base = issue(comments=[comment("declared", T0)])
    ours = changed(base, comments=[comment("declared", T0), comment("rollback failed", T2)],
                   updated_at=T2)
    theirs = changed(base, comments=[comment("declared", T0), comment("paging db", T1, "bob")],
                     updated_at=T1)
    texts = [c["text"] for c in merged(base, ours, theirs)["comments"]]
    assert texts == ["declared", "paging db", "rollback failed"]


def test_comments_are_deduplicated_by_author_time_and_text() -> None:
    base = issue()
    ours = changed(base, comments=[comment("same", T1, cid="id-1")], updated_at=T1)
    theirs = changed(base, comments=[comment("same", T1, cid="id-2")], updated_at=T2)
    result = merged(base, ours, theirs)
    assert [c["id"] for c in result["comments"]] == ["id-2"]  # one copy: the later side's


def test_metadata_merges_per_key_and_keeps_other_tools_keys() -> None:
    base = issue(metadata={"other_tool": {"x": 1}, "incident_beads": {"phase": "assess"}})
    ours = changed(base, metadata={"other_tool": {"x": 1}, "team": "payments",
                                   "incident_beads": {"phase": "mitigate"}}, updated_at=T1)
    theirs = changed(base, metadata={"other_tool": {"x": 2},
                                     "incident_beads": {"phase": "assess", "severity": "SEV-1"}},
                     updated_at=T2)
    assert merged(base, ours, theirs)["metadata"] == {
        "other_tool": {"x": 2}, "team": "payments",
        "incident_beads": {"phase": "mitigate", "severity": "SEV-1"}}


def test_incident_lists_in_metadata_append_from_both_sides() -> None:
    first = {"at": T0, "status": "Investigating"}
    base = issue(metadata={"incident_beads": {"updates": [first], "mitigations": []}})
    ours = changed(base, metadata={"incident_beads": {
        "updates": [first, {"at": T2, "status": "Mitigating"}],
        "mitigations": [{"id": "m1", "kind": "rollback", "outcome": "failed"}]}}, updated_at=T2)
    theirs = changed(base, metadata={"incident_beads": {
        "updates": [first, {"at": T1, "status": "Identified"}],
        "mitigations": [{"id": "m2", "kind": "feature-flag", "outcome": "pending"}]}},
        updated_at=T1)
    state = merged(base, ours, theirs)["metadata"]["incident_beads"]
    # Both sides added updates: the merged list reads in time order.
    assert [u["status"] for u in state["updates"]] == ["Investigating", "Identified",
                                                       "Mitigating"]
    assert [m["id"] for m in state["mitigations"]] == ["m1", "m2"]


def test_lists_without_readable_times_keep_ours_order_then_theirs() -> None:
    base = issue(metadata={"incident_beads": {"recurrence_of": ["inc-0"]}})
    ours = changed(base, metadata={"incident_beads": {"recurrence_of": ["inc-0", "inc-9"]}},
                   updated_at=T1)
    theirs = changed(base, metadata={"incident_beads": {"recurrence_of": ["inc-0", "inc-3"]}},
                     updated_at=T2)
    assert merged(base, ours, theirs)["metadata"]["incident_beads"]["recurrence_of"] == [
        "inc-0", "inc-9", "inc-3"]


def test_a_list_item_changed_on_one_side_is_matched_by_its_id() -> None:
    base = issue(metadata={"incident_beads": {"mitigations": [{"id": "m1", "outcome": "tried"}]}})
    ours = changed(base, title="changed title", updated_at=T1)
    theirs = changed(base, metadata={"incident_beads": {
        "mitigations": [{"id": "m1", "outcome": "worked"}]}}, updated_at=T2)
    result = merged(base, ours, theirs)
    assert result["metadata"]["incident_beads"]["mitigations"] == [{"id": "m1",
                                                                    "outcome": "worked"}]


def test_metadata_kept_as_json_text_when_ours_wrote_text() -> None:
    base = issue(metadata=json.dumps({"a": 1}))
    ours = changed(base, metadata=json.dumps({"a": 1, "b": 2}), updated_at=T1)
    theirs = changed(base, metadata=json.dumps({"a": 1, "c": 3}), updated_at=T2)
    assert json.loads(merged(base, ours, theirs)["metadata"]) == {"a": 1, "b": 2, "c": 3}


def test_unknown_keys_are_kept_and_merged() -> None:
    base = issue(agent_state="idle")
    ours = changed(base, agent_state="busy", updated_at=T1)
    theirs = changed(base, hook_bead="x-1", updated_at=T2)
    result = merged(base, ours, theirs)
    assert (result["agent_state"], result["hook_bead"]) == ("busy", "x-1")


def test_both_sides_adding_the_same_issue_merge_it() -> None:
    ours = issue(labels=["incident"], updated_at=T1)
    theirs = issue(labels=["incident", "sev-2"], updated_at=T2)
    assert merged(None, ours, theirs)["labels"] == ["incident", "sev-2"]


def test_two_different_issues_with_one_hash_id_are_a_conflict() -> None:
    ours = issue("inc-a1", title="incident A", created_at=T1, updated_at=T1)
    theirs = issue("inc-a1", title="incident B", created_at=T2, updated_at=T2)
    result = merge_files(b"", jsonl(ours), jsonl(theirs))
    assert not result.clean
    assert result.conflicts[0].issue_id == "inc-a1"
    assert "both sides added" in result.conflicts[0].reason
    # Both versions stay in the file, between git's markers: nothing is dropped.
    assert result.data == (b"<<<<<<< ours\n" + jsonl(ours) + b"=======\n" + jsonl(theirs)
                           + b">>>>>>> theirs\n")


def test_theirs_child_with_a_taken_number_moves_to_a_free_one() -> None:
    parent = issue("inc-a1", metadata={"incident_beads": {"phase": "mitigate"}})
    ours_child = issue("inc-a1.1", title="post-mortem", created_at=T1, updated_at=T1,
                       dependencies=[{"issue_id": "inc-a1.1", "depends_on_id": "inc-a1",
                                      "type": "parent-child", "created_at": T1}])
    theirs_child = issue("inc-a1.1", title="hotfix", created_at=T2, updated_at=T2,
                         comments=[comment("started", T2)],
                         dependencies=[{"issue_id": "inc-a1.1", "depends_on_id": "inc-a1",
                                        "type": "parent-child", "created_at": T2}])
    theirs_child["comments"][0]["issue_id"] = "inc-a1.1"
    follow_up = issue("inc-f9", title="add tests", created_at=T2, updated_at=T2,
                      dependencies=[{"issue_id": "inc-f9", "depends_on_id": "inc-a1.1",
                                     "type": "discovered-from", "created_at": T2}])
    taken = issue("inc-a1.2", title="ours second child", created_at=T1, updated_at=T1)
    theirs_parent = changed(parent, metadata={"incident_beads": {
        "phase": "hotfix", "hotfix_id": "inc-a1.1"}}, updated_at=T2)
    memory = b'{"_type":"memory","key":"note","value":"inc-a1.1"}\n'
    result = merge_files(jsonl(parent), jsonl(parent, ours_child, taken),
                         jsonl(theirs_parent, theirs_child, follow_up) + memory)
    assert result.clean and result.renamed == (("inc-a1.1", "inc-a1.3"),)
    assert result.data.endswith(memory)  # other records are kept as written
    by_id = {d["id"]: d for d in map(json.loads, result.data.splitlines()) if "id" in d}
    assert set(by_id) == {"inc-a1", "inc-a1.1", "inc-a1.2", "inc-a1.3", "inc-f9"}
    assert by_id["inc-a1.1"]["title"] == "post-mortem"
    moved = by_id["inc-a1.3"]
    assert moved["title"] == "hotfix"
    assert moved["dependencies"][0]["issue_id"] == "inc-a1.3"
    assert moved["comments"][0]["issue_id"] == "inc-a1.3"
    assert by_id["inc-f9"]["dependencies"][0]["depends_on_id"] == "inc-a1.3"
    assert by_id["inc-a1"]["metadata"]["incident_beads"]["hotfix_id"] == "inc-a1.3"


def test_a_child_too_deep_to_renumber_is_a_conflict() -> None:
    ours = issue("inc-a1.1.1.1.1", title="ours", created_at=T1, updated_at=T1)
    theirs = issue("inc-a1.1.1.1.1", title="theirs", created_at=T2, updated_at=T2)
    result = merge_files(b"", jsonl(ours), jsonl(theirs))
    assert [c.issue_id for c in result.conflicts] == ["inc-a1.1.1.1.1"]
    assert result.renamed == ()


def test_the_same_child_added_on_both_sides_is_not_renumbered() -> None:
    child = issue("inc-a1.1", created_at=T1, updated_at=T1)
    result = merge_files(b"", jsonl(child), jsonl(changed(child, notes="x", updated_at=T2)))
    assert result.clean and result.renamed == ()
    assert json.loads(result.data)["notes"] == "x"


def test_an_unreadable_updated_at_with_both_sides_changed_is_a_conflict() -> None:
    base = issue()
    ours = changed(base, title="ours", updated_at="yesterday")
    theirs = changed(base, title="theirs", updated_at=T1)
    result = merge_files(jsonl(base), jsonl(ours), jsonl(theirs))
    assert [c.issue_id for c in result.conflicts] == ["inc-a1"]
    assert "`title` changed on both sides" in result.conflicts[0].reason


def test_a_malformed_line_is_refused_with_side_file_and_line() -> None:
    good = jsonl(issue())
    with pytest.raises(MalformedFile) as caught:
        merge_files(good, good, good + b'{"id": "inc-b2", "title": \n')
    assert caught.value.path == "theirs:.beads/issues.jsonl"
    assert caught.value.line == 2
    with pytest.raises(MalformedFile, match=re.escape("base:.beads/issues.jsonl:1:")):
        merge_files(b"not json\n", good, good)
