"""The store's incidents as the ranking sees them, remembered under `.git/` by each line's bytes.

Step 0 ranks every past incident on each declaration: parsing and checking each incident's
record is most of its cost in a big store. An index keeps, for each incident line, its document
(`context.own_doc`: fields, what a match shows, the tokenized words) under the hash of the
line's bytes. A line whose bytes are unchanged is neither parsed nor checked again; a new or
changed line (the tool's own writes, an edit by hand, a merge) has another hash and is read
afresh, and a line that is gone drops out. The index is rewritten once `REWRITE_AFTER` lines
were added or dropped (until then the few it lacks are read afresh), and a long-running process
keeps it in memory under the file's stat.

The index is never the record: an entry is used only for the very bytes it was made from, and
only if it has the shape of a document; an index that is missing, unreadable, not JSON or of
another version counts as empty; outside git there is no index and every line is read.

Bump `VERSION` whenever what `context.own_doc` or `ranking.tokenize` return changes, or an
entry's layout (`_to_json`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from incident_beads import digests
from incident_beads.beads.cache_files import cache_path, read_cache, write_cache
from incident_beads.beads.snapshot import Snapshot, stat_key
from incident_beads.beads.store import BeadsStore
from incident_beads.errors import MalformedFile, NotFound
from incident_beads.knowledge.context import incident_fields_doc, own_doc
from incident_beads.knowledge.ranking import FIELDS, RankDoc, terms_of
from incident_beads.knowledge.summaries import json_exact
from incident_beads.lifecycle.timeline import incident_from, is_incident

VERSION = 2
NAME = "knowledge-incidents.json"
#: How many lines added or dropped since the index was written make it worth rewriting: a line
#: read afresh costs about a tenth of rewriting the index of a few hundred incidents.
REWRITE_AFTER = 8
#: An entry: id, severity, status, then each field's text and each field's words.
_ENTRY_SIZE = 3 + 2 * len(FIELDS)

#: A line's document as known: whether its entry has the shape of one, the document (None: the
#: line is no incident), the entry.
_Known = tuple[bool, "RankDoc | None", Any]
# The index as this process last read or wrote it, under the file's stat (`stat_key`): a long
# running process (a service, the MCP server) reads and checks it again only once it changed.
_READ: dict[Path, tuple[list[int], dict[str, Any], dict[str, _Known]]] = {}


def incident_docs(store: BeadsStore, *, leave_out: str = "") -> list[RankDoc]:
    """Every readable incident of the store, but `leave_out`, as its own document (write-ups
    not joined yet), in file order: every incident bead names "incident" (its label or its
    record's kind), so only the lines holding that word are looked at."""
    snapshot, lines = store.lines_mentioning("incident")
    index = LineIndex(store.root)
    docs: list[RankDoc] = []
    for n in lines:
        doc = index.doc(snapshot.raw(n), partial(_read, snapshot, n))
        if doc is not None and doc.key != leave_out:
            docs.append(doc)
    index.save()
    return docs


def _read(snapshot: Snapshot, n: int) -> RankDoc | None:
    """The document of line `n`, or None for a line that is no readable, live incident."""
    issue = snapshot.issue_at(n)
    if issue.is_tombstone or not is_incident(issue):
        return None
    try:
        return own_doc(incident_from(issue))
    except (MalformedFile, NotFound):
        return None  # one unreadable bead must not hide every other incident


class LineIndex:
    """One scan's use of the index: entries looked up by the hash of each line's bytes, the
    index rewritten at the end (`save`) with exactly the lines this scan met, once enough of
    them were read afresh (or dropped) to be worth it."""

    def __init__(self, root: Path) -> None:
        self._file = cache_path(root, NAME)
        stat = _stat(self._file)  # taken before reading: a file replaced since is read again
        kept = _READ.get(self._file) if self._file is not None else None
        if kept is not None and kept[0] == stat:  # the very file read or written before
            self._old, self._docs = kept[1], kept[2]
            self._found = True
        else:
            found = read_cache(self._file, VERSION)
            lines = found.get("lines") if found is not None else None
            self._found = isinstance(lines, dict)
            self._old = lines if isinstance(lines, dict) else {}
            self._docs = {}
            if self._found and self._file is not None and stat is not None:
                _READ[self._file] = (stat, self._old, self._docs)
        self._met: dict[str, Any] = {}  # the entries of the lines this scan met

    def doc(self, raw: memoryview, read: Callable[[], RankDoc | None]) -> RankDoc | None:
        """The document of the line `raw`: remembered for these very bytes, else `read()`
        (None: the line is no incident) and remembered."""
        key = digests.blake2b(raw, digest_size=16).hexdigest()
        known = self._docs.get(key)
        if known is None and key in self._old:
            known = self._docs[key] = (*_from_json(self._old[key]), self._old[key])
        if known is not None and known[0]:
            self._met[key] = known[2]
            return known[1]
        found = read()
        data = _to_json(found)
        if json_exact(data):
            self._met[key] = data
            self._docs[key] = (True, found, data)
        return found

    def save(self) -> None:
        """Rewrite the index when there is none yet, or once `REWRITE_AFTER` lines were added
        or dropped since it was written: until then the few lines it lacks are read afresh,
        which costs less than rewriting it."""
        changes = len(self._met.keys() ^ self._old.keys())
        if not changes or (self._found and changes < REWRITE_AFTER) or self._file is None:
            return
        write_cache(self._file, VERSION, {"lines": self._met})
        stat = _stat(self._file)
        if stat is not None:
            _READ[self._file] = (stat, self._met, {key: self._docs[key] for key in self._met})


def _stat(path: Path | None) -> list[int] | None:
    try:
        return stat_key(os.stat(path)) if path is not None else None
    except OSError:
        return None


def _to_json(doc: RankDoc | None) -> Any:
    """A line's entry: null for no incident, else a list of texts: the id, severity and status,
    each field's text, then each field's words joined by spaces (a word holds none)."""
    if doc is None:
        return None
    terms = terms_of(doc)
    return [doc.key, doc.info["severity"], doc.info["status"],
            *(doc.fields.get(name, "") for name in FIELDS),
            *(" ".join(terms.get(name, ())) for name in FIELDS)]


def _from_json(entry: Any) -> tuple[bool, RankDoc | None]:
    """The remembered document (None: the line is no incident), and whether `entry` has the
    shape of one."""
    if entry is None:
        return True, None
    if not (isinstance(entry, list) and len(entry) == _ENTRY_SIZE
            and all(isinstance(text, str) for text in entry)):
        return False, None
    size = len(FIELDS)
    fields = dict(zip(FIELDS, entry[3:3 + size], strict=True))
    terms = {name: words.split() for name, words in zip(FIELDS, entry[3 + size:], strict=True)}
    return True, incident_fields_doc(entry[0], entry[1], entry[2], fields, terms)
