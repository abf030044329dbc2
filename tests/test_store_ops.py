"""Operations of the beads store: every rule has a test that fails without it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_beads.beads import BeadsStore, validate
from incident_beads.beads.issue import parse_ts
from incident_beads.clock import ReplayClock
from incident_beads.config import BeadsConfig
from incident_beads.errors import InvalidInput, NotFound, Refused

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _store(root: Path, **kwargs: object) -> BeadsStore:
    # A clock that stands still: changes in the same second are the hard case.
    return BeadsStore(root, clock=ReplayClock(T0), **kwargs)  # type: ignore[arg-type]


def _file_lines(store: BeadsStore) -> list[dict[str, object]]:
    return [json.loads(line) for line in store.path.read_bytes().splitlines()]


def test_create_writes_one_valid_line_and_get_reads_it(store_repo: Path) -> None:
    store = _store(store_repo)
    issue = store.create("API down", issue_type="bug", priority=0, labels=["incident", "incident"],
                         description="5xx everywhere", created_by="ada")
    assert store.get(issue.id) == issue
    assert issue.labels == ["incident"]
    assert issue.created_at == issue.updated_at == "2026-03-01T09:30:00Z"
    assert _file_lines(store) == [issue.data]
    assert validate(store.path) == []


def test_get_unknown_id_is_not_found(store_repo: Path) -> None:
    with pytest.raises(NotFound, match="no issue 'x-1'"):
        _store(store_repo).get("x-1")


def test_every_change_moves_updated_at_forward_within_one_second(store_repo: Path) -> None:
    store = _store(store_repo)
    issue = store.create("Slow queries")
    stamps = [issue.updated_at]
    for n in range(3):
        stamps.append(store.update(issue.id, notes=f"step {n}").updated_at)
    stamps.append(store.close(issue.id, "fixed").updated_at)
    stamps.append(store.reopen(issue.id).updated_at)
    moments = [parse_ts(s) for s in stamps]
    assert moments == sorted(set(moments))  # strictly increasing although the clock stood still


def test_close_sets_closed_at_and_reopen_removes_it(store_repo: Path) -> None:
    store = _store(store_repo)
    issue = store.create("Cache stampede")
    closed = store.close(issue.id, "mitigated")
    assert closed.status == "closed" and closed.closed_at and closed.close_reason == "mitigated"
    with pytest.raises(Refused, match="already closed"):
        store.close(issue.id, "again")
    with pytest.raises(Refused, match="is closed"):
        store.update(issue.id, status="open")
    reopened = store.reopen(issue.id)
    assert reopened.status == "open"
    assert "closed_at" not in reopened.data and "close_reason" not in reopened.data
    with pytest.raises(Refused, match="not closed"):
        store.reopen(issue.id)
    assert validate(store.path) == []


def test_update_refuses_what_bd_would_refuse_and_writes_nothing(store_repo: Path) -> None:
    store = _store(store_repo)
    issue = store.create("Queue backlog")
    before = store.path.read_bytes()
    bad: list[dict[str, object]] = [
        {"status": "closed"}, {"status": "done"}, {"priority": 7}, {"priority": "1"},
        {"issue_type": "incident"}, {"title": ""}, {"title": "x" * 501}, {"title": "a\nb"},
        {"description": 42}, {"due_at": "tomorrow"}, {"closed_by": "me"},
    ]
    for fields in bad:
        with pytest.raises(InvalidInput):
            store.update(issue.id, **fields)
    assert store.path.read_bytes() == before


def test_update_with_none_removes_an_optional_field(store_repo: Path) -> None:
    store = _store(store_repo)
    issue = store.create("Noisy alert", assignee="ada")
    assert store.update(issue.id, assignee=None).data.get("assignee") is None
    assert "assignee" not in _file_lines(store)[0]


def test_labels_are_kept_once_and_removed(store_repo: Path) -> None:
    store = _store(store_repo)
    issue = store.create("Cert expiry")
    with store.transaction() as tx:
        tx.add_label(issue.id, "incident")
        tx.add_label(issue.id, "incident")
        tx.add_label(issue.id, "sev-2")
        tx.remove_label(issue.id, "sev-2")
    assert store.get(issue.id).labels == ["incident"]


def test_dependencies_need_a_known_type_and_an_existing_target(store_repo: Path) -> None:
    store = _store(store_repo)
    a, b = store.create("Outage"), store.create("Fix config")
    with store.transaction() as tx:
        tx.add_dependency(b.id, a.id, "discovered-from")
        tx.add_dependency(b.id, a.id, "discovered-from")  # kept once
        tx.add_dependency(b.id, "external:infra:dns", "blocks")
    deps = store.get(b.id).dependencies
    assert [(d["depends_on_id"], d["type"]) for d in deps] == [
        (a.id, "discovered-from"), ("external:infra:dns", "blocks")]
    assert deps[0]["issue_id"] == b.id and deps[0]["created_at"] == "2026-03-01T09:30:00Z"
    with pytest.raises(InvalidInput, match="unknown dependency type"):
        store.create("x", dependencies=[("depends", a.id)])
    with pytest.raises(NotFound):
        store.create("x", dependencies=[("blocks", "nope-123")])
    with store.transaction() as tx, pytest.raises(InvalidInput, match="itself"):
        tx.add_dependency(a.id, a.id, "blocks")


def test_children_get_dotted_ids_and_a_parent_child_link(store_repo: Path) -> None:
    store = _store(store_repo)
    parent = store.create("Incident")
    first = store.create("Action item", parent=parent.id)
    second = store.create("Another", parent=parent.id)
    grandchild = store.create("Step", parent=first.id)
    assert (first.id, second.id, grandchild.id) == (
        f"{parent.id}.1", f"{parent.id}.2", f"{parent.id}.1.1")
    assert first.depends_on("parent-child") == [parent.id]
    deepest = store.create("Leaf", parent=grandchild.id)
    assert deepest.id.count(".") == 3
    with pytest.raises(InvalidInput, match="levels deep"):
        store.create("Too deep", parent=deepest.id)


def test_comments_get_string_ids_and_are_kept_in_order(store_repo: Path) -> None:
    store = _store(store_repo)
    issue = store.create("Latency")
    one = store.add_comment(issue.id, "ada", "paged <oncall> & db team")
    two = store.add_comment(issue.id, "bob", "rolled back")
    comments = store.get(issue.id).comments
    assert [c["text"] for c in comments] == ["paged <oncall> & db team", "rolled back"]
    assert isinstance(one["id"], str) and one["id"] != two["id"] and one["id"][14] == "7"
    assert b"\\u003concall\\u003e \\u0026" in store.path.read_bytes()


def test_queries_filter_by_status_type_label_priority(store_repo: Path) -> None:
    store = _store(store_repo)
    bug = store.create("Bug", issue_type="bug", priority=1, labels=["incident"])
    task = store.create("Task", priority=3)
    done = store.create("Done", issue_type="bug", labels=["incident"])
    store.close(done.id, "ok")
    assert {i.id for i in store.query()} == {bug.id, task.id}
    assert {i.id for i in store.query(include_closed=True)} == {bug.id, task.id, done.id}
    assert [i.id for i in store.query(status="closed")] == [done.id]
    assert [i.id for i in store.query(issue_type="bug")] == [bug.id]
    assert [i.id for i in store.query(label="incident", include_closed=True)] == [bug.id, done.id]
    assert [i.id for i in store.query(priority=3)] == [task.id]
    assert store.summaries(priority=1) == [bug.summary()]


def test_ready_follows_bd(store_repo: Path) -> None:
    store = _store(store_repo)
    blocker = store.create("Blocker")
    blocked = store.create("Blocked", dependencies=[("blocks", blocker.id)])
    epic = store.create("Epic", dependencies=[("blocks", blocker.id)])
    child = store.create("Child of a blocked epic", parent=epic.id)
    related = store.create("Only related", dependencies=[("related", blocker.id)], priority=0)
    later = store.create("Deferred")
    store.update(later.id, defer_until=T0 + timedelta(days=1))
    store.create("A gate", issue_type="gate")
    assert [i.id for i in store.ready()] == [related.id, blocker.id]
    store.close(blocker.id, "done")
    ready = {i.id for i in store.ready()}
    assert {blocked.id, epic.id, child.id, related.id} <= ready and later.id not in ready


def test_a_transaction_writes_once_and_an_error_writes_nothing(store_repo: Path) -> None:
    store = _store(store_repo)
    writes: list[int] = []
    store.after_write.append(lambda s: writes.append(len(_file_lines(s))))
    with store.transaction() as tx:
        a = tx.create("One")
        tx.create("Two", dependencies=[("blocks", a.id)])
        tx.update(a.id, priority=0)
    assert writes == [2]
    before = store.path.read_bytes()
    with pytest.raises(InvalidInput), store.transaction() as tx:
        tx.create("Three")
        tx.update(a.id, priority=9)
    assert store.path.read_bytes() == before and writes == [2]


def test_without_beads_folder_the_store_works_in_memory(repo: Path) -> None:
    store = _store(repo)
    assert not store.persistent
    issue = store.create("In memory")
    store.update(issue.id, notes="still here")
    assert store.get(issue.id).data["notes"] == "still here"
    assert not (repo / ".beads").exists()
    assert issue.id.startswith(f"{repo.name}-")


def test_prefix_comes_from_bd_config_then_ids_then_ours_then_folder(store_repo: Path) -> None:
    ours = BeadsConfig(prefix="ops")
    assert BeadsStore(store_repo, config=ours).prefix == "ops"
    assert BeadsStore(store_repo).prefix == "work"  # the folder's name
    (store_repo / ".beads" / "issues.jsonl").write_text(
        '{"id":"web-a1b","title":"t","priority":0,"created_at":"2026-01-01T00:00:00Z",'
        '"updated_at":"2026-01-01T00:00:00Z"}\n')
    assert BeadsStore(store_repo, config=ours).prefix == "web"
    (store_repo / ".beads" / "config.yaml").write_text("# bd\nissue-prefix: \"pay\"\n")
    assert BeadsStore(store_repo, config=ours).prefix == "pay"
    assert BeadsStore(store_repo).create("x").id.startswith("pay-")


def test_tombstones_and_foreign_records_are_kept_and_never_revived(store_repo: Path) -> None:
    path = store_repo / ".beads" / "issues.jsonl"
    lines = [
        b'{"_type":"memory","key":"k","value":"v"}\n',
        b'{"id":"t-1aa","title":"gone","status":"tombstone","priority":0}\n',
        b'{"id":"t-2bb", "title": "live", "priority": 1, "x_tool": {"keep": true},'
        b' "created_at":"2025-12-17T14:32:02.998106-08:00",'
        b' "updated_at":"2025-12-17T14:32:02.998106-08:00"}\n',
    ]
    path.write_bytes(b"".join(lines))
    store = _store(store_repo)
    assert [i.id for i in store.issues()] == ["t-2bb"]
    with pytest.raises(NotFound, match="tombstone"):
        store.get("t-1aa")
    new = store.create("fresh")
    assert new.id != "t-1aa"
    store.update("t-2bb", notes="n")
    after = path.read_bytes().splitlines(keepends=True)
    assert after[:2] == lines[:2]
    line = json.loads(after[[json.loads(x).get("id") for x in after].index("t-2bb")])
    assert line["x_tool"] == {"keep": True}
    assert line["updated_at"] == "2026-03-01T09:30:00Z"  # later than the -08:00 original


def test_custom_types_bd_wrote_may_stay_but_ours_must_be_built_in(store_repo: Path) -> None:
    path = store_repo / ".beads" / "issues.jsonl"
    path.write_text('{"id":"gt-a1","title":"agent","issue_type":"agent","status":"hooked",'
                    '"priority":2,"created_at":"2026-01-01T00:00:00Z",'
                    '"updated_at":"2026-01-01T00:00:00Z"}\n')
    store = _store(store_repo)
    assert store.update("gt-a1", notes="still an agent").issue_type == "agent"
    with pytest.raises(InvalidInput, match="convoy"):
        store.update("gt-a1", issue_type="convoy")
    with pytest.raises(InvalidInput):
        store.create("new agent", issue_type="agent")


def test_odd_titles_are_stored_faithfully(store_repo: Path) -> None:
    store = _store(store_repo)
    titles = ["rm -rf / ; echo $(whoami) `id` && | > < '\" \\", "Ünïcödé ✓ 日本 \u2028 \u2029",
              "%s {0} $HOME ${PATH}", "emoji 🔥🚒"]
    ids = [store.create(t).id for t in titles]
    fresh = BeadsStore(store_repo)
    assert [fresh.get(i).title for i in ids] == titles
    assert validate(store.path) == []
    for title in ["", "   ", "two\nlines", "nul\x00", "bell\x07"]:
        with pytest.raises(InvalidInput):
            store.create(title)


def test_a_refused_change_caught_inside_a_transaction_is_not_written(store_repo: Path) -> None:
    store = _store(store_repo)
    open_one = store.create("Open")
    closed = store.create("Closed")
    store.close(closed.id, "done")
    before = store.path.read_bytes()
    with store.transaction() as tx:
        with pytest.raises(InvalidInput):
            tx.update(open_one.id, priority=9)
        with pytest.raises(InvalidInput):
            tx.update(open_one.id, issue_type="incident")
        with pytest.raises(NotFound):
            tx.create("half made", dependencies=[("blocks", "nope-1")])
        with pytest.raises(Refused):
            tx.update(closed.id, status="open")
        assert tx.get(open_one.id).priority == 2 and not tx.created
    assert store.path.read_bytes() == before
    with store.transaction() as tx:
        with pytest.raises(InvalidInput):
            tx.update(open_one.id, priority=9)
        tx.update(open_one.id, notes="kept")
    assert store.get(open_one.id).priority == 2
    assert store.get(open_one.id).data["notes"] == "kept"


def test_create_returns_the_issue_as_written(store_repo: Path) -> None:
    store = _store(store_repo)
    parent = store.create("Parent")
    child = store.create("Child", parent=parent.id, dependencies=[("related", parent.id)])
    assert child == store.get(child.id)
    assert len(child.dependencies) == 2
