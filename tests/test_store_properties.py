"""Property tests: whatever the store writes reads back equal and passes bd's import rules."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_beads.beads import BeadsStore, validate
from incident_beads.beads.import_rules import ISSUE_TYPES
from incident_beads.beads.issue import encode_line
from incident_beads.beads.snapshot import parse_file
from incident_beads.errors import InvalidInput

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
json_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                          max_leaves=8)
any_text = st.text(max_size=60)  # surrogates, controls, U+2028, <>&: everything


@SETTINGS
@given(title=any_text, description=any_text, labels=st.lists(any_text, max_size=4),
       metadata=st.dictionaries(st.text(max_size=10), json_value, max_size=4),
       priority=st.integers(0, 4), issue_type=st.sampled_from(sorted(ISSUE_TYPES)),
       note=any_text, comment=any_text)
def test_what_the_store_writes_reads_back_equal_and_valid(
        title: str, description: str, labels: list[str], metadata: dict[str, Any],
        priority: int, issue_type: str, note: str, comment: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".beads").mkdir()
        store = BeadsStore(root)
        try:
            with store.transaction() as tx:
                issue = tx.create(title, description=description, labels=labels,
                                  metadata=metadata, priority=priority, issue_type=issue_type)
                tx.update(issue.id, notes=note)
                tx.add_comment(issue.id, "ada", comment)
                tx.close(issue.id, note or "done")
                written = tx.get(issue.id)
        except InvalidInput:
            assert not store.path.exists() or store.path.read_bytes() == b""
            return
        assert BeadsStore(root).get(issue.id) == written
        assert validate(store.path) == []


@SETTINGS
@given(st.dictionaries(st.text(max_size=10), json_value, max_size=6), any_text)
def test_encode_line_is_one_line_that_decodes_to_the_same_object(
        extra: dict[str, Any], title: str) -> None:
    data = {**extra, "id": "p-1", "title": title or "t", "priority": 1,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    data.pop("_type", None)
    line = encode_line(data)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert not any(ch in line for ch in (b"<", b">", b"&", "\u2028".encode()))
    decoded = json.loads(line)
    assert {k: v for k, v in decoded.items() if k in data} == decoded
    line.decode("utf-8")  # strict: what bd's reader needs
    try:
        parse_file(Path("x.jsonl"), line)
    except Exception as exc:  # a type bd refuses is refused by name, never a crash
        assert type(exc).__name__ == "MalformedFile"
