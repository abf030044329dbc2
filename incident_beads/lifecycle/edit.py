"""One change to one incident: read its state, record events, save, then raise any escalation."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from incident_beads.beads.issue import Issue
from incident_beads.beads.store import BeadsStore
from incident_beads.beads.transaction import Changes
from incident_beads.errors import Escalation, Refused
from incident_beads.lifecycle import hold
from incident_beads.lifecycle.model import EscalationRecord, IncidentState, TimelineEvent
from incident_beads.lifecycle.timeline import append_event, incident_state, save_state


class IncidentEdit:
    """What a change to an incident works with, inside one store transaction."""

    def __init__(self, tx: Changes, issue: Issue, state: IncidentState, *, now: datetime,
                 actor: str, request: str = "") -> None:
        self.tx = tx
        self.issue = issue
        self.state = state
        self.now = now
        self.actor = actor
        self.request = request
        self.escalation: Escalation | None = None

    @property
    def incident_id(self) -> str:
        """The incident being changed."""
        return self.issue.id

    def event(self, kind: str, text: str, data: dict[str, Any] | None = None,
              *, by: str | None = None) -> TimelineEvent:
        """Append a timeline event (comment + state)."""
        return append_event(self.tx, self.incident_id, self.state, at=self.now,
                            by=by or self.actor, kind=kind, text=text, data=data)

    def escalate(self, condition: str, message: str, data: dict[str, Any] | None = None,
                 *, hint: str | None = None) -> None:
        """Record an escalation now; it is raised once everything is written.

        From then on the incident is held: `hold.refuse_if_held` refuses its changes until a
        person decides on `condition`.
        """
        self.state.escalations.append(EscalationRecord(
            condition=condition, message=message, at=self.now, by=self.actor, data=data or {},
            request=self.request, decision_required=True))
        self.event("escalation", f"ESCALATION [{condition}]: {message}",
                   {"condition": condition, **(data or {})})
        if self.escalation is None:
            decide = hold.escalation_hint(self.incident_id, condition)
            self.escalation = Escalation(
                condition, message, incident_id=self.incident_id, since=self.now,
                decision_command=hold.decision_command(self.incident_id, condition),
                hint=f"{hint}; {decide}" if hint else decide)


class _Retry(Exception):
    """Leaves the transaction of a call already recorded, writing nothing."""


@contextlib.contextmanager
def editing(store: BeadsStore, incident_id: str, *, now: datetime, actor: str,
            open_only: bool = False, action: str = "change", held_ok: bool = False,
            request: str = "", trust: hold.Trust | None = None,
            before_save: Callable[[IncidentEdit], None] | None = None,
            ) -> Iterator[IncidentEdit]:
    """Change one incident in one transaction; raise a recorded escalation after the write.

    Every change to an incident passes here: unless `held_ok` (status updates, timeline notes,
    decisions), an open escalation refuses it before anything is written. A call named by
    `request` that is the one which raised the latest escalation, made again, writes nothing.
    `before_save` sees the change once it is made, in the same transaction (the response
    window's check).
    """
    pending: Escalation | None = None
    with contextlib.suppress(_Retry), store.transaction() as tx:
        issue = tx.get(incident_id)
        state = incident_state(issue)
        if not held_ok:
            hold.refuse_if_held(incident_id, state, action, trust)
        retry = hold.is_retry(state, request)
        if open_only and issue.is_closed and not retry:
            raise Refused(f"cannot {action} {incident_id}: the incident is closed",
                          hint=f"reopen it first: incident reopen {incident_id} --reason ...")
        edit = IncidentEdit(tx, issue, state, now=now, actor=actor, request=request)
        yield edit
        if retry:
            raise _Retry
        if before_save is not None:
            before_save(edit)
        if not held_ok or edit.escalation is not None:
            # What a hold allows (updates, notes, the decision) may come between a call that
            # escalated and its retry.
            state.last_request = request
        save_state(tx, incident_id, state)
        pending = edit.escalation
    if pending is not None:
        raise pending
