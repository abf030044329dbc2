"""The beads store: read-modify-write of `.beads/issues.jsonl`, one line per changed issue."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_beads.beads import bd
from incident_beads.beads import ids as idgen
from incident_beads.beads.fileio import (
    atomic_write,
    inside_repository,
    locked,
    remove_stale_temps,
)
from incident_beads.beads.import_rules import DEPENDENCY_TYPES, import_violations
from incident_beads.beads.issue import (
    Issue,
    drop_empty,
    format_ts,
    next_updated_at,
)
from incident_beads.beads.layout import lay_out
from incident_beads.beads.limits import LONG_TEXT_HINT, MAX_TEXT_BYTES, oversized_text
from incident_beads.beads.ready import ready_issues
from incident_beads.beads.snapshot import (
    _DECODER,
    Snapshot,
    SnapshotCache,
    _stat_key,
    read_snapshot,
    type_problem,
)
from incident_beads.clock import Clock
from incident_beads.config import BeadsConfig
from incident_beads.errors import IncidentBeadsError, InvalidInput, NotFound, Refused

if TYPE_CHECKING:  # the journal (and subprocess) load on the first write, not for `list`
    from incident_beads.beads.journal import Journal, PendingEntry

ISSUES_FILE = "issues.jsonl"
# Fields `update` may set directly; status changes to and from closed go through close/reopen.
UPDATABLE = frozenset({
    "title", "description", "design", "acceptance_criteria", "notes", "status", "priority",
    "issue_type", "assignee", "owner", "estimated_minutes", "due_at", "defer_until",
    "started_at", "external_ref",
})


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def uuid7() -> str:
    """A UUIDv7 text, as bd 1.x writes comment ids."""
    import secrets  # writes only: it brings hmac and hashlib, a few ms on every read command

    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class Changes:
    """Changes made together and written once: what `BeadsStore.transaction()` yields."""

    def __init__(self, store: BeadsStore, snapshot: Snapshot) -> None:
        self._store = store
        self._snapshot = snapshot
        self.changed: dict[str, Issue] = {}
        self.created: list[str] = []
        # status and type of each edited issue as read: a custom value bd wrote may stay
        self._as_read: dict[str, tuple[str, str]] = {}

    # reading ---------------------------------------------------------------------------
    def get(self, issue_id: str) -> Issue:
        """The issue as it stands inside this transaction."""
        issue = self.changed.get(issue_id)
        if issue is None:
            try:
                issue = self._snapshot.get(issue_id)
            except NotFound as exc:
                raise self._store.not_found(issue_id, exc) from None
            if issue.is_tombstone:
                raise NotFound(f"issue {issue_id} was deleted (tombstone)")
        return issue

    def exists(self, issue_id: str) -> bool:
        """True when the id is taken, by an issue or a tombstone."""
        return issue_id in self.changed or self._snapshot.line_of(issue_id) is not None

    def __contains__(self, issue_id: object) -> bool:
        return isinstance(issue_id, str) and self.exists(issue_id)

    def original(self, issue_id: str) -> Issue | None:
        """The issue as it was read, before this transaction; None for one it created."""
        if issue_id in self.created or self._snapshot.line_of(issue_id) is None:
            return None
        return self._snapshot.get(issue_id)

    def issues(self) -> Iterator[Issue]:
        """Every live issue, with this transaction's changes applied."""
        for issue in self._snapshot.issues():
            current = self.changed.get(issue.id, issue)
            if not current.is_tombstone:
                yield current
        for issue_id in self.created:
            yield self.changed[issue_id]

    def issues_mentioning(self, *words: str) -> Iterator[Issue]:
        """Every live issue whose line may hold one of `words` as a JSON string (see
        `BeadsStore.issues_mentioning`), and every issue changed in this transaction."""
        needles = [_label_needle(word) for word in words]
        if not needles or None in needles:
            yield from self.issues()
            return
        seen: set[str] = set()
        for issue in self._snapshot.issues_containing(*filter(None, needles)):
            seen.add(issue.id)
            current = self.changed.get(issue.id, issue)
            if not current.is_tombstone:
                yield current
        for issue_id, issue in self.changed.items():
            if issue_id not in seen and not issue.is_tombstone:
                yield issue

    # writing ---------------------------------------------------------------------------
    def create(self, title: str, *, issue_type: str = "task", priority: int = 2,
               description: str = "", labels: Sequence[str] = (),
               metadata: dict[str, Any] | None = None, parent: str | None = None,
               dependencies: Sequence[tuple[str, str]] = (), due_at: datetime | None = None,
               assignee: str = "", owner: str = "", created_by: str = "",
               status: str = "open") -> Issue:
        """Create an issue; `parent` makes a `<parent>.<n>` child with a parent-child link."""
        _check_title(title)
        moment = self._store.clock()
        now = format_ts(moment)
        if parent is not None:
            self.get(parent)
            issue_id = idgen.child_id(parent, self)
        else:
            issue_id = idgen.new_id(self._store.prefix_for(self._snapshot), self, title=title,
                                    description=description, creator=created_by,
                                    created_at=moment, issue_count=self._snapshot.issue_count()
                                    + len(self.created))
        data: dict[str, Any] = {
            "id": issue_id, "title": title, "description": description, "status": status,
            "priority": priority, "issue_type": issue_type, "assignee": assignee,
            "owner": owner, "created_by": created_by, "created_at": now, "updated_at": now,
        }
        if due_at is not None:
            data["due_at"] = format_ts(due_at)
        if metadata:
            data["metadata"] = metadata
        if labels:
            data["labels"] = list(dict.fromkeys(labels))
        self.changed[issue_id] = Issue(drop_empty(data))
        self.created.append(issue_id)
        try:
            if parent is not None:
                self.add_dependency(issue_id, parent, "parent-child")
            for dep_type, target in dependencies:
                self.add_dependency(issue_id, target, dep_type)
            issue = self.changed[issue_id]
            self._check(issue)
        except BaseException:  # a refused create leaves no trace in the transaction
            del self.changed[issue_id]
            self.created.remove(issue_id)
            raise
        return issue

    def update(self, issue_id: str, **fields: Any) -> Issue:
        """Set plain fields (see `UPDATABLE`); `None` or empty removes an optional one."""
        unknown = set(fields) - UPDATABLE
        if unknown:
            raise InvalidInput(f"cannot update {', '.join(sorted(unknown))} directly")
        if fields.get("status") in ("closed", "tombstone"):
            raise InvalidInput("use close() to close an issue")
        if "title" in fields:
            _check_title(fields["title"])
        issue = self._edit(issue_id)
        if "status" in fields and issue.is_closed:
            raise Refused(f"{issue_id} is closed", hint="reopen it first")
        for key, value in fields.items():
            if isinstance(value, datetime):
                value = format_ts(value)
            if value is None:
                issue.data.pop(key, None)
            else:
                issue.data[key] = value
        return self._touch(issue)

    def set_metadata(self, issue_id: str, key: str, value: Any) -> Issue:
        """Set one key of the issue's metadata object, leaving other tools' keys alone."""
        issue = self._edit(issue_id)
        metadata = issue.metadata
        metadata[key] = value
        issue.data["metadata"] = metadata
        return self._touch(issue)

    def close(self, issue_id: str, reason: str) -> Issue:
        """Close with a reason; `closed_at` is set, as bd's import requires."""
        issue = self._edit(issue_id)
        if issue.is_closed:
            raise Refused(f"{issue_id} is already closed")
        now = self._store.clock()
        issue.data["status"] = "closed"
        issue.data["close_reason"] = reason
        issue.data["closed_at"] = next_updated_at(now, issue.updated_at)
        return self._touch(issue)

    def reopen(self, issue_id: str) -> Issue:
        """Reopen a closed issue; `closed_at` and the reason go, as bd's import requires."""
        issue = self._edit(issue_id)
        if not issue.is_closed:
            raise Refused(f"{issue_id} is not closed")
        issue.data["status"] = "open"
        issue.data.pop("closed_at", None)
        issue.data.pop("close_reason", None)
        return self._touch(issue)

    def add_label(self, issue_id: str, label: str) -> Issue:
        """Add a label (kept once)."""
        issue = self._edit(issue_id)
        labels = issue.labels
        if label not in labels:
            issue.data["labels"] = [*labels, label]
        return self._touch(issue)

    def remove_label(self, issue_id: str, label: str) -> Issue:
        """Remove a label if present."""
        issue = self._edit(issue_id)
        issue.data["labels"] = [x for x in issue.labels if x != label]
        return self._touch(issue)

    def add_dependency(self, issue_id: str, target: str, dep_type: str,
                       created_by: str = "") -> Issue:
        """Record that `issue_id` depends on `target` through `dep_type`."""
        if dep_type not in DEPENDENCY_TYPES:
            raise InvalidInput(f"unknown dependency type {dep_type!r}",
                               hint=f"use one of {', '.join(sorted(DEPENDENCY_TYPES))}")
        if not target.startswith("external:"):
            self.get(target)
        if target == issue_id:
            raise InvalidInput(f"{issue_id} cannot depend on itself")
        issue = self._edit(issue_id)
        deps = issue.dependencies
        if any(d.get("depends_on_id") == target and d.get("type") == dep_type for d in deps):
            return issue
        edge: dict[str, Any] = {"issue_id": issue_id, "depends_on_id": target, "type": dep_type,
                                "created_at": format_ts(self._store.clock())}
        if created_by:
            edge["created_by"] = created_by
        issue.data["dependencies"] = [*deps, edge]
        return self._touch(issue)

    def add_comment(self, issue_id: str, author: str, text: str) -> dict[str, Any]:
        """Append a comment (string UUIDv7 id, as bd 1.x writes)."""
        issue = self._edit(issue_id)
        comment = {"id": uuid7(), "issue_id": issue_id, "author": author, "text": text,
                   "created_at": format_ts(self._store.clock())}
        issue.data["comments"] = [*issue.comments, comment]
        self._touch(issue)
        return comment

    def adopt(self, data: dict[str, Any]) -> Issue:
        """Add an issue another writer made (bd's database) as it is; its id must be free."""
        issue_id = data.get("id")
        if not isinstance(issue_id, str) or not issue_id:
            raise InvalidInput("an issue needs a string id")
        if self.exists(issue_id):
            raise Refused(f"{issue_id} is already in the store")
        issue = Issue(dict(data))
        self.changed[issue_id] = issue
        self.created.append(issue_id)
        return issue

    def restore(self, data: dict[str, Any]) -> Issue:
        """Put back an issue exactly as recorded elsewhere (the journal): new or replacing.

        Unlike the edits above it keeps the record's own `updated_at`; it is checked as any
        written line is.
        """
        issue_id = data.get("id")
        if not isinstance(issue_id, str) or not issue_id:
            raise InvalidInput("an issue needs a string id")
        issue = Issue(dict(data))
        if not self.exists(issue_id):
            self.created.append(issue_id)
        elif issue_id not in self.changed:
            current = self._snapshot.get(issue_id)
            self._as_read[issue_id] = (current.status, current.issue_type)
        self._check(issue)
        self.changed[issue_id] = issue
        return issue

    # internals -------------------------------------------------------------------------
    def _edit(self, issue_id: str) -> Issue:
        """A working copy of the issue; `_touch` keeps it once it passes the rules.

        So a refused change that a caller catches inside a transaction is not written.
        """
        issue = self.get(issue_id)
        if issue_id not in self.changed:
            self._as_read[issue_id] = (issue.status, issue.issue_type)
        return Issue(dict(issue.data))  # the methods replace lists, never change them in place

    def _touch(self, issue: Issue) -> Issue:
        drop_empty(issue.data)
        if issue.id not in self.created:
            issue.data["updated_at"] = next_updated_at(self._store.clock(), issue.updated_at)
        self._check(issue)
        self.changed[issue.id] = issue
        return issue

    def _check(self, issue: Issue) -> None:
        # A custom status or type that bd itself wrote (it was configured there) may stay;
        # anything this project sets must be built in.
        status, issue_type = self._as_read.get(issue.id, ("open", "task"))
        too_long = oversized_text(issue.data)
        if too_long is not None:
            raise InvalidInput(f"{issue.id}: `{too_long[0]}` has {too_long[1]:,} bytes of text "
                               f"(at most {MAX_TEXT_BYTES:,})", hint=LONG_TEXT_HINT)
        problem = type_problem(issue.data)
        problems = [problem] if problem else import_violations(
            issue.data, custom_statuses=frozenset({status}), custom_types=frozenset({issue_type}))
        if problems:
            raise InvalidInput(f"{issue.id}: {'; '.join(problems)}")


def _check_title(title: object) -> None:
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("a title is required")
    if any(ch in title for ch in "\n\r\x00") or (not title.isprintable() and any(
            ord(ch) < 32 for ch in title)):
        raise InvalidInput("a title must be one line without control characters")
    if len(title) > 500:
        raise InvalidInput(f"a title has at most 500 characters (this one has {len(title)})")


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
        # The lines this store last wrote, keyed by the file's stat right after: reading one of
        # them back while the file is still that very file needs no second read of the store.
        self._written: tuple[list[int], dict[str, bytes]] | None = None
        # The file as last read and checked: read again only once the file is another (its
        # inode, size or change times differ), so a command that reads twice reads once.
        self._read: Snapshot | None = None
        # The lines of the file this store last wrote that hold each word searched for, keyed
        # by the file's stat right after: a read of that very file need not search again.
        self._searched: tuple[list[int], dict[bytes, list[int]]] | None = None
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
                same = _stat_key(os.stat(self.path)) == last.key
            except OSError:
                same = False
            if same:
                if visit is not None:
                    for issue in last.issues():
                        visit(issue.data)
                return last
        self._read = None  # the bytes of another file are let go before these are read
        self._read = read_snapshot(self.path, self._cache, visit)
        searched = self._searched
        if searched is not None and searched[0] == self._read.key:
            self._read.remember(searched[1])
        return self._read

    def get(self, issue_id: str) -> Issue:
        """One issue by id."""
        written = self._written
        if written is not None and issue_id in written[1]:
            try:
                unchanged = _stat_key(os.stat(self.path)) == written[0]
            except OSError:
                unchanged = False
            if unchanged:
                return Issue(_DECODER.decode(written[1][issue_id].decode("utf-8")))
        return Changes(self, self.snapshot()).get(issue_id)

    def issues(self) -> Iterator[Issue]:
        """Every live issue in file order (tombstones left out)."""
        return Changes(self, self.snapshot()).issues()

    def issues_mentioning(self, *words: str) -> list[Issue]:
        """Every live issue whose line may hold one of `words` as a JSON string (a label, a
        record's kind, an id): a superset found on the raw bytes, so the rest of a big store
        is not parsed. Callers still check what they need on each issue."""
        needles = [_label_needle(word) for word in words]
        if not self.persistent or not needles or None in needles:
            wanted = set(words)
            return [i for i in self.issues() if wanted & _strings_in(i.data)]
        snapshot = self.snapshot()
        return [issue for issue in snapshot.issues_containing(*filter(None, needles))
                if not issue.is_tombstone]

    def query(self, *, status: str | Iterable[str] | None = None, issue_type: str | None = None,
              label: str | None = None, priority: int | None = None,
              include_closed: bool = False) -> list[Issue]:
        """Issues matching every filter given; closed ones only when asked or filtered for."""
        found: list[Issue] = []
        self._scan(_matcher(status, issue_type, label, priority, include_closed), found.append,
                   label)
        return found

    def summaries(self, *, row: Callable[[Issue], dict[str, Any]] | None = None,
                  **filters: Any) -> list[dict[str, Any]]:
        """Like `query`, keeping only the listed fields (or what `row` makes of each issue):
        big stores list in little memory."""
        found: list[dict[str, Any]] = []
        make = row or Issue.summary
        self._scan(_matcher(**filters), lambda issue: found.append(make(issue)),
                   filters.get("label"))
        return found

    def _scan(self, keep: Callable[[Issue], bool], collect: Callable[[Issue], Any],
              label: str | None = None) -> None:
        def visit(data: dict[str, Any]) -> None:
            issue = Issue(data)
            if keep(issue):
                collect(issue)

        needle = _label_needle(label)
        if self.persistent and needle is not None:
            # Only lines holding the label can match: the others are not parsed (a file not
            # seen before is still checked line by line first, as every read does).
            for issue in self.snapshot().issues_containing(needle):
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
            found = found or idgen.most_common_prefix(filter(None, snapshot.ids))
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
            written: dict[str, bytes] = {}
            escapes = [] if snapshot.escaped is not None else None
            searched: dict[bytes, list[int]] = {}
            ids, ends, chunks = lay_out(snapshot, changes.changed, changes.created, written,
                                        escapes, searched)
            self._searched = None
            pending = self._journal_entry(written)
            self._written = None
            self._read = None  # the file is replaced: the old bytes go with `snapshot`
            try:
                atomic_write(self.path, chunks)
            except BaseException:
                if pending is not None:
                    pending.abandon()
                raise
            stat = os.stat(self.path)
            if pending is not None:
                problem = pending.commit()
                if problem:
                    self.warnings.append(f"the store was written, but not its journal: {problem}")
            if self._cache is not None:
                self._cache.save(Snapshot(str(self.path), b"", ids, ends, escaped=escapes),
                                 stat)
            self._searched = (_stat_key(stat), searched)
            # The lines just written answer `get()` while the file is still this one.
            self._written = (_stat_key(stat), {
                issue_id: written[issue_id] for issue_id, issue in changes.changed.items()
                if not issue.is_tombstone})
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

    def _journal_entry(self, written: dict[str, bytes]) -> PendingEntry | None:
        journal = self.journal()
        if journal is None:
            return None
        try:
            return journal.record(written)
        except OSError as exc:  # the store file is what matters; the journal says why not
            self.warnings.append(f"the journal was not updated: {exc}")
            return None

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


def _label_needle(label: str | None) -> bytes | None:
    """The bytes every line with `label` holds when written without escapes, or None when the
    label has characters JSON may spell in more than one way."""
    if not label or any(c in '"\\/' or c < " " or c == "\x7f" for c in label):
        return None
    return b'"' + label.encode("utf-8") + b'"'


def _strings_in(value: Any) -> set[str]:
    """Every string a JSON value holds, keys included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set(value).union(*map(_strings_in, value.values()))
    if isinstance(value, list):
        return set().union(*map(_strings_in, value))
    return set()


def _matcher(status: str | Iterable[str] | None = None, issue_type: str | None = None,
             label: str | None = None, priority: int | None = None,
             include_closed: bool = False) -> Callable[[Issue], bool]:
    statuses = {status} if isinstance(status, str) else set(status) if status else None

    def keep(issue: Issue) -> bool:
        if issue.is_tombstone:
            return False
        if statuses is not None:
            if issue.status not in statuses:
                return False
        elif issue.is_closed and not include_closed:
            return False
        return ((issue_type is None or issue.issue_type == issue_type)
                and (label is None or label in issue.labels)
                and (priority is None or issue.priority == priority))

    return keep
