"""Read `.beads/issues.jsonl` into a snapshot: raw lines kept, issues parsed only when asked.

A file is checked once, line by line; the result (ids and line ends) is remembered under
`.git/` keyed by the file's inode, size and change times, so a later write that finds the file
unchanged splices its new lines in without parsing the rest again.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import operator
import os
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from incident_beads.beads.fileio import atomic_write, find_git_dir, read_regular
from incident_beads.beads.issue import Issue
from incident_beads.beads.limits import MAX_LINE_BYTES
from incident_beads.errors import MalformedFile, NotFound

_LIST_OF_STR = ("labels",)
_LIST_OF_OBJ = ("dependencies", "comments")
_STR_KEYS = ("title", "status", "issue_type", "description", "created_at", "updated_at",
             "closed_at")
_CACHE_VERSION = 4
_SCANS_BEFORE_INDEX = 8
_LAYOUT_SAMPLE = 2048
_ESCAPE = b"\\u"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# bd's Go decoder refuses NaN and Infinity, which Python's would accept.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


class Snapshot:
    """The bytes of the file, where each line ends, and which issue id each line holds."""

    __slots__ = ("_holding", "_index", "_lookups", "data", "ends", "escaped", "ids", "key",
                 "path", "remembered_in")

    def __init__(self, path: str, data: bytes, ids: list[str | None], ends: list[int],
                 remembered_in: Path | None = None, escaped: list[int] | None = None) -> None:
        self.path = path
        self.data = data
        self.ids = ids  # None for blank lines and non-issue records
        self.ends = ends
        # the lines holding a `\u` escape, in order (None: not looked for yet)
        self.escaped = escaped
        # the stat (inode, size, change times) of the file these bytes were read from
        self.key: list[int] | None = None
        self._holding: dict[bytes, list[int]] = {}  # the lines each needle was found on
        # the cache file this layout came from: not checked line by line, only proven to fit
        self.remembered_in = remembered_in
        self._index: dict[str, int] | None = None
        self._lookups = 0

    @property
    def index(self) -> dict[str, int]:
        """Line number (0-based) of every issue id, built on first use."""
        if self._index is None:
            self._index = {issue_id: n for n, issue_id in enumerate(self.ids)
                           if issue_id is not None}
        return self._index

    def line_of(self, issue_id: str) -> int | None:
        """The line number of `issue_id`, or None.

        A command that looks up one or two ids scans the list (in C) rather than building an
        index of a 100,000-line file; one that looks up many builds the index.
        """
        if self._index is None and self._lookups < _SCANS_BEFORE_INDEX:
            self._lookups += 1
            try:
                return self.ids.index(issue_id)
            except ValueError:
                return None
        return self.index.get(issue_id)

    def issue_count(self) -> int:
        """How many issue lines (tombstones included) the file holds."""
        return len(self.ids) - self.ids.count(None)

    @classmethod
    def empty(cls, path: str) -> Snapshot:
        """A store with no lines."""
        return cls(path, b"", [], [], escaped=[])

    def raw(self, n: int) -> memoryview:
        """Line `n` (0-based) as written, with its newline."""
        start = self.ends[n - 1] if n else 0
        return memoryview(self.data)[start:self.ends[n]]

    def get(self, issue_id: str) -> Issue:
        """Parse the line of `issue_id`."""
        n = self.line_of(issue_id)
        if n is None:
            from incident_beads.beads.suggest import not_found_hint  # only on a miss

            raise NotFound(f"no issue {issue_id!r} in {self.path}",
                           hint=not_found_hint(issue_id, self.ids))
        issue = self._parse(n)
        if issue.data.get("id") != issue_id:
            raise self.stale(n, f"expected issue {issue_id} on this line")
        return issue

    def issues(self) -> Iterator[Issue]:
        """Every issue in file order, parsed one at a time."""
        for n, issue_id in enumerate(self.ids):
            if issue_id is not None:
                yield self._parse(n)

    def escaped_lines(self) -> list[int]:
        """The lines holding a `\\u` escape, in order: remembered with the layout, else found
        with one search of the bytes."""
        if self.escaped is None:
            data, ends = self.data, self.ends
            found: list[int] = []
            at = data.find(_ESCAPE)
            while at >= 0:
                n = bisect.bisect_right(ends, at)
                found.append(n)
                at = data.find(_ESCAPE, ends[n]) if n < len(ends) else -1
            self.escaped = found
        return self.escaped

    def lines_holding(self, needle: bytes) -> list[int]:
        """The lines whose bytes hold `needle` (which holds no newline), in order: one search
        of the bytes per needle, remembered for the life of the snapshot (its bytes do not
        change)."""
        found = self._holding.get(needle)
        if found is None:
            data, ends = self.data, self.ends
            found = []
            at = data.find(needle)
            while at >= 0:
                n = bisect.bisect_right(ends, at)
                if n >= len(ends):
                    break
                found.append(n)
                at = data.find(needle, ends[n])
            self._holding[needle] = found
        return found

    def searched(self) -> dict[bytes, list[int]]:
        """Every word searched for so far, with the lines holding it."""
        return dict(self._holding)

    def remember(self, holding: dict[bytes, list[int]]) -> None:
        """Take the lines holding each word as found by the writer of this very file."""
        self._holding.update(holding)

    def issues_containing(self, *needles: bytes) -> Iterator[Issue]:
        """The issues whose line holds one of `needles` as written, or any `\\u` escape (which
        could spell it otherwise), in file order: the bytes are searched before any parsing."""
        lines = set(self.escaped_lines())
        for needle in needles:
            lines.update(self.lines_holding(needle))
        for n in sorted(lines):
            if self.ids[n] is not None:
                yield self._parse(n)

    def starts_line(self, offset: int) -> bool:
        """True when a line may start at `offset`: the top, the end, or just after a newline."""
        return offset in (0, len(self.data)) or self.data[offset - 1:offset] == b"\n"

    def stale(self, n: int, what: str) -> MalformedFile:
        """The error for a remembered layout that turned out not to fit; it is forgotten."""
        if self.remembered_in is not None:
            with contextlib.suppress(OSError):
                self.remembered_in.unlink()
        return MalformedFile(self.path, n + 1, what,
                             hint="run the command again (the file changed underneath)")

    def _parse(self, n: int) -> Issue:
        try:
            return Issue(_DECODER.decode(str(self.raw(n), "utf-8")))
        except ValueError:  # only a remembered layout can be wrong: checked lines all parse
            raise self.stale(n, "the line is not the one remembered") from None


Visitor = Callable[[dict[str, Any]], None]


def parse_file(path: Path, data: bytes, visit: Visitor | None = None) -> Snapshot:
    """Check every line of `data`; refuse the first bad one as `<file>:<line>: <what>`.

    `visit` sees each issue's parsed object as it goes, so a caller that needs every issue
    parses the file once.
    """
    name = str(path)
    ids: list[str | None] = []
    ends: list[int] = []
    seen: dict[str, int] = {}
    escaped: list[int] = []
    start, size, number = 0, len(data), 0
    # one line at a time rather than split(): the file is not held twice in memory
    while start < size:
        newline = data.find(b"\n", start)
        stop = size if newline < 0 else newline + 1
        number += 1
        ends.append(stop)
        piece = data[start:stop - (newline >= 0)]
        ids.append(check_line(name, number, piece, seen, visit))
        if _ESCAPE in piece:
            escaped.append(number - 1)
        start = stop
    return Snapshot(name, data, ids, ends, escaped=escaped)


def check_line(name: str, number: int, piece: bytes, seen: dict[str, int],
               visit: Visitor | None) -> str | None:
    """Check one line (1-based `number`); return its issue id, or None for other lines."""
    def bad(what: str, hint: str | None = None) -> MalformedFile:
        return MalformedFile(name, number, what, hint=hint)

    if number == 1 and piece.startswith(b"\xef\xbb\xbf"):
        raise bad("the file starts with a byte order mark", "save the file as UTF-8 without BOM")
    if piece.endswith(b"\r"):
        raise bad("the line ends with CR LF", "convert the file to LF line endings")
    if len(piece) > MAX_LINE_BYTES:
        raise bad(f"the line has {len(piece):,} bytes (at most {MAX_LINE_BYTES:,})",
                  "remove or shorten the line")
    if not piece.strip():
        return None
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON: {exc.msg} (column {exc.colno})",
                  "fix or remove the line, then run `incident doctor`") from None
    except RecursionError:
        raise bad("not valid JSON: nested too deeply") from None
    except ValueError as exc:  # NaN, Infinity, integers too long to convert
        raise bad(f"not valid JSON: {str(exc).split(';')[0]}") from None
    if not isinstance(data, dict):
        raise bad(f"a line must be a JSON object, not {type(data).__name__}")
    kind = data.get("_type", "issue")
    if kind != "issue":
        return None  # another record type (memories...): kept as it is
    issue_id = data.get("id")
    if not isinstance(issue_id, str) or not issue_id:
        raise bad("the issue has no string `id`")
    problem = type_problem(data)
    if problem:
        raise bad(f"issue {issue_id}: {problem}")
    if issue_id in seen:
        raise bad(f"duplicate id {issue_id} (first on line {seen[issue_id]})",
                  "remove one of the two lines")
    seen[issue_id] = number
    if visit is not None:
        visit(data)
    return issue_id


def type_problem(data: dict[str, Any]) -> str:
    """What makes the issue's known keys the wrong JSON types for bd, or empty."""
    for key in _STR_KEYS:
        if key in data and data[key] is not None and not isinstance(data[key], str):
            return f"`{key}` must be a string, not {type(data[key]).__name__}"
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        return f"`priority` must be an integer, not {type(priority).__name__}"
    for key in _LIST_OF_STR:
        value = data.get(key)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(x, str) for x in value)):
            return f"`{key}` must be a list of strings"
    for key in _LIST_OF_OBJ:
        value = data.get(key)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(x, dict) for x in value)):
            return f"`{key}` must be a list of objects"
    return ""


def _stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


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
            if header.get("v") != _CACHE_VERSION or header.get("key") != _stat_key(stat):
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
        header = json.dumps({"v": _CACHE_VERSION, "key": _stat_key(stat), "lines": len(ids),
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
        return data.find(_ESCAPE, ends[n - 1] if n else 0, ends[n]) >= 0

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
            known.key = _stat_key(stat)
            if visit is not None:
                for issue in known.issues():
                    visit(issue.data)
            return known
    snapshot = parse_file(path, data, visit)
    snapshot.key = _stat_key(stat)
    if cache is not None:
        cache.save(snapshot, stat)
    return snapshot
