"""A snapshot of `.beads/issues.jsonl`: raw lines kept, issues parsed only when asked.

A file is checked once, line by line (`parse_file`); `layout_cache` remembers the result under
`.git/` so that the very same file is not checked again.
"""

from __future__ import annotations

import bisect
import contextlib
import operator
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from incident_beads.beads.issue import Issue
from incident_beads.beads.line_check import DECODER, ESCAPE, Visitor, check_line
from incident_beads.errors import MalformedFile, NotFound

_SCANS_BEFORE_INDEX = 8
#: How many line ends (and lines of a word) a remembered layout's checks sample.
SAMPLE = 2048
#: How many issues found by searches a snapshot keeps parsed: the few hundred incident lines a
#: declaration reads several times are parsed once, while a search matching many thousands of
#: lines (a common label) parses the rest one at a time, so memory stays small.
_SHARED_ISSUES = 2_000
#: The same, by the bytes of each line, for the next snapshot of the store: a long-running
#: process (the API, the MCP server), whose writes change a line or two, does not parse the
#: few hundred incident lines again on every call.
_DECODED: dict[bytes, dict[str, Any]] = {}


class Snapshot:
    """The bytes of the file, where each line ends, and which issue id each line holds.

    Its lists are never changed in place (a write makes new ones), so the layout cache keeps
    them for the next read without copying.
    """

    __slots__ = ("_holding", "_index", "_lookups", "_parsed", "_unchecked", "data", "ends",
                 "escaped", "ids", "key", "path", "remembered_in", "unsaved")

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
        # the lines of words remembered with the layout, checked on a word's first search
        self._unchecked: dict[bytes, list[int]] = {}
        # the needles searched for in these bytes that the layout cache does not hold yet
        self.unsaved: set[bytes] = set()
        # the cache file this layout came from: not checked line by line, only proven to fit
        self.remembered_in = remembered_in
        self._index: dict[str, int] | None = None
        self._lookups = 0
        # the parsed object of lines found by searches (see `issue_at`)
        self._parsed: dict[int, dict[str, Any]] = {}

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
            at = data.find(ESCAPE)
            while at >= 0:
                n = bisect.bisect_right(ends, at)
                found.append(n)
                at = data.find(ESCAPE, ends[n]) if n < len(ends) else -1
            self.escaped = found
        return self.escaped

    def lines_holding(self, needle: bytes) -> list[int]:
        """The lines whose bytes hold `needle` (which holds no newline), in order: one search
        of the bytes per needle, remembered for the life of the snapshot (its bytes do not
        change)."""
        found = self._holding.pop(needle, None)  # put back last: the most recently used
        if found is None:
            remembered = self._unchecked.pop(needle, None)
            if remembered is not None and lines_fit(self.data, self.ends, remembered, needle):
                found = remembered  # as the layout cache holds them: nothing to save
        if found is not None:
            self._holding[needle] = found
        else:
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
            self.unsaved.add(needle)
        return found

    def searched(self) -> dict[bytes, list[int]]:
        """Every word searched for so far (or remembered and proven), with the lines holding
        it."""
        return dict(self._holding)

    def unchecked(self) -> dict[bytes, list[int]]:
        """The words remembered with the layout and not searched for yet, with their lines as
        remembered (not checked against these bytes)."""
        return dict(self._unchecked)

    def remember_unchecked(self, words: dict[bytes, list[int]]) -> None:
        """Take the lines of words as the layout cache remembers them: each word's are checked
        when it is first searched for (`lines_holding`), so a command pays only for the words
        it uses."""
        self._unchecked.update((w, lines) for w, lines in words.items() if w not in self._holding)

    def remember(self, holding: dict[bytes, list[int]], *, saved: bool = False) -> None:
        """Take the lines holding each word as found by the writer of this very file (`saved`:
        as the layout cache holds them)."""
        for word in holding:
            self._unchecked.pop(word, None)
        self._holding.update(holding)
        if saved:
            self.unsaved.difference_update(holding)
        else:
            self.unsaved.update(holding)

    def lines_containing(self, *needles: bytes) -> list[int]:
        """The issue lines holding one of `needles` as written, or any `\\u` escape (which could
        spell it otherwise), in file order: the bytes are searched, nothing is parsed."""
        lines = set(self.escaped_lines())
        for needle in needles:
            lines.update(self.lines_holding(needle))
        ids = self.ids
        return [n for n in sorted(lines) if ids[n] is not None]

    def issue_lines_containing(self, *needles: bytes) -> Iterator[tuple[memoryview, Issue]]:
        """The issues of `lines_containing(*needles)`, in file order, parsed as `issue_at`,
        each with its line's bytes."""
        for n in self.lines_containing(*needles):
            yield self.raw(n), self.issue_at(n)

    def issue_at(self, n: int) -> Issue:
        """The issue on line `n`, parsed once for every search of these bytes, and of the next
        snapshots holding the same line (up to `_SHARED_ISSUES` lines): the issues found share
        their parsed objects, which nobody changes in place (a transaction edits a copy)."""
        data = self._parsed.get(n)
        if data is None:
            line = bytes(self.raw(n))
            data = _DECODED.get(line)
            if data is None:
                data = self._parse(n).data
                if len(_DECODED) >= _SHARED_ISSUES:
                    _DECODED.clear()  # lines of snapshots long gone: start again
                _DECODED[line] = data
            if len(self._parsed) < _SHARED_ISSUES:
                self._parsed[n] = data
        return Issue(data)

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
            return Issue(DECODER.decode(str(self.raw(n), "utf-8")))
        except ValueError:  # only a remembered layout can be wrong: checked lines all parse
            raise self.stale(n, "the line is not the one remembered") from None


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
        if ESCAPE in piece:
            escaped.append(number - 1)
        start = stop
    return Snapshot(name, data, ids, ends, escaped=escaped)


def stat_key(stat: os.stat_result) -> list[int]:
    """What tells one file from another at one path: inode, size and change times."""
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def lines_fit(data: bytes, ends: list[int], lines: list[int], needle: bytes) -> bool:
    """Check, as `_layout_fits` checks the line ends, that remembered lines holding `needle`
    (a `\\u` escape, a searched word) fit the bytes.

    The list must be in order and inside the file; every listed line is checked to hold the
    needle when there are few of them (a sample when there are many), and a sample of all the
    lines, the same stride as the line ends, is checked to hold it exactly when listed. A
    store changed outside the tool has another stat and is checked in full instead.
    """
    if lines and (lines[-1] >= len(ends) or lines[0] < 0
                  or not all(map(operator.lt, lines, lines[1:]))):
        return False

    def holds(n: int) -> bool:
        return data.find(needle, ends[n - 1] if n else 0, ends[n]) >= 0

    listed = lines[::max(1, len(lines) // SAMPLE)]
    if not all(map(holds, listed)):
        return False
    known = set(lines)
    return all(holds(n) == (n in known)
               for n in range(0, len(ends), max(1, len(ends) // SAMPLE)))
