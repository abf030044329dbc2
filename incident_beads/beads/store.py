"""The beads store: read-modify-write of `.beads/issues.jsonl`, one line per changed issue.

Reading keeps the file as last read and checked (`snapshot`), and the lines this store last
wrote; writing is one `transaction()` under the writers' lock: `beads.transaction` holds what a
transaction may change, `beads.write` how the changes reach the disk.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_beads.beads import bd
from incident_beads.beads import ids as idgen
from incident_beads.beads.fileio import inside_repository, locked, remove_stale_temps
from incident_beads.beads.issue import Issue
from incident_beads.beads.layout_cache import SnapshotCache, keeps_words, read_snapshot
from incident_beads.beads.line_check import DECODER
from incident_beads.beads.placement import lay_out
from incident_beads.beads.query import label_needle, matcher, strings_in
from incident_beads.beads.ready import ready_issues
from incident_beads.beads.snapshot import Snapshot, stat_key
from incident_beads.beads.transaction import Changes
from incident_beads.beads.write import Written, write_changes
from incident_beads.clock import Clock
from incident_beads.config import BeadsConfig
from incident_beads.errors import IncidentBeadsError, NotFound

if TYPE_CHECKING:  # the journal (and subprocess) load on the first write, not for `list`
    from incident_beads.beads.journal import Journal

ISSUES_FILE = "issues.jsonl"


#: An issue with the bytes of its line as read or written (None: not read from a file).
IssueLine = tuple[bytes | memoryview | None, Issue]


def _issue_of(line: bytes) -> Issue:
    """An issue from a line this store wrote (it passed every check when written)."""
    return Issue(DECODER.decode(line.decode("utf-8")))


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


class BeadsStore:
    """The issues of one repository: `.beads/issues.jsonl`, or memory when there is no `.beads/`."""

    def __init__(self, root: Path | str, *, config: BeadsConfig | None = None,
                 clock: Clock = utc_now, journal: bool = True) -> None:
        self.root = Path(root)
        # Each write is also kept in the repository's objects (see `beads.journal`).
        self.journal_enabled = journal
        self.beads_dir = inside_repository(self.root, self.root / ".beads")
        self.path = inside_repository(self.root, self.beads_dir / ISSUES_FILE)
        self.config = config or BeadsConfig()
        self.clock = clock
        self.persistent = self.beads_dir.is_dir()
        self._memory = Snapshot.empty("(memory)")
        self._cache = SnapshotCache(self.path) if self.persistent else None
        self._prefix: str | None = None
        # What this store last wrote, keyed by the file's stat right after: the lines it
        # changed, the lines holding each word searched for, and (when light enough) those
        # lines' bytes. While the file is still that very file, reading a changed issue back
        # or searching for those words again needs no second read of the store.
        self._wrote: Written | None = None
        # The file as last read and checked: read again only once the file is another (its
        # inode, size or change times differ), so a command that reads twice reads once.
        self._read: Snapshot | None = None
        # Run inside each write, under the lock, before the caller's changes (bd's export).
        self.before_changes: list[Callable[[Changes], Any]] = []
        # Run inside each write, under the lock, after the caller's changes and before the file
        # is replaced (the notification outbox records what is about to be announced).
        self.before_write: list[Callable[[Changes], Any]] = []
        self.after_write: list[Callable[[BeadsStore], None]] = []
        # Problems that did not stop a write (a failing `bd import`); the CLI prints them.
        self.warnings: list[str] = []
        if self.persistent:
            bd.attach(self)

    # reading ---------------------------------------------------------------------------
    def snapshot(self, visit: Callable[[dict[str, Any]], None] | None = None) -> Snapshot:
        """The current file, checked (`visit` sees each issue's parsed object)."""
        if not self.persistent:
            return self._memory
        last = self._read
        if last is not None:
            try:
                same = stat_key(os.stat(self.path)) == last.key
            except OSError:
                same = False
            if same:
                if visit is not None:
                    for issue in last.issues():
                        visit(issue.data)
                return last
        self._read = None  # the bytes of another file are let go before these are read
        self._read = read_snapshot(self.path, self._cache, visit)
        wrote = self._wrote
        if wrote is not None and wrote.key == self._read.key:
            self._read.remember(wrote.searched, saved=True)  # the write saved them with its layout
        return self._read

    def _last_written(self) -> Written | None:
        """What this store last wrote, while the file is still the one it wrote."""
        wrote = self._wrote
        if wrote is None:
            return None
        try:
            return wrote if stat_key(os.stat(self.path)) == wrote.key else None
        except OSError:
            return None

    def _issues_containing(self, *needles: bytes) -> Iterator[tuple[bytes | memoryview, Issue]]:
        """The snapshot's issues whose line may hold one of `needles`, each with its line's
        bytes; the lines found for a word not searched before are remembered with the layout,
        for the next command."""
        if self._read is None:  # not read since this store's last write: it may know them
            kept = self._kept_lines(needles)
            if kept is not None:
                for line in kept:
                    yield line, _issue_of(line)
                return
        snapshot = self.snapshot()
        yield from snapshot.issue_lines_containing(*needles)
        self._save_searches(snapshot)

    def lines_mentioning(self, word: str) -> tuple[Snapshot, list[int]]:
        """The current snapshot and its issue lines that may hold `word` as a JSON string (see
        `issues_mentioning`), none of them parsed (tombstones too)."""
        snapshot = self.snapshot()
        needle = label_needle(word)
        if needle is None:
            return snapshot, [n for n, issue_id in enumerate(snapshot.ids) if issue_id is not None]
        lines = snapshot.lines_containing(needle)
        self._save_searches(snapshot)
        return snapshot, lines

    def _save_searches(self, snapshot: Snapshot) -> None:
        if (snapshot.unsaved and self._cache is not None and snapshot.key is not None
                and keeps_words(len(snapshot.ends))):
            with contextlib.suppress(OSError):
                if stat_key(os.stat(self.path)) == snapshot.key:  # still the file searched
                    self._cache.save(snapshot, snapshot.key)
            snapshot.unsaved.clear()

    def _kept_lines(self, needles: tuple[bytes, ...]) -> list[bytes] | None:
        """The lines that may hold `needles` as this store last wrote them (None: not kept)."""
        wrote = self._wrote
        if (wrote is None or wrote.kept is None or wrote.escaped is None
                or any(needle not in wrote.searched for needle in needles)
                or self._last_written() is None):
            return None
        kept = wrote.kept
        numbers = set(wrote.escaped).union(*(wrote.searched[needle] for needle in needles))
        return [kept[n] for n in sorted(numbers) if n in kept]

    def get(self, issue_id: str) -> Issue:
        """One issue by id."""
        wrote = self._wrote
        if wrote is not None and issue_id in wrote.lines and self._last_written() is not None:
            return _issue_of(wrote.lines[issue_id])
        return Changes(self, self.snapshot()).get(issue_id)

    def issues(self) -> Iterator[Issue]:
        """Every live issue in file order (tombstones left out)."""
        return Changes(self, self.snapshot()).issues()

    def issues_mentioning(self, *words: str) -> list[Issue]:
        """Every live issue whose line may hold one of `words` as a JSON string (a label, a
        record's kind, an id): a superset found on the raw bytes, so the rest of a big store
        is not parsed. Callers still check what they need on each issue."""
        return [issue for _, issue in self.issue_lines_mentioning(*words)]

    def issue_lines_mentioning(self, *words: str) -> list[IssueLine]:
        """`issues_mentioning`, each issue with the bytes of its line as read or written (None
        where the store is not read from a file): what was made of those very bytes can be
        looked up by them (`knowledge.line_index`)."""
        needles = [label_needle(word) for word in words]
        if not self.persistent or not needles or None in needles:
            wanted = set(words)
            return [(None, i) for i in self.issues() if wanted & strings_in(i.data)]
        return [(line, issue) for line, issue in self._issues_containing(*filter(None, needles))
                if not issue.is_tombstone]

    def query(self, *, status: str | Iterable[str] | None = None, issue_type: str | None = None,
              label: str | None = None, priority: int | None = None,
              include_closed: bool = False) -> list[Issue]:
        """Issues matching every filter given; closed ones only when asked or filtered for."""
        found: list[Issue] = []
        self._scan(matcher(status, issue_type, label, priority, include_closed), found.append,
                   label)
        return found

    def summaries(self, *, row: Callable[[Issue], dict[str, Any]] | None = None,
                  **filters: Any) -> list[dict[str, Any]]:
        """Like `query`, keeping only the listed fields (or what `row` makes of each issue):
        big stores list in little memory."""
        found: list[dict[str, Any]] = []
        make = row or Issue.summary
        self._scan(matcher(**filters), lambda issue: found.append(make(issue)),
                   filters.get("label"))
        return found

    def _scan(self, keep: Callable[[Issue], bool], collect: Callable[[Issue], Any],
              label: str | None = None) -> None:
        def visit(data: dict[str, Any]) -> None:
            issue = Issue(data)
            if keep(issue):
                collect(issue)

        needle = label_needle(label)
        if self.persistent and needle is not None:
            # Only lines holding the label can match: the others are not parsed (a file not
            # seen before is still checked line by line first, as every read does).
            for _, issue in self._issues_containing(needle):
                visit(issue.data)
        elif self.persistent:
            self.snapshot(visit)
        else:
            for issue in self._memory.issues():
                visit(issue.data)

    def ready(self) -> list[Issue]:
        """Open work with no open blocker, as `bd ready` lists it."""
        return ready_issues(self.issues(), self.clock())

    @property
    def prefix(self) -> str:
        """The id prefix: bd's config, else the ids in the file, else ours, else the folder."""
        return self.prefix_for(self.snapshot())

    def prefix_for(self, snapshot: Snapshot) -> str:
        """The id prefix, reading the ids of `snapshot` when bd's config names none."""
        if self._prefix is None:
            found = idgen.configured_prefix(self.beads_dir) if self.persistent else ""
            found = found or idgen.most_common_prefix(snapshot.ids)
            found = found or self.config.prefix or idgen.prefix_from_name(self.root.resolve().name)
            self._prefix = found
        return self._prefix

    # writing ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Changes]:
        """Group changes so that they are checked together and written once, under the lock."""
        if not self.persistent:
            changes = Changes(self, self._memory)
            yield changes
            if changes.changed:
                for before in self.before_write:
                    before(changes)
            escapes: list[int] | None = [] if self._memory.escaped is not None else None
            holding: dict[bytes, list[int]] = {}
            ids, ends, chunks = lay_out(self._memory, changes.changed, changes.created,
                                        escapes=escapes, holding=holding)
            self._memory = Snapshot("(memory)", b"".join(chunks), ids, ends, escaped=escapes)
            self._memory.remember(holding)
            if changes.changed:
                for after in self.after_write:
                    after(self)
            return
        with locked(self.path.parent):
            remove_stale_temps(self.path.parent, self.path.name)
            snapshot = self.snapshot()
            changes = Changes(self, snapshot)
            for before in self.before_changes:
                before(changes)
            yield changes
            if not changes.changed:
                return
            for before in self.before_write:
                before(changes)
            self._wrote = None
            self._read = None  # the file is replaced: the old bytes go with `snapshot`
            self._wrote = write_changes(self.path, snapshot, changes, cache=self._cache,
                                        journal=self.journal(), warnings=self.warnings)
        for hook in self.after_write:
            hook(self)

    def journal(self) -> Journal | None:
        """The journal of this store's repository (None outside git or when turned off)."""
        if not self.persistent or not self.journal_enabled:
            return None
        from incident_beads.beads.journal import Journal

        return Journal.of(self.root)

    def not_found(self, issue_id: str, error: NotFound) -> NotFound:
        """`error`, saying so when the journal still holds the issue the work tree lost."""
        journal = self.journal()
        try:
            kept = journal is not None and journal.has(issue_id)
        except IncidentBeadsError:
            kept = False
        if not kept:
            return error
        return NotFound(f"{issue_id} is not in {self.path}, but the store's journal holds it "
                        "(a stash, reset or checkout took it from the work tree)",
                        hint="`incident recover` brings it back")

    def create(self, title: str, **fields: Any) -> Issue:
        """Create one issue (see `Changes.create`)."""
        with self.transaction() as tx:
            return tx.create(title, **fields)

    def update(self, issue_id: str, **fields: Any) -> Issue:
        """Update plain fields of one issue (see `Changes.update`)."""
        with self.transaction() as tx:
            return tx.update(issue_id, **fields)

    def close(self, issue_id: str, reason: str) -> Issue:
        """Close one issue with a reason."""
        with self.transaction() as tx:
            return tx.close(issue_id, reason)

    def reopen(self, issue_id: str) -> Issue:
        """Reopen one closed issue."""
        with self.transaction() as tx:
            return tx.reopen(issue_id)

    def add_comment(self, issue_id: str, author: str, text: str) -> dict[str, Any]:
        """Comment on one issue."""
        with self.transaction() as tx:
            return tx.add_comment(issue_id, author, text)
