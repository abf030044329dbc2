"""The real bd files: every line loads, unchanged lines come back byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_beads.beads import BeadsStore, validate
from incident_beads.beads.issue import encode_line
from tests.conftest import git

FILES = ["beads-1x-export.jsonl", "bd-sqlite-era-small.jsonl"]
pytestmark = pytest.mark.parametrize("corpus_repo", FILES, indirect=True)


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_every_line_loads(corpus_repo: Path) -> None:
    store = BeadsStore(corpus_repo)
    raw = [json.loads(line) for line in _lines(store.path)]
    assert [issue.data for issue in store.issues()] == raw  # every key kept as read


def test_saving_without_change_gives_the_same_bytes(corpus_repo: Path) -> None:
    store = BeadsStore(corpus_repo)
    before = store.path.read_bytes()
    with store.transaction() as tx:
        assert sum(1 for _ in tx.issues()) == len(_lines(store.path))
    assert store.path.read_bytes() == before


def test_rewriting_every_issue_in_memory_keeps_every_key(corpus_repo: Path) -> None:
    for issue in BeadsStore(corpus_repo).issues():
        assert json.loads(encode_line(issue.data)) == issue.data


def test_a_new_incident_is_a_one_line_diff_that_bd_accepts(corpus_repo: Path) -> None:
    git(corpus_repo, "add", ".beads/issues.jsonl")
    git(corpus_repo, "commit", "-q", "-m", "Track the issues")
    store = BeadsStore(corpus_repo)
    before = _lines(store.path)
    issue = store.create("Checkout API 500s <p99> & \"timeouts\"", issue_type="bug",
                         priority=0, labels=["incident", "sev-1"], created_by="ada")
    after = _lines(store.path)
    added = [line for line in after if line not in before]
    assert len(after) == len(before) + 1
    assert [json.loads(line)["id"] for line in added] == [issue.id]
    assert [line for line in after if line != added[0]] == before  # the rest in order
    assert b"\\u003cp99\\u003e \\u0026" in added[0]
    assert [v for v in validate(store.path) if v.level == "error"] == []
    assert git(corpus_repo, "diff", "--numstat").split() == ["1", "0", ".beads/issues.jsonl"]


def test_changing_one_issue_changes_exactly_its_line(corpus_repo: Path) -> None:
    store = BeadsStore(corpus_repo)
    before = _lines(store.path)
    target = list(store.issues())[len(before) // 2]
    store.update(target.id, notes="seen during the incident")
    after = _lines(store.path)
    changed = [n for n, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    assert len(changed) == 1
    assert json.loads(after[changed[0]])["id"] == target.id
    assert json.loads(after[changed[0]])["notes"] == "seen during the incident"
    assert [v for v in validate(store.path) if v.level == "error"] == []


def test_the_new_line_goes_after_its_id_neighbour(corpus_repo: Path) -> None:
    store = BeadsStore(corpus_repo)
    issue = store.create("Disk full on db-2", issue_type="bug")
    ids = [json.loads(line)["id"] for line in _lines(store.path)]
    n = ids.index(issue.id)
    smaller = [i for i in ids if i < issue.id]
    if smaller:
        assert ids[n - 1] == max(smaller)
    else:
        assert ids[n + 1] == min(i for i in ids if i != issue.id)
