"""One store transaction's changes (`Changes`): create, edit, close, comment, restore, checked."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incident_beads.beads import ids as idgen
from incident_beads.beads.import_rules import DEPENDENCY_TYPES, check_title, import_violations
from incident_beads.beads.issue import Issue, drop_empty, format_ts, next_updated_at
from incident_beads.beads.limits import LONG_TEXT_HINT, MAX_TEXT_BYTES, oversized_text
from incident_beads.beads.line_check import type_problem
from incident_beads.beads.query import label_needle
from incident_beads.beads.snapshot import Snapshot
from incident_beads.errors import InvalidInput, NotFound, Refused

if TYPE_CHECKING:
    from incident_beads.beads.store import BeadsStore

# Fields `update` may set directly; status changes to and from closed go through close/reopen.
UPDATABLE = frozenset({
    "title", "description", "design", "acceptance_criteria", "notes", "status", "priority",
    "issue_type", "assignee", "owner", "estimated_minutes", "due_at", "defer_until",
    "started_at", "external_ref",
})


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
        needles = [label_needle(word) for word in words]
        if not needles or None in needles:
            yield from self.issues()
            return
        seen: set[str] = set()
        for _, issue in self._snapshot.issue_lines_containing(*filter(None, needles)):
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
        check_title(title)
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
            check_title(fields["title"])
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
        comment = {"id": idgen.uuid7(), "issue_id": issue_id, "author": author, "text": text,
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
