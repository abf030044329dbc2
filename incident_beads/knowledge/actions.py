"""Post-mortem action items: `post-mortem` task beads `discovered-from` their incident."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from incident_beads.beads.issue import Issue, format_ts, parse_ts
from incident_beads.beads.store import BeadsStore
from incident_beads.clock import Clock
from incident_beads.errors import InvalidInput
from incident_beads.lifecycle import hold
from incident_beads.lifecycle.model import METADATA_KEY
from incident_beads.lifecycle.timeline import incident_from, record_kind
from incident_beads.lifecycle.when import as_utc, parse_moment

KIND = "action"
ACTION_KINDS = ("prevent", "mitigate", "detect", "process")
LABEL = "post-mortem"


class ActionItem(NamedTuple):
    """One action item as listed."""

    id: str
    incident_id: str
    title: str
    priority: int
    owner: str
    due_at: str | None
    kind: str
    status: str
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return self._asdict()


def is_action(issue: Issue) -> bool:
    """True for an action item bead written by this project."""
    return record_kind(issue) == KIND


def action_item(issue: Issue, now: datetime) -> ActionItem:
    """The listed view of an action item bead."""
    meta = issue.metadata.get(METADATA_KEY)
    record = meta if isinstance(meta, dict) else {}
    due = issue.due_at
    late = False
    if due and not issue.is_closed:
        try:
            late = parse_ts(due) < now
        except ValueError:
            late = False
    incident = str(record.get("incident_id") or next(iter(issue.depends_on("discovered-from")),
                                                     ""))
    return ActionItem(issue.id, incident, issue.title, issue.priority,
                      str(record.get("owner") or issue.data.get("assignee") or ""), due,
                      str(record.get("action_kind") or ""), issue.status, late)


class ActionItems:
    """Add and list the action items of post-mortems."""

    def __init__(self, store: BeadsStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def add(self, incident_id: str, text: str, *, priority: int, owner: str,
            due: datetime | str, kind: str, created_by: str = "",
            trust: hold.Trust | None = None) -> ActionItem:
        """Create an action item bead for an incident (priority 1 or 2, a named owner)."""
        if priority not in (1, 2):
            raise InvalidInput(f"an action item has priority 1 or 2, not {priority}",
                               hint="--priority 1 (P1) or --priority 2 (P2)")
        if kind not in ACTION_KINDS:
            raise InvalidInput(f"unknown action kind {kind!r}",
                               hint=f"use one of {', '.join(ACTION_KINDS)}")
        if not owner.strip():
            raise InvalidInput("an action item needs an owner", hint="--owner WHO")
        now = as_utc(self.clock())
        when = parse_moment(due, now)
        if when < now:
            raise InvalidInput(f"the due date {format_ts(when)} is already past",
                               hint="give --due as +7d or a future date")
        with self.store.transaction() as tx:
            incident = incident_from(tx.get(incident_id))
            hold.refuse_if_held(incident.id, incident.state, "action item", trust)
            record = {"kind": KIND, "incident_id": incident.id, "owner": owner.strip(),
                      "due": format_ts(when), "action_kind": kind}
            issue = tx.create(
                text.strip(),
                issue_type="task", priority=priority, labels=[LABEL],
                description=(f"Action item ({kind}) from the post-mortem of {incident.id} "
                             f"({incident.severity.value}: {incident.title})."),
                dependencies=[("discovered-from", incident.id)], due_at=when,
                assignee=owner.strip(), owner=owner.strip(), created_by=created_by,
                metadata={METADATA_KEY: record})
        return action_item(issue, now)

    def list(self, *, incident_id: str | None = None, overdue: bool = False,
             include_closed: bool = False,
             among: Sequence[Issue] | None = None) -> list[ActionItem]:
        """Action items, the earliest due first; only late ones with `overdue`. `among`: issues
        already read that hold every action item (the store is not read again)."""
        now = as_utc(self.clock())
        beads = (self.store.query(label=LABEL, include_closed=include_closed) if among is None
                 else [i for i in among if LABEL in i.labels
                       and (include_closed or not i.is_closed)])
        items = [action_item(issue, now) for issue in beads if is_action(issue)]
        if incident_id is not None:
            items = [i for i in items if i.incident_id == incident_id]
        if overdue:
            items = [i for i in items if i.overdue]
        return sorted(items, key=lambda i: (i.due_at or "9999", i.id))
