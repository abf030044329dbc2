"""Where each line of a written store goes: unchanged lines as they were, new ones spread out."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence

from incident_beads.beads.issue import Issue, encode_line
from incident_beads.beads.limits import LONG_TEXT_HINT, MAX_LINE_BYTES
from incident_beads.beads.line_check import check_line
from incident_beads.beads.snapshot import Snapshot
from incident_beads.errors import InvalidInput, MalformedFile


def place_after_neighbours(ids: Sequence[str | None],
                           new_ids: Iterable[str]) -> dict[int, list[str]]:
    """Map a line number to the new ids written after it (-1: before the first line).

    New ids are random hashes, so placing each after the greatest smaller id spreads additions
    over the file: two branches that each add issues rarely touch neighbouring lines, and a file
    bd kept sorted by id stays sorted. An id smaller than all goes before the smallest one.
    """
    wanted = sorted(new_ids)
    inserts: dict[int, list[str]] = {}
    if len(wanted) <= _FEW:  # a scan per id (in C) beats sorting a big file's ids
        as_list = list(ids)
        for new_id in wanted:
            smaller = max(filter(new_id.__gt__, filter(None, as_list)), default=None)
            if smaller is not None:
                after = as_list.index(smaller)
            else:
                smallest = min(filter(None, as_list), default=None)
                after = -1 if smallest is None else as_list.index(smallest) - 1
            inserts.setdefault(after, []).append(new_id)
        return inserts
    existing = sorted((issue_id, n) for n, issue_id in enumerate(ids) if issue_id is not None)
    names = [issue_id for issue_id, _ in existing]
    for new_id in wanted:
        i = bisect.bisect_left(names, new_id)
        after = existing[i - 1][1] if i else (existing[0][1] - 1 if existing else -1)
        inserts.setdefault(after, []).append(new_id)
    return inserts


_FEW = 8


def checked_line(issue: Issue) -> bytes:
    """The issue's line in bd's encoding, once it passes every check the reader makes.

    So no write leaves a line that a fresh clone, reading without a remembered layout, refuses.
    """
    line = encode_line(issue.data)
    if len(line) - 1 > MAX_LINE_BYTES:
        raise InvalidInput(f"{issue.id}: the issue would take {len(line) - 1:,} bytes on its "
                           f"line (at most {MAX_LINE_BYTES:,})", hint=LONG_TEXT_HINT)
    try:
        check_line("(new line)", 2, line[:-1], {}, None)
    except MalformedFile as exc:
        raise InvalidInput(f"{issue.id}: the line would not read back: "
                           f"{exc.message.removeprefix('(new line):2: ')}") from None
    return line


def lay_out(snapshot: Snapshot, changed: Mapping[str, Issue], created: Sequence[str],
            written: dict[str, bytes] | None = None, escapes: list[int] | None = None,
            holding: dict[bytes, list[int]] | None = None,
            ) -> tuple[list[str | None], list[int], list[bytes | memoryview]]:
    """Lay out the new file: unchanged lines as they were, each new line after its id neighbour.

    Runs of unchanged lines are copied as one slice each, so a one-line change to a big file
    costs a few chunks, not one per line. `written`, when given, receives each new or changed
    line by issue id; `escapes` (given only when the snapshot knows its own) receives the
    numbers of the new file's lines that hold a `\\u` escape, and `holding` the lines of the
    new file that hold each word the snapshot was searched for (`Snapshot.lines_holding`).
    """
    if written is None:
        written = {}

    def new_line(issue_id: str) -> bytes:
        line = written[issue_id] = checked_line(changed[issue_id])
        return line

    inserts = place_after_neighbours(snapshot.ids, created)
    lines = {i: snapshot.line_of(i) for i in changed if i not in created}
    rewritten = {n: i for i, n in lines.items() if n is not None}
    old_ids, old_ends, count = snapshot.ids, snapshot.ends, len(snapshot.ids)
    events = set(rewritten) | {n for n in inserts if n >= 0}
    if count and not snapshot.data.endswith(b"\n"):
        events.add(count - 1)  # the last line gets the newline it lacks
    for event in events:  # a remembered layout is trusted only where lines are replaced
        if not (snapshot.starts_line(old_ends[event - 1] if event else 0)
                and snapshot.starts_line(old_ends[event])):
            raise snapshot.stale(event, "a line does not end where it was remembered to")
    view = memoryview(snapshot.data)
    chunks: list[bytes | memoryview] = []
    ids: list[str | None] = []
    ends: list[int] = []
    size = 0
    old_escapes = snapshot.escaped or []
    carried = {needle: (lines, holding.setdefault(needle, []))
               for needle, lines in snapshot.searched().items()} if holding is not None else {}

    def emit(chunk: bytes | memoryview, issue_id: str | None) -> None:
        nonlocal size
        line = bytes(chunk)  # one line
        if escapes is not None and b"\\u" in line:
            escapes.append(len(ids))
        for needle, (_, found) in carried.items():
            if needle in line:
                found.append(len(ids))
        chunks.append(chunk)
        ids.append(issue_id)
        size += len(chunk)
        ends.append(size)

    def copy_run(first: int, stop: int) -> None:
        nonlocal size
        if first >= stop:
            return
        start = old_ends[first - 1] if first else 0
        shift = size - start
        moved = len(ids) - first
        if escapes is not None:
            escapes.extend(n + moved for n in old_escapes[bisect.bisect_left(old_escapes, first):
                                                          bisect.bisect_left(old_escapes, stop)])
        for old, found in carried.values():
            found.extend(n + moved for n in old[bisect.bisect_left(old, first):
                                                bisect.bisect_left(old, stop)])
        chunks.append(view[start:old_ends[stop - 1]])
        ids.extend(old_ids[first:stop])
        ends.extend([end + shift for end in old_ends[first:stop]])
        size += old_ends[stop - 1] - start

    for new_id in inserts.get(-1, ()):
        emit(new_line(new_id), new_id)
    n = 0
    for event in sorted(events):
        copy_run(n, event)
        if event in rewritten:
            emit(new_line(rewritten[event]), rewritten[event])
        else:
            line = snapshot.raw(event)
            emit(line if bytes(line[-1:]) == b"\n" else bytes(line) + b"\n", old_ids[event])
        for new_id in inserts.get(event, ()):
            emit(new_line(new_id), new_id)
        n = event + 1
    copy_run(n, count)
    return ids, ends, chunks
