"""Fuzz the store on files it can read: a write changes its own line and loses no other text.

The reader's refusals (bad bytes, bad JSON, bad types) are fuzzed in test_store_reliability.py;
here the files are valid but written by other hands: any key order, spacing, escaping, unknown
keys and values, foreign records and blank lines, no final newline.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_beads.beads import BeadsStore
from incident_beads.beads.issue import drop_empty
from incident_beads.errors import IncidentBeadsError

pytestmark = pytest.mark.reliability
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STAMP = "2026-01-01T00:00:00Z"

leaf = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)
known = {"id", "title", "priority", "created_at", "updated_at", "_type", "status", "labels",
         "dependencies", "comments", "closed_at", "description", "notes", "issue_type"}
extras = st.dictionaries(st.text(max_size=10).filter(lambda k: k not in known), value,
                         max_size=4)


@st.composite
def foreign_line(draw: st.DrawFn, number: int) -> bytes:
    """One line some other tool wrote: an issue in its own formatting, a memory, or a blank."""
    kind = draw(st.sampled_from(["issue", "issue", "issue", "memory", "blank"]))
    if kind == "blank":
        return draw(st.sampled_from([b"", b"   ", b"\t"]))
    data: dict[str, Any] = {**draw(extras), "id": f"fz-{number:03d}"}
    if kind == "memory":
        data["_type"] = "memory"
    else:
        data.update(title=draw(st.text(min_size=1, max_size=30)), priority=draw(st.integers(0, 4)),
                    created_at=STAMP, updated_at=STAMP,
                    description=draw(st.text(max_size=30)))
    keys = draw(st.permutations(sorted(data)))
    ordered = {k: data[k] for k in keys}
    separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]))
    ascii_only = draw(st.booleans())
    return json.dumps(ordered, separators=separators, ensure_ascii=ascii_only).encode()


@st.composite
def foreign_file(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    lines = [draw(foreign_line(n)) for n in range(draw(st.integers(1, 8)))]
    ids = [f"fz-{n:03d}" for n, line in enumerate(lines)
           if line.strip() and json.loads(line).get("_type") is None]
    text = b"\n".join(lines) + draw(st.sampled_from([b"\n", b""]))
    return text, ids


def _store(data: bytes) -> tuple[tempfile.TemporaryDirectory[str], BeadsStore]:
    folder = tempfile.TemporaryDirectory()
    beads = Path(folder.name) / ".beads"
    beads.mkdir()
    (beads / "issues.jsonl").write_bytes(data)
    return folder, BeadsStore(folder.name)


def _lines(data: bytes) -> list[bytes]:
    """The file's lines; blank ones count, only the final newline ends the last line."""
    lines = data.split(b"\n")
    return lines[:-1] if lines[-1] == b"" else lines


@FUZZ
@given(foreign_file(), st.data())
def test_updating_one_issue_changes_only_its_line(file: tuple[bytes, list[str]],
                                                   data: st.DataObject) -> None:
    text, ids = file
    folder, store = _store(text)
    with folder:
        if not ids:
            return
        target = data.draw(st.sampled_from(ids))
        number = next(n for n, line in enumerate(_lines(text))
                      if line.strip() and json.loads(line)["id"] == target)
        before = json.loads(_lines(text)[number])
        try:
            store.update(target, notes="checked $(touch pwned) `id`")
        except IncidentBeadsError:
            assert store.path.read_bytes() == text
            return
        after = _lines(store.path.read_bytes())
        old = _lines(text)
        assert len(after) == len(old)
        assert [a for n, a in enumerate(after) if n != number] == \
            [o for n, o in enumerate(old) if n != number]
        changed = json.loads(after[number])
        assert changed.pop("notes") == "checked $(touch pwned) `id`"
        changed.pop("updated_at")
        before.pop("updated_at")
        # every key, known or not, kept with its value (bd's encoding leaves out empty known keys)
        assert changed == drop_empty(before)
        assert not (Path(folder.name) / "pwned").exists()


@FUZZ
@given(foreign_file())
def test_creating_an_issue_keeps_every_line_in_order(file: tuple[bytes, list[str]]) -> None:
    text, _ = file
    folder, store = _store(text)
    with folder:
        store.create("new one")
        after = _lines(store.path.read_bytes())
        old = _lines(text)
        assert len(after) == len(old) + 1
        lines = iter(after)
        assert all(any(line == wanted for line in lines) for wanted in old)
