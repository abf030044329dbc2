"""Bring back from the journal what the work tree lost: merged by issue id, nothing newer lost.

For each issue the journal holds, the work tree's line wins when it is the same or newer (its
`updated_at` is later or equal); the journal's wins when the work tree lacks the issue or holds
an older version of it. Issues only the work tree has are left alone.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from incident_beads.beads.issue import parse_ts
from incident_beads.beads.journal import Journal, blob_id, entry_path
from incident_beads.beads.store import BeadsStore
from incident_beads.config import BeadsConfig
from incident_beads.errors import NoStore

MISSING = "missing"
OLDER = "older"


class Behind(NamedTuple):
    """One issue whose journaled version the work tree lacks."""

    issue_id: str
    reason: str  # MISSING: not in the work tree; OLDER: the work tree holds an older version
    journal_updated_at: str
    work_updated_at: str | None
    record: dict[str, Any]

    def describe(self) -> str:
        """One line for people."""
        if self.reason == MISSING:
            return (f"{self.issue_id}: missing from the work tree "
                    f"(journal: {self.journal_updated_at})")
        return (f"{self.issue_id}: the work tree holds an older version ({self.work_updated_at}; "
                f"journal: {self.journal_updated_at})")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"id": self.issue_id, "reason": self.reason,
                "journal_updated_at": self.journal_updated_at,
                "work_updated_at": self.work_updated_at}


class Comparison(NamedTuple):
    """The work tree against the journal."""

    behind: list[Behind]  # what the work tree lacks, in id order
    written_lines: set[int]  # 1-based numbers of the lines exactly as the store wrote them


def compare(store: BeadsStore) -> Comparison:
    """Compare the work tree's store with its journal, issue by issue."""
    journal = journal_of(store)
    entries = journal.entries() if journal is not None else {}
    if journal is None or not entries:
        return Comparison([], set())
    snapshot = store.snapshot()
    algorithm = journal.algorithm
    differing: set[str] = set()
    written: set[int] = set()
    for n, issue_id in enumerate(snapshot.ids):
        if issue_id is None:
            continue
        path = entry_path(issue_id)
        blob = entries.get(path)
        if blob is None:
            continue
        raw = snapshot.raw(n)
        line = raw if bytes(raw[-1:]) == b"\n" else bytes(raw) + b"\n"
        if blob_id(line, algorithm) == blob:
            del entries[path]  # the very line the store wrote: nothing to do
            written.add(n + 1)
        else:
            differing.add(path)
    contents = journal.read(entries.values())
    found: list[Behind] = []
    for path, blob in entries.items():
        record = _record(contents.get(blob))
        if record is None or entry_path(record["id"]) != path:
            continue  # not a line this store wrote; nothing to bring back from it
        issue_id = record["id"]
        theirs = str(record.get("updated_at", ""))
        if path not in differing:
            found.append(Behind(issue_id, MISSING, theirs, None, record))
            continue
        mine = str(snapshot.get(issue_id).data.get("updated_at", ""))
        if _newer(theirs, mine):
            found.append(Behind(issue_id, OLDER, theirs, mine, record))
    return Comparison(sorted(found), written)


def behind(store: BeadsStore) -> list[Behind]:
    """What the journal holds that the work tree lacks, in id order (empty: nothing lost)."""
    return compare(store).behind


def recover(store: BeadsStore, *, dry_run: bool = False) -> list[Behind]:
    """Write back what `behind` finds, in one locked write; return what was brought back."""
    if dry_run:
        return behind(store)
    with store.transaction() as tx:
        # read again under the lock: a writer in between may have brought some of it back
        found = behind(store)
        for item in found:
            tx.restore(item.record)
    return found


def recover_repository(root: Path | str, *, config: BeadsConfig | None = None,
                       dry_run: bool = False) -> tuple[BeadsStore, list[Behind]]:
    """`recover` for the store of `root`, also when `git clean` removed `.beads/` itself.

    Without a store and without a journal there is nothing to recover: `NoStore`.
    """
    root = Path(root)
    store = BeadsStore(root, config=config)
    if not store.persistent:
        journal = Journal.of(root)
        if journal is None or journal.tip() is None:
            raise NoStore(f"no beads store in {root}, and no journal to recover one from",
                          hint="run `incident init` (or `bd init`) first")
        if not dry_run:  # made again, then filled from the journal
            from incident_beads.beads.init_store import init_store

            init_store(root)
            store = BeadsStore(root, config=config)
    return store, recover(store, dry_run=dry_run)


def journal_of(store: BeadsStore) -> Journal | None:
    """The journal of the store's repository, also for a store whose `.beads/` is gone."""
    if not store.journal_enabled:
        return None
    return Journal.of(Path(store.root))


def _record(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        record = json.loads(data)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    return record


def _newer(theirs: str, mine: str) -> bool:
    """True when the journal's `updated_at` is strictly later than the work tree's."""
    try:
        later: datetime = parse_ts(theirs)
    except ValueError:
        return False
    try:
        return later > parse_ts(mine)
    except ValueError:
        return True  # the work tree's version has no readable time; the journal's has
