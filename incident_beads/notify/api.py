"""`Notifier`: stage messages with the store's writes, send them after, retry what failed.

Two points on the store's write path carry it all. Under the store's lock, just before the file
is replaced, every new timeline event that stakeholders hear about becomes an outbox entry
(not yet confirmed). Once the file is written, those entries are confirmed and everything due
is sent; outcomes go on the incident's timeline. A change that fails to write leaves only an
unconfirmed entry, which `deliver` later drops after checking the store under its lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from incident_beads.beads.store import BeadsStore
from incident_beads.beads.transaction import Changes
from incident_beads.clock import Clock
from incident_beads.config import NotifyConfig
from incident_beads.errors import IncidentBeadsError, NotFound, Refused
from incident_beads.notify import messages
from incident_beads.notify.channels import channels_for, label
from incident_beads.notify.outbox import (
    SENT,
    Delivery,
    Outbox,
    OutboxEntry,
    message_id,
    outbox_folder,
)
from incident_beads.notify.send import send

#: Retries wait 1, 2, 4 ... minutes after a failure, at most this long.
MAX_BACKOFF_MINUTES = 60


class Outcome(NamedTuple):
    """What one attempt to reach one channel came to."""

    message_id: str
    incident_id: str
    kind: str
    channel: str
    delivered: bool
    error: str
    attempts: int
    next_attempt_at: str


Recorder = Callable[[str, list[Outcome]], None]
Sender = Callable[..., str | None]


class Notifier:
    """The messages of one repository: staged with writes, sent through their channels."""

    def __init__(self, root: Path, store: BeadsStore, config: NotifyConfig, *,
                 clock: Clock, record: Recorder,
                 sender: Sender = send) -> None:
        self.root = root
        self.store = store
        self.config = config
        self.clock = clock
        self._record = record
        self._send = sender
        self._outbox: Outbox | None = None
        self._staged: list[str] = []
        self._busy = False

    @property
    def outbox(self) -> Outbox:
        """Where this clone keeps its messages."""
        if self._outbox is None:
            self._outbox = Outbox(outbox_folder(self.root))
        return self._outbox

    def attach(self) -> None:
        """Stage with every write of the store, and send after it."""
        self.store.before_write.append(self.stage_changes)
        self.store.after_write.append(self._after_write)

    # staging ------------------------------------------------------------------------------
    def stage_changes(self, changes: Changes) -> None:
        """Put each new event stakeholders hear about in the outbox, unconfirmed."""
        # Ids left from a write that failed after staging are not this write's to confirm.
        self._staged = []
        for issue_id, issue in changes.changed.items():
            facts = messages.incident_facts(issue.data)
            if facts is None:
                continue
            before = changes.original(issue_id)
            seen = len(messages.timeline(before.data)) if before is not None else 0
            events = messages.timeline(issue.data)
            for index in range(seen, len(events)):
                event = events[index]
                message = messages.message_for(event, incident_id=issue_id, title=facts[0],
                                               severity=facts[1])
                if message is None:
                    continue
                ref = {"index": index, "kind": event.get("kind"), "at": event.get("at")}
                entry = self._entry(message, issue_id, facts[1], event=ref, confirmed=False,
                                    key=(issue_id, str(index), str(ref["kind"]),
                                         str(ref["at"])))
                if entry is not None and self._stage(entry):
                    self._staged.append(entry.id)

    def _stage(self, entry: OutboxEntry) -> bool:
        try:
            return self.outbox.stage(entry)
        except OSError as exc:
            # Nothing is written then: a change whose announcement cannot be kept waits.
            raise Refused(f"cannot keep the {entry.kind} message in the outbox "
                          f"{self.outbox.folder}: {exc.strerror or exc}",
                          hint="make that folder writable, then run the command again") from None

    def stage_reminder(self, *, incident_id: str, title: str, severity: str, due: datetime,
                       sent: frozenset[str] = frozenset()) -> tuple[OutboxEntry | None, bool]:
        """Stage the reminder of the update due at `due`: once per due time (False if known).

        `sent` holds the message ids the incident's timeline records as delivered, so a fresh
        clone (a CI job) does not remind again of what an earlier run already sent.
        """
        message = messages.reminder(incident_id=incident_id, title=title, severity=severity,
                                    due=due, now=self.clock())
        entry = self._entry(message, incident_id, severity, event=None, confirmed=True,
                            key=(incident_id, "reminder", due.isoformat()))
        if entry is None:
            return None, False
        if entry.id in sent:
            return entry, False
        with self.outbox.locked():
            return entry, self.outbox.stage(entry)

    def _entry(self, message: messages.Message, incident_id: str, severity: str, *,
               event: dict[str, object] | None, confirmed: bool,
               key: tuple[str, ...]) -> OutboxEntry | None:
        urls = channels_for(self.config, kind=message.kind, severity=severity)
        if not urls:
            return None
        return OutboxEntry(id=message_id(*key), incident_id=incident_id, kind=message.kind,
                           subject=message.subject, body=message.body,
                           created_at=self.clock().isoformat(),
                           deliveries={url: Delivery() for url in urls}, event=event,
                           confirmed=confirmed)

    def _after_write(self, _store: BeadsStore) -> None:
        if self._busy:
            return
        staged, self._staged = self._staged, []
        try:
            if staged:
                with self.outbox.locked():
                    for entry_id in staged:
                        entry = self.outbox.load(entry_id)
                        if entry is not None and not entry.confirmed:
                            entry.confirmed = True
                            self.outbox.save(entry)
            for failed in self.deliver(due_only=True):
                if not failed.delivered:  # said once per command, on stderr, not as a failure
                    self.store.warnings.append(
                        f"the {failed.kind} message was not delivered to {failed.channel} "
                        f"({failed.error.rstrip('.')}); it waits in the outbox: "
                        "`incident notify` retries")
        except (OSError, IncidentBeadsError) as exc:
            # A failed delivery never fails the command: the message waits in the outbox.
            self.store.warnings.append(f"notifications: {exc}; `incident notify` retries")

    # sending ------------------------------------------------------------------------------
    def deliver(self, *, due_only: bool = False, incident_id: str | None = None) -> list[Outcome]:
        """Send every pending message (only those due, when asked); record the outcomes.

        A channel that fails waits 1, 2, 4 ... (at most 60) minutes before the next automatic
        try; `due_only=False` (what `incident notify` does) tries every pending one now.
        """
        if self._busy:
            return []
        self._busy = True
        try:
            self._settle_unconfirmed()
            outcomes = self._send_pending(due_only=due_only, incident_id=incident_id)
            by_incident: dict[str, list[Outcome]] = {}
            for outcome in outcomes:
                by_incident.setdefault(outcome.incident_id, []).append(outcome)
            for found, batch in by_incident.items():
                worth = [o for o in batch if o.delivered or o.attempts == 1]
                if worth:
                    self._record(found, worth)
            return outcomes
        finally:
            self._busy = False

    def _send_pending(self, *, due_only: bool, incident_id: str | None) -> list[Outcome]:
        """Try each pending delivery, oldest first. A channel that fails is not tried again in
        this pass: its later messages wait with it (a channel that is down costs one timeout,
        not one per message, and its messages still arrive in order)."""
        outcomes: list[Outcome] = []
        if not self.outbox.folder.is_dir():
            return outcomes
        down: dict[str, datetime] = {}  # channel -> when it is tried next
        with self.outbox.locked():
            for entry in self.outbox.entries():
                if incident_id is not None and entry.incident_id != incident_id:
                    continue
                for url in entry.pending:
                    delivery = entry.deliveries[url]
                    now = self.clock()
                    if url in down:
                        if _next_attempt(delivery) < down[url]:
                            delivery.next_attempt_at = down[url].isoformat()
                            self.outbox.save(entry)
                        continue
                    if due_only and _next_attempt(delivery) > now:
                        continue
                    error = self._send(url, kind=entry.kind, subject=entry.subject,
                                       body=entry.body)
                    delivery.attempts += 1
                    if error is None:
                        delivery.status, delivery.sent_at = SENT, now.isoformat()
                        delivery.last_error = delivery.next_attempt_at = ""
                    else:
                        wait = min(2 ** (delivery.attempts - 1), MAX_BACKOFF_MINUTES)
                        delivery.last_error = error
                        down[url] = now + timedelta(minutes=wait)
                        delivery.next_attempt_at = down[url].isoformat()
                    # Saved after each channel: a crash never makes a sent message pending.
                    self.outbox.save(entry)
                    outcomes.append(Outcome(entry.id, entry.incident_id, entry.kind, label(url),
                                            error is None, error or "", delivery.attempts,
                                            delivery.next_attempt_at))
        return outcomes

    def _settle_unconfirmed(self) -> None:
        """Confirm or drop entries whose write was never confirmed, asking the store itself."""
        waiting = [e for e in self.outbox.entries() if not e.confirmed and not e.dropped]
        if not waiting:
            return
        verdicts: dict[str, bool] = {}
        # Under the store's lock no write is half done: the file says what happened.
        with self.store.transaction() as tx:
            for entry in waiting:
                verdicts[entry.id] = _event_written(tx, entry)
        with self.outbox.locked():
            for entry_id, written in verdicts.items():
                current = self.outbox.load(entry_id)
                if current is None or current.confirmed:
                    continue
                if written:
                    current.confirmed = True
                else:
                    current.dropped = "the change it announced was never written"
                self.outbox.save(current)

    def drop(self, entry_id: str, reason: str) -> OutboxEntry:
        """Give up a pending message on purpose (a channel gone for good), with the reason."""
        with self.outbox.locked():
            entry = self.outbox.load(entry_id)
            if entry is None or entry.dropped or not entry.pending:
                raise NotFound(f"no pending message {entry_id} in the outbox",
                               hint="incident notify --list shows the pending ones")
            entry.dropped = reason
            self.outbox.save(entry)
        return entry

    # reading ------------------------------------------------------------------------------
    def messages(self, *, include_sent: bool = True,
                 incident_id: str | None = None) -> list[OutboxEntry]:
        """The outbox's messages, oldest first: pending, and sent when asked."""
        return [e for e in self.outbox.entries(include_sent=include_sent)
                if incident_id is None or e.incident_id == incident_id]


def _next_attempt(delivery: Delivery) -> datetime:
    """When a delivery is tried next (the earliest moment when it is due now)."""
    if not delivery.next_attempt_at:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(delivery.next_attempt_at)


def _event_written(tx: Changes, entry: OutboxEntry) -> bool:
    ref = entry.event or {}
    try:
        events = messages.timeline(tx.get(entry.incident_id).data)
    except IncidentBeadsError:
        return False
    index = ref.get("index")
    if not isinstance(index, int) or index >= len(events):
        return False
    event = events[index]
    return event.get("kind") == ref.get("kind") and event.get("at") == ref.get("at")
