"""The store's incidents as the ranking sees them, remembered by each line's bytes.

Step 0 ranks every past incident on each declaration: parsing and checking each incident's
record is most of its cost in a big store. A line index (`line_index.py`) keeps, for each line
that may hold an incident, its document (`context.own_doc`: fields, what a match shows, the
tokenized words), or that it is none.

Bump `VERSION` whenever what `context.own_doc` or `ranking.tokenize` return changes, or an
entry's layout (`_to_json`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from incident_beads.beads.snapshot import Snapshot
from incident_beads.beads.store import BeadsStore
from incident_beads.knowledge.context import incident_fields_doc, own_doc
from incident_beads.knowledge.line_index import LineIndex
from incident_beads.knowledge.ranking import FIELDS, RankDoc, terms_of
from incident_beads.lifecycle.timeline import readable_incident

VERSION = 2
NAME = "knowledge-incidents.json"
#: An entry: id, severity, status, then each field's text and each field's words.
_ENTRY_SIZE = 3 + 2 * len(FIELDS)


def index_of(root: Path) -> LineIndex[RankDoc]:
    """The incidents' index of the repository at `root`, for one scan."""
    return LineIndex(root, NAME, VERSION, _to_json, _from_json)


def incident_docs(store: BeadsStore, *, leave_out: str = "") -> list[RankDoc]:
    """Every readable incident of the store, but `leave_out`, as its own document (write-ups
    not joined yet), in file order: every incident bead names "incident" (its label or its
    record's kind), so only the lines holding that word are looked at."""
    snapshot, lines = store.lines_mentioning("incident")
    index = index_of(store.root)
    docs: list[RankDoc] = []
    for n in lines:
        doc = index.value(snapshot.raw(n), partial(_read, snapshot, n))
        if doc is not None and doc.key != leave_out:
            docs.append(doc)
    index.save()
    return docs


def _read(snapshot: Snapshot, n: int) -> RankDoc | None:
    """The document of line `n`, or None for a line that is no readable, live incident."""
    incident = readable_incident(snapshot.issue_at(n))
    return own_doc(incident) if incident is not None else None


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
