"""Remember the checked layout of `.beads/issues.jsonl` under `.git/`, keyed by the file's stat.

A later read or write that finds the very same file (inode, size and change times unchanged)
trusts the remembered ids and line ends instead of parsing every line again.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import zlib
from array import array
from pathlib import Path
from typing import Any, NamedTuple

from incident_beads.beads.fileio import atomic_write, find_git_dir, read_regular
from incident_beads.beads.limits import MAX_LINE_BYTES
from incident_beads.beads.line_check import ESCAPE, Visitor
from incident_beads.beads.snapshot import SAMPLE, Snapshot, lines_fit, parse_file, stat_key

_CACHE_VERSION = 5
#: How many searched words a layout remembers, the most recently used: a word searched once
#: (a label listed by hand) must not stay for good, carried and checked by every write.
WORDS_KEPT = 8
#: From how many lines on words are remembered: below, searching the bytes (in C) costs less
#: than checking remembered lines (a call per sampled line).
WORDS_FROM_LINES = 4 * SAMPLE


def keeps_words(lines: int) -> bool:
    """Whether the layout of a file of `lines` lines remembers searched words."""
    return lines >= WORDS_FROM_LINES


class _Layout(NamedTuple):
    """A file's layout as remembered: what `SnapshotCache` writes and reads back."""

    key: list[int]
    ids: list[str | None]
    ends: list[int]
    escaped: list[int] | None
    words: dict[bytes, list[int]]


class SnapshotCache:
    """Remembers the checked layout of one file under `.git/`, keyed by its stat.

    The layout is packed rather than JSON lists (which cost more to load than a write of a
    100,000-line file): a JSON header line, the ids joined by newlines, the line ends as
    64-bit integers.
    """

    def __init__(self, path: Path) -> None:
        git_dir = find_git_dir(path.parent)
        # A name, not a proof: the layout is used only after its file's stat and bytes match.
        digest = f"{zlib.crc32(str(path.resolve()).encode()):08x}"
        self.file = git_dir / "incident-beads" / f"store-{digest}.layout" if git_dir else None
        self._kept: _Layout | None = None

    def load(self, path: Path, data: bytes, stat: os.stat_result) -> Snapshot | None:
        """The snapshot of `data` if this exact file was checked before."""
        if self.file is None:
            return None
        key = stat_key(stat)
        # The layout this process last saved (of bytes it wrote or checked in full) or loaded
        # (and checked) for this very stat needs neither a second reading nor a second check:
        # it rests on the stat, as the remembered layout itself does.
        layout = self._kept if self._kept is not None and self._kept.key == key else None
        if layout is None:
            layout = self._read(key)
            if layout is None or not _checked(layout, data):
                return None
        ids, ends, escaped = layout.ids, layout.ends, layout.escaped
        self._kept = layout
        snapshot = Snapshot(str(path), data, ids, ends, remembered_in=self.file,
                            escaped=escaped)
        # each word's lines are checked when a command first searches for that word (one that
        # does not fit is searched again); the layout itself has been proven
        if keeps_words(len(ends)):
            snapshot.remember_unchecked(layout.words)
        return snapshot

    def _read(self, key: list[int]) -> _Layout | None:
        """The layout the cache file holds for the file whose stat is `key`."""
        assert self.file is not None
        try:
            head, _, packed = self.file.read_bytes().partition(b"\n")
            header = json.loads(head)
            if header.get("v") != _CACHE_VERSION or header.get("key") != key:
                return None
            size = header["ids_bytes"]
            ids: list[str | None] = [*packed[:size].decode("utf-8").split("\n")]
            if header["lines"] == 0:
                ids = []
            for n in header["not_issues"]:
                ids[n] = None
            offsets = array("q")
            offsets.frombytes(packed[size:size + 8 * header["lines"]])
            ends = offsets.tolist()
            escaped = header.get("escaped")
            if escaped is not None and not all(isinstance(n, int) for n in escaped):
                return None
            words = _unpack_words(header["words"], packed, size + 8 * len(ends))
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None
        return _Layout(key, ids, ends, escaped, words)

    def save(self, snapshot: Snapshot, key: list[int]) -> None:
        """Remember a checked snapshot of the file whose stat is `key`, with the lines holding
        each word searched for in it; a lost cache only costs one re-check."""
        if self.file is None:
            return
        ids = snapshot.ids
        present = [*filter(None, ids)]
        not_issues: list[int] = []
        while len(not_issues) < len(ids) - len(present):
            not_issues.append(ids.index(None, not_issues[-1] + 1 if not_issues else 0))
        joined = ("\n".join(present) if not not_issues
                  else "\n".join(issue_id or "" for issue_id in ids))
        if joined.count("\n") != max(len(ids) - 1, 0):
            return  # an id with a newline in it cannot be packed; such a file is re-checked
        text = joined.encode("utf-8")
        # the words remembered and not used yet, then those searched, the most recent last
        words = (dict([*snapshot.unchecked().items(), *snapshot.searched().items()][-WORDS_KEPT:])
                 if keeps_words(len(ids)) else {})
        self._kept = _Layout(key, ids, snapshot.ends, snapshot.escaped, words)
        header = json.dumps({"v": _CACHE_VERSION, "key": key, "lines": len(ids),
                             "ids_bytes": len(text), "not_issues": not_issues,
                             "escaped": snapshot.escaped,
                             "words": [[needle.decode("latin-1"), len(lines)]
                                       for needle, lines in words.items()]})
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(exist_ok=True)
            atomic_write(self.file, [header.encode("ascii"), b"\n", text,
                                     array("q", snapshot.ends).tobytes(),
                                     *(array("q", lines).tobytes() for lines in words.values())],
                         durable=False)


def _checked(layout: _Layout, data: bytes) -> bool:
    """Whether a layout read from the cache file fits `data` (see `_layout_fits`)."""
    ends, escaped = layout.ends, layout.escaped
    if not _layout_fits(data, ends, layout.ids):
        return False
    if escaped is not None and not lines_fit(data, ends, escaped, ESCAPE):
        return False
    # the full check refuses a long line, as it does on a fresh clone
    return not ends or max(map(operator.sub, ends, [0, *ends])) <= MAX_LINE_BYTES


def _layout_fits(data: bytes, ends: list[int], ids: list[str | None]) -> bool:
    """Check cheaply that the remembered layout fits these bytes.

    The cache is keyed by inode, size and change times, so a mismatch needs another file of the
    same size written in the same clock tick. The checks here catch a corrupt or stale layout
    at a sample of line ends, in C loops; what a command then relies on is checked exactly
    where it is used: each line it parses must be one JSON object holding the promised id
    (`Snapshot.get`), and each place a line is replaced or inserted must be a line boundary
    (`_apply`). Counting every newline of a 160 MB file would cost a third of its write.
    """
    if len(ids) != len(ends):
        return False
    if not ends:
        return not data
    if ends[-1] != len(data) or ends[0] <= 0 or not all(map(operator.lt, ends, ends[1:])):
        return False
    sample = ends[:-1:max(1, len(ends) // SAMPLE)]
    return bytes(map(data.__getitem__, map((-1).__add__, sample))) == b"\n" * len(sample)


def _unpack_words(listed: list[list[Any]], packed: bytes, at: int) -> dict[bytes, list[int]]:
    """The lines of each remembered word, packed after the line ends in the header's order."""
    words: dict[bytes, list[int]] = {}
    for word, count in listed:
        lines = array("q")
        lines.frombytes(packed[at:at + 8 * count])
        if len(lines) != count:
            raise ValueError("the remembered lines are cut short")
        words[str(word).encode("latin-1")] = lines.tolist()
        at += 8 * count
    if at != len(packed):
        raise ValueError("the remembered layout has bytes left over")
    return words


def read_snapshot(path: Path, cache: SnapshotCache | None,
                  visit: Visitor | None = None) -> Snapshot:
    """Read and check the file, trusting the cache only for the very same file."""
    found = read_regular(path)
    if found is None:
        return Snapshot.empty(str(path))
    data, stat = found
    if cache is not None:
        known = cache.load(path, data, stat)
        if known is not None:
            known.key = stat_key(stat)
            if visit is not None:
                for issue in known.issues():
                    visit(issue.data)
            return known
    snapshot = parse_file(path, data, visit)
    snapshot.key = stat_key(stat)
    if cache is not None:
        cache.save(snapshot, snapshot.key)
    return snapshot
