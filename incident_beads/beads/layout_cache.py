"""Remember the checked layout of `.beads/issues.jsonl` under `.git/`, keyed by the file's stat.

A later read or write that finds the very same file (inode, size and change times unchanged)
trusts the remembered ids and line ends instead of parsing every line again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import operator
import os
from array import array
from pathlib import Path

from incident_beads.beads.fileio import atomic_write, find_git_dir, read_regular
from incident_beads.beads.limits import MAX_LINE_BYTES
from incident_beads.beads.line_check import ESCAPE, Visitor
from incident_beads.beads.snapshot import Snapshot, parse_file, stat_key

_CACHE_VERSION = 4
_LAYOUT_SAMPLE = 2048


class SnapshotCache:
    """Remembers the checked layout of one file under `.git/`, keyed by its stat.

    The layout is packed rather than JSON lists (which cost more to load than a write of a
    100,000-line file): a JSON header line, the ids joined by newlines, the line ends as
    64-bit integers.
    """

    def __init__(self, path: Path) -> None:
        git_dir = find_git_dir(path.parent)
        digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
        self.file = git_dir / "incident-beads" / f"store-{digest}.layout" if git_dir else None

    def load(self, path: Path, data: bytes, stat: os.stat_result) -> Snapshot | None:
        """The snapshot of `data` if this exact file was checked before."""
        if self.file is None:
            return None
        try:
            head, _, packed = self.file.read_bytes().partition(b"\n")
            header = json.loads(head)
            if header.get("v") != _CACHE_VERSION or header.get("key") != stat_key(stat):
                return None
            size = header["ids_bytes"]
            ids: list[str | None] = [*packed[:size].decode("utf-8").split("\n")]
            if header["lines"] == 0:
                ids = []
            for n in header["not_issues"]:
                ids[n] = None
            offsets = array("q")
            offsets.frombytes(packed[size:])
            ends = offsets.tolist()
            escaped = header.get("escaped")
            if escaped is not None and not all(isinstance(n, int) for n in escaped):
                return None
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None
        if not _layout_fits(data, ends, ids):
            return None
        if escaped is not None and not _escapes_fit(data, ends, escaped):
            return None
        if ends and max(map(operator.sub, ends, [0, *ends])) > MAX_LINE_BYTES:
            return None  # the full check refuses the long line, as it does on a fresh clone
        return Snapshot(str(path), data, ids, ends, remembered_in=self.file, escaped=escaped)

    def save(self, snapshot: Snapshot, stat: os.stat_result) -> None:
        """Remember a checked snapshot; a lost cache only costs one re-check."""
        if self.file is None:
            return
        ids = snapshot.ids
        present = [*filter(None, ids)]
        if any("\n" in issue_id for issue_id in present):
            return  # an id with a newline in it cannot be packed; such a file is re-checked
        not_issues: list[int] = []
        while len(not_issues) < len(ids) - len(present):
            not_issues.append(ids.index(None, not_issues[-1] + 1 if not_issues else 0))
        text = ("\n".join(present) if not not_issues
                else "\n".join(issue_id or "" for issue_id in ids)).encode("utf-8")
        header = json.dumps({"v": _CACHE_VERSION, "key": stat_key(stat), "lines": len(ids),
                             "ids_bytes": len(text), "not_issues": not_issues,
                             "escaped": snapshot.escaped})
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(exist_ok=True)
            atomic_write(self.file, [header.encode("ascii"), b"\n", text,
                                     array("q", snapshot.ends).tobytes()], durable=False)


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
    sample = ends[:-1:max(1, len(ends) // _LAYOUT_SAMPLE)]
    return bytes(map(data.__getitem__, map((-1).__add__, sample))) == b"\n" * len(sample)


def _escapes_fit(data: bytes, ends: list[int], escaped: list[int]) -> bool:
    """Check, as `_layout_fits` checks the line ends, that the remembered `\\u` lines fit.

    The list must be in order and inside the file; every listed line is checked to hold an
    escape when there are few of them (a sample when there are many), and a sample of all the
    lines, the same stride as the line ends, is checked to hold one exactly when listed. A
    store changed outside the tool has another stat and is checked in full instead.
    """
    if escaped and (escaped[-1] >= len(ends) or escaped[0] < 0
                    or not all(map(operator.lt, escaped, escaped[1:]))):
        return False

    def holds(n: int) -> bool:
        return data.find(ESCAPE, ends[n - 1] if n else 0, ends[n]) >= 0

    listed = escaped[::max(1, len(escaped) // _LAYOUT_SAMPLE)]
    if not all(map(holds, listed)):
        return False
    known = set(escaped)
    return all(holds(n) == (n in known)
               for n in range(0, len(ends), max(1, len(ends) // _LAYOUT_SAMPLE)))


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
        cache.save(snapshot, stat)
    return snapshot
