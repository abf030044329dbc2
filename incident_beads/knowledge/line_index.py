"""What was made from a store line, remembered under `.git/` by the hash of the line's bytes.

Reading an incident's record (parsing and checking it) is most of the cost of the knowledge
steps that look at every incident of a big store. An index keeps, for each line those steps
met, what they made of it (a ranking document, the facts of a trend) under the hash of the
line's bytes: a line whose bytes are unchanged is neither parsed nor checked again; a new or
changed line (the tool's own writes, an edit by hand, a merge) has another hash and is read
afresh, and a line that is gone drops out. An index is rewritten once `REWRITE_AFTER` lines
were added or dropped (until then the few it lacks are read afresh), and a long-running process
keeps it in memory under the file's stat.

The index is never the record: an entry is used only for the very bytes it was made from, and
only if it has the shape its `from_json` expects; an index that is missing, unreadable, not JSON
or of another version counts as empty; outside git there is no index and every line is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from incident_beads import digests
from incident_beads.beads.cache_files import cache_path, read_cache, write_cache
from incident_beads.beads.snapshot import stat_key
from incident_beads.knowledge.summaries import json_exact

T = TypeVar("T")
#: How many lines added or dropped since the index was written make it worth rewriting: a line
#: read afresh costs about a tenth of rewriting the index of a few hundred incidents.
REWRITE_AFTER = 8

#: What a line gave: whether its entry has the shape of one, the value (None: nothing to
#: remember of the line, as a line that is no incident), the entry.
_Known = tuple[bool, Any, Any]
# Each index as this process last read or wrote it, under the file's stat (`stat_key`): a long
# running process (a service, the MCP server) reads and checks it again only once it changed.
_READ: dict[Path, tuple[list[int], dict[str, Any], dict[str, _Known]]] = {}


class LineIndex(Generic[T]):
    """One scan's use of the index `name`: entries looked up by the hash of each line's bytes,
    the index rewritten at the end (`save`) with exactly the lines this scan met, once enough
    of them were read afresh (or dropped) to be worth it.

    `to_json` makes an entry of a value (None included); `from_json` gives back whether an
    entry has the shape of one, and its value.
    """

    def __init__(self, root: Path, name: str, version: int,
                 to_json: Callable[[T | None], Any],
                 from_json: Callable[[Any], tuple[bool, T | None]]) -> None:
        self._file = cache_path(root, name)
        self._version = version
        self._to_json, self._from_json = to_json, from_json
        stat = _stat(self._file)  # taken before reading: a file replaced since is read again
        kept = _READ.get(self._file) if self._file is not None else None
        if kept is not None and kept[0] == stat:  # the very file read or written before
            self._old, self._values = kept[1], kept[2]
            self._found = True
        else:
            found = read_cache(self._file, version)
            lines = found.get("lines") if found is not None else None
            self._found = isinstance(lines, dict)
            self._old = lines if isinstance(lines, dict) else {}
            self._values = {}
            if self._found and self._file is not None and stat is not None:
                _READ[self._file] = (stat, self._old, self._values)
        self._met: dict[str, Any] = {}  # the entries of the lines this scan met

    def value(self, raw: bytes | memoryview, read: Callable[[], T | None]) -> T | None:
        """What the line `raw` gives: remembered for these very bytes, else `read()` (None:
        nothing, as for a line that is no incident) and remembered."""
        key = digests.blake2b(raw, digest_size=16).hexdigest()
        known = self._values.get(key)
        if known is None and key in self._old:
            known = self._values[key] = (*self._from_json(self._old[key]), self._old[key])
        if known is not None and known[0]:
            self._met[key] = known[2]
            value: T | None = known[1]
            return value
        found = read()
        data = self._to_json(found)
        if json_exact(data):
            self._met[key] = data
            self._values[key] = (True, found, data)
        return found

    def save(self) -> None:
        """Rewrite the index when there is none yet, or once `REWRITE_AFTER` lines were added
        or dropped since it was written: until then the few lines it lacks are read afresh,
        which costs less than rewriting it."""
        changes = len(self._met.keys() ^ self._old.keys())
        if not changes or (self._found and changes < REWRITE_AFTER) or self._file is None:
            return
        write_cache(self._file, self._version, {"lines": self._met})
        stat = _stat(self._file)
        if stat is not None:
            _READ[self._file] = (stat, self._met,
                                 {key: self._values[key] for key in self._met})


def _stat(path: Path | None) -> list[int] | None:
    try:
        return stat_key(os.stat(path)) if path is not None else None
    except OSError:
        return None
