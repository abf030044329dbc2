"""Write one transaction's changes: lines laid out, journal staged, file replaced atomically."""

from __future__ import annotations

import bisect
import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from incident_beads.beads.fileio import atomic_write
from incident_beads.beads.placement import lay_out
from incident_beads.beads.snapshot import Snapshot, stat_key

if TYPE_CHECKING:  # the journal (and subprocess) load on the first write, not for `list`
    from incident_beads.beads.journal import Journal, PendingEntry
    from incident_beads.beads.layout_cache import SnapshotCache
    from incident_beads.beads.transaction import Changes


class Written(NamedTuple):
    """What a write leaves behind for the next read of the very same file."""

    key: list[int]  # the stat of the file right after the write
    lines: dict[str, bytes]  # each live changed issue's line as written
    searched: dict[bytes, list[int]]  # the lines holding each word searched for so far
    escaped: list[int] | None  # the lines holding a `\u` escape (None: not known)
    # the bytes of every issue line holding a searched word or an escape, by line number:
    # a search for those words is answered without reading the file again (None: not kept,
    # the escapes are unknown or the lines weigh more than `KEPT_SHARE` of the file)
    kept: dict[int, bytes] | None


# The lines a write keeps for the next search weigh at most this share of the file (1/16).
KEPT_SHARE = 16


def write_changes(path: Path, snapshot: Snapshot, changes: Changes, *,
                  cache: SnapshotCache | None, journal: Journal | None,
                  warnings: list[str]) -> Written:
    """Replace `path` with `snapshot` plus `changes`, under the caller's lock.

    The journal's entry is staged before the file is replaced and committed after it (or
    abandoned when the replace fails): the store file is what matters, so a journal that
    cannot follow adds a line to `warnings` instead of failing the write.
    """
    written: dict[str, bytes] = {}
    escapes: list[int] | None = [] if snapshot.escaped is not None else None
    for needle in snapshot.unchecked():  # proven now, while the bytes are here: the lines
        snapshot.lines_holding(needle)  # carried and kept for them are then to be trusted
    searched: dict[bytes, list[int]] = {}
    ids, ends, chunks = lay_out(snapshot, changes.changed, changes.created, written,
                                escapes, searched)
    pending = _journal_entry(journal, written, warnings)
    try:
        atomic_write(path, chunks)
    except BaseException:
        if pending is not None:
            pending.abandon()
        raise
    stat = os.stat(path)
    if pending is not None:
        problem = pending.commit()
        if problem:
            warnings.append(f"the store was written, but not its journal: {problem}")
    if cache is not None:
        layout = Snapshot(str(path), b"", ids, ends, escaped=escapes)
        layout.remember(searched)
        cache.save(layout, stat_key(stat))
    return Written(stat_key(stat), {
        issue_id: written[issue_id] for issue_id, issue in changes.changed.items()
        if not issue.is_tombstone}, searched, escapes,
        _kept_lines(chunks, ids, ends, escapes, searched))


def _kept_lines(chunks: list[bytes | memoryview], ids: list[str | None], ends: list[int],
                escapes: list[int] | None,
                searched: dict[bytes, list[int]]) -> dict[int, bytes] | None:
    """The bytes of the new file's issue lines that hold a searched word or an escape.

    Each line lies within one chunk (`lay_out` copies runs of whole lines), so a line is one
    slice of its chunk.
    """
    if escapes is None or not searched:
        return None
    numbers = sorted({n for n in itertools.chain(escapes, *searched.values())
                      if ids[n] is not None})
    budget = (ends[-1] if ends else 0) // KEPT_SHARE
    if sum(ends[n] - (ends[n - 1] if n else 0) for n in numbers) > budget:
        return None
    starts = list(itertools.accumulate((len(chunk) for chunk in chunks), initial=0))
    kept: dict[int, bytes] = {}
    for n in numbers:
        begin, end = ends[n - 1] if n else 0, ends[n]
        k = bisect.bisect_right(starts, begin) - 1
        kept[n] = bytes(chunks[k][begin - starts[k]:end - starts[k]])
    return kept


def _journal_entry(journal: Journal | None, written: dict[str, bytes],
                   warnings: list[str]) -> PendingEntry | None:
    if journal is None:
        return None
    try:
        return journal.record(written)
    except OSError as exc:  # the store file is what matters; the journal says why not
        warnings.append(f"the journal was not updated: {exc}")
        return None
