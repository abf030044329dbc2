"""The store's incidents as the ranking sees them, remembered under `.git/` by each line's bytes.

Step 0 ranks every past incident on each declaration: parsing and checking each incident's
record is most of its cost in a big store. An index keeps, for each incident line, its document
(`context.own_doc`: fields, what a match shows, the tokenized words) under the hash of the
line's bytes. A line whose bytes are unchanged is neither parsed nor checked again; a new or
changed line (the tool's own writes, an edit by hand, a merge) has another hash and is read
afresh, and a line that is gone drops out. The index is rewritten only when an entry was
added or dropped.

The index is never the record: an entry is used only for the very bytes it was made from, and
only if it has the shape of a document; an index that is missing, unreadable, not JSON or of
another version counts as empty; outside git there is no index and every line is read.

Bump `VERSION` whenever what `context.own_doc` or `ranking.tokenize` return changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from hashlib import blake2b
from pathlib import Path
from typing import Any, TypeGuard

from incident_beads.beads.cache_files import cache_path, read_cache, write_cache
from incident_beads.beads.snapshot import Snapshot
from incident_beads.beads.store import BeadsStore
from incident_beads.errors import MalformedFile, NotFound
from incident_beads.knowledge.context import own_doc
from incident_beads.knowledge.ranking import FIELDS, RankDoc
from incident_beads.knowledge.summaries import json_exact
from incident_beads.lifecycle.timeline import incident_from, is_incident

VERSION = 1
NAME = "knowledge-incidents.json"
INFO_KEYS = ("id", "title", "severity", "status", "component", "root_cause", "writeup")


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
    index written once at the end (`save`) with exactly the lines this scan met."""

    def __init__(self, root: Path) -> None:
        self._file = cache_path(root, NAME)
        found = read_cache(self._file, VERSION)
        lines = found.get("lines") if found is not None else None
        self._old: dict[str, Any] = lines if isinstance(lines, dict) else {}
        self._kept: dict[str, Any] = {}
        self._added = False

    def doc(self, raw: memoryview, read: Callable[[], RankDoc | None]) -> RankDoc | None:
        """The document of the line `raw`: remembered for these very bytes, else `read()`
        (None: the line is no incident) and remembered."""
        key = blake2b(raw, digest_size=16).hexdigest()
        if key in self._old:
            entry = self._old[key]
            remembered = _from_json(entry)
            if entry is None or remembered is not None:
                self._kept[key] = entry
                return remembered
        found = read()
        data = _to_json(found)
        if json_exact(data):
            self._kept[key] = data
            self._added = True
        return found

    def save(self) -> None:
        """Rewrite the index if this scan added or dropped an entry."""
        if self._added or self._kept.keys() != self._old.keys():
            write_cache(self._file, VERSION, {"lines": self._kept})


def _to_json(doc: RankDoc | None) -> Any:
    if doc is None:
        return None
    return {"key": doc.key, "fields": dict(doc.fields),
            "info": {k: doc.info.get(k) for k in INFO_KEYS},
            "terms": {name: list(words) for name, words in (doc.terms or {}).items()}}


def _from_json(entry: Any) -> RankDoc | None:
    """The remembered document, or None when `entry` does not have the shape of one."""
    if not isinstance(entry, dict):
        return None
    key, fields, info, terms = (entry.get(k) for k in ("key", "fields", "info", "terms"))
    if not (isinstance(key, str) and _texts(fields, FIELDS, str) and _texts(info, INFO_KEYS)
            and isinstance(terms, dict) and terms.keys() == set(FIELDS)
            and all(isinstance(words, list) and all(isinstance(w, str) for w in words)
                    for words in terms.values())):
        return None
    return RankDoc(key, "incident", fields, info, terms)


def _texts(value: Any, keys: tuple[str, ...], *kinds: type) -> TypeGuard[dict[str, Any]]:
    """True for a dict of exactly `keys`, each a text (or of `kinds`, else a text or None)."""
    allowed = kinds or (str, type(None))
    return (isinstance(value, dict) and value.keys() == set(keys)
            and all(isinstance(v, allowed) for v in value.values()))
