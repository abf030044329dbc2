"""Three-way merge of whole `.beads/issues.jsonl` files, by issue id, never dropping an issue.

Lines come out in ours' order; an issue only theirs has is placed after its id neighbour, as
the store places new issues. A child id both sides added for different issues is renumbered
on theirs' side (see `renumber`). A line no side changed, or only one side changed, is copied byte
for byte; an issue both sides changed is merged (see `issue_merge`) and written in bd's
encoding. An issue both sides changed in ways time cannot settle is written between git's
conflict markers and reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from incident_beads.beads.fileio import atomic_write
from incident_beads.beads.import_rules import import_violations
from incident_beads.beads.issue import encode_line
from incident_beads.beads.placement import place_after_neighbours
from incident_beads.beads.snapshot import parse_file
from incident_beads.mergedriver.derived import reconcile
from incident_beads.mergedriver.issue_merge import IssueMerge, Undecided
from incident_beads.mergedriver.renumber import added_apart, renumber_children


class Conflict(NamedTuple):
    """An issue the driver could not merge, and why."""

    issue_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.reason}"


class MergeResult(NamedTuple):
    """The merged file; with conflicts, the conflicting issues sit between conflict markers.

    `renamed` lists (old, new) ids of theirs' children moved to a free number.
    """

    data: bytes
    conflicts: tuple[Conflict, ...]
    renamed: tuple[tuple[str, str], ...] = ()

    @property
    def clean(self) -> bool:
        """True when every issue merged."""
        return not self.conflicts


class _Version:
    """One side of the merge: its checked lines, by id, and its other lines."""

    def __init__(self, label: str, path: str, data: bytes) -> None:
        snapshot = parse_file(Path(f"{label}:{path}"), data)
        self.ids: list[str | None] = list(snapshot.ids)
        self.lines = [_with_newline(bytes(snapshot.raw(n))) for n in range(len(self.ids))]
        self.others = {line for n, line in enumerate(self.lines)
                       if self.ids[n] is None and line.strip()}
        self.by_id: dict[str, bytes] = {}
        self.reindex()

    def reindex(self) -> None:
        """Map each issue id to its line again (after ids or lines changed)."""
        self.by_id = {i: self.lines[n] for n, i in enumerate(self.ids) if i is not None}


def _with_newline(line: bytes) -> bytes:
    return line if line.endswith(b"\n") else line + b"\n"


def merge_files(base: bytes, ours: bytes, theirs: bytes, *,
                path: str = ".beads/issues.jsonl") -> MergeResult:
    """Merge three versions of the file; raises `MalformedFile` (naming side, file and line).

    Pure: the same three inputs always give the same bytes.
    """
    b = _Version("base", path, base)
    o = _Version("ours", path, ours)
    t = _Version("theirs", path, theirs)
    renamed = renumber_children(set(b.by_id), o.by_id, t.ids, t.lines)
    t.reindex()
    conflicts: list[Conflict] = []
    out_ids: list[str | None] = []
    out_lines: list[bytes] = []
    for n, issue_id in enumerate(o.ids):
        line = o.lines[n]
        if issue_id is None:
            if line.strip() and line in b.others and line not in t.others:
                continue  # a record theirs deleted; issues are never deleted this way
        elif issue_id in t.by_id:
            line, reason = merge_issue_lines(b.by_id.get(issue_id), line, t.by_id[issue_id])
            if reason:
                conflicts.append(Conflict(issue_id, reason))
        out_ids.append(issue_id)
        out_lines.append(line)
    theirs_only = [i for i in t.ids if i is not None and i not in o.by_id]
    inserts = place_after_neighbours(out_ids, theirs_only)
    merged = [t.by_id[i] for i in inserts.get(-1, ())]
    for n, line in enumerate(out_lines):
        merged.append(line)
        merged.extend(t.by_id[i] for i in inserts.get(n, ()))
    merged.extend(line for line in t.lines
                  if line.strip() and line in t.others and line not in o.others
                  and line not in b.others)
    return MergeResult(b"".join(merged), tuple(conflicts), tuple(renamed))


def merge_in_place(base: Path, ours: Path, theirs: Path,
                   path: str = ".beads/issues.jsonl") -> MergeResult:
    """Do what git asks of a merge driver: merge the three files and write the result to `ours`.

    A malformed version raises `MalformedFile` and leaves `ours` as it was; with conflicts the
    result (markers included) is still written, so that git shows it to the person resolving.
    """
    result = merge_files(base.read_bytes(), ours.read_bytes(), theirs.read_bytes(), path=path)
    atomic_write(ours, [result.data], durable=False)
    return result


def merge_issue_lines(base: bytes | None, ours: bytes, theirs: bytes) -> tuple[bytes, str]:
    """Merge one issue's three lines; return the line(s) and a conflict reason, or ''."""
    if ours == theirs or theirs == base:
        return ours, ""
    if ours == base:
        return theirs, ""
    base_data: dict[str, Any] = json.loads(base) if base is not None else {}
    ours_data, theirs_data = json.loads(ours), json.loads(theirs)
    if ours_data == theirs_data:
        return ours, ""
    if base is None and added_apart(ours_data, theirs_data):
        return _markers(ours, theirs), (
            "both sides added an issue with this id, created at different times "
            f"({ours_data.get('created_at')} and {theirs_data.get('created_at')}); "
            "give one of them a new id")
    try:
        merged = reconcile(IssueMerge(base_data, ours_data, theirs_data).merge(), ours_data,
                           theirs_data)
    except Undecided as exc:
        return _markers(ours, theirs), str(exc)
    if merged == ours_data:
        return ours, ""
    if merged == theirs_data:
        return theirs, ""
    known = set(import_violations(ours_data)) | set(import_violations(theirs_data))
    broken = [rule for rule in import_violations(merged) if rule not in known]
    if broken:
        return _markers(ours, theirs), f"the merged issue would break bd's rules: {broken[0]}"
    return encode_line(merged), ""


def _markers(ours: bytes, theirs: bytes) -> bytes:
    return b"<<<<<<< ours\n" + ours + b"=======\n" + theirs + b">>>>>>> theirs\n"
