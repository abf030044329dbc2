"""Summaries of knowledge files remembered under `.git/incident-beads/`, keyed by each file's stat.

Step 0 reads the front matter and title of every write-up and the sections of the critical
patterns file on each declaration; parsing them is most of its cost. An index keeps each file's
summary with its repository-relative path and `stat_key` (inode, size, modification and change
times): a file whose stat matches its entry is neither read nor parsed; a new or changed file is
read and parsed afresh, and a file that is gone drops out. The index is rewritten only when an
entry was added, replaced or dropped.

The index is never the record. An entry is used only for the same path with the same stat and
only if it has the shape of a summary; an index that is missing, unreadable, not JSON or of
another version counts as empty; a summary that would not come back from JSON exactly (a tuple,
a set, bytes, a float that is not finite) is not remembered, so its file is parsed every time.
A file modified less than `SETTLE_NS` before the scan could change again within the same tick of
the file system's clock and keep its size and times (git's "racily clean" entries): its summary
is remembered with the hash of its bytes, and used only while the file still hashes the same (a
file changing while it is parsed is not remembered); once the file has settled, the hash is
checked a last time and dropped. Outside git there is no index, and every file is parsed as
before.

Bump `VERSION` whenever what `writeup_summary.summarize` or `patterns.read_sections` return changes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from incident_beads import digests
from incident_beads.beads.cache_files import cache_path, read_cache, write_cache
from incident_beads.beads.snapshot import stat_key

VERSION = 2  # 2: entries of files that had not settled carry their hash
#: How long a file must have stayed unmodified before its summary is remembered (2 s: the
#: coarsest time stamps in common use, FAT's).
SETTLE_NS = 2_000_000_000

T = TypeVar("T")


def json_exact(value: Any) -> bool:
    """True when `value`, written as the cache writes it, is read back equal (and so the same:
    JSON keeps strings, integers, floats, booleans and null apart, and a tuple read back as a
    list is not equal to it)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")  # a lone surrogate cannot be written
    except (TypeError, ValueError):
        return False
    return bool(json.loads(text) == value)


class SummaryIndex:
    """One scan's use of the index named `part`: entries checked as files are looked up, the
    index written once at the end (`save`) with exactly the files this scan met."""

    def __init__(self, root: Path, part: str) -> None:
        self._file = cache_path(root, f"knowledge-{part}.json")
        found = read_cache(self._file, VERSION)
        files = found.get("files") if found is not None else None
        self._old: dict[str, Any] = files if isinstance(files, dict) else {}
        self._kept: dict[str, Any] = {}
        self._added = False
        self._settled_before = time.time_ns() - SETTLE_NS

    def summary(self, relative: str, path: Path, compute: Callable[[str, Path], T | None],
                to_json: Callable[[T], Any],
                from_json: Callable[[str, Any], T | None]) -> T | None:
        """The summary of the file `relative` (at `path`): the remembered one if the file's stat
        matches its entry (and, for a file that had not settled, its bytes their hash), else
        `compute(relative, path)` (None: the file could not be read), remembered if it can be.

        `from_json` returns None for a value that does not have the shape of a summary.
        """
        try:
            stat = path.stat()
        except OSError:
            return compute(relative, path)
        key = stat_key(stat)
        settled = stat.st_mtime_ns < self._settled_before
        entry = self._old.get(relative)
        if isinstance(entry, dict) and entry.get("key") == key:
            racy = "digest" in entry
            remembered = from_json(relative, entry.get("summary"))
            if remembered is not None and (not racy or entry["digest"] == _digest(path)):
                if racy and settled:
                    entry = {"key": key, "summary": entry.get("summary")}
                    self._added = True
                self._kept[relative] = entry
                return remembered
        before = None if settled else _digest(path)
        value = compute(relative, path)
        if value is None or (not settled and (before is None or _digest(path) != before)):
            return value
        data = to_json(value)
        if json_exact(data):
            self._kept[relative] = ({"key": key, "summary": data} if settled else
                                    {"key": key, "digest": before, "summary": data})
            self._added = True
        return value

    def save(self) -> None:
        """Rewrite the index if this scan added, replaced or dropped an entry."""
        if self._added or self._kept.keys() != self._old.keys():
            write_cache(self._file, VERSION, {"files": self._kept})


def _digest(path: Path) -> str | None:
    """The hash of a file's bytes (None: it cannot be read)."""
    try:
        return digests.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None

