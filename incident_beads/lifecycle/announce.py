"""Phase 2 to stakeholders: the lifecycle's side of the notifier (timeline outcomes, reminders)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incident_beads.errors import IncidentBeadsError, InvalidInput, Refused
from incident_beads.lifecycle.edit import editing
from incident_beads.lifecycle.model import IncidentState
from incident_beads.notify.api import Notifier, Outcome
from incident_beads.notify.channels import label
from incident_beads.notify.outbox import SENT

if TYPE_CHECKING:
    from incident_beads.lifecycle.api_core import LifecycleCore

#: The timeline event kind of a delivery outcome.
NOTIFICATION = "notification"


class Reminder(NamedTuple):
    """The reminder of one due status update: new, or already staged for that due time."""

    incident_id: str
    due_at: str
    message_id: str
    new: bool


def notifier_for(response: LifecycleCore) -> Notifier:
    """The repository's notifier; wired into the store's writes when channels are configured."""
    def record(incident_id: str, outcomes: list[Outcome]) -> None:
        try:
            record_outcomes(response, incident_id, outcomes)
        except IncidentBeadsError as exc:
            response.store.warnings.append(f"notification outcome not recorded on "
                                           f"{incident_id}: {exc.one_line()}")

    notifier = Notifier(response.root, response.store, response.config.notify,
                        clock=response.now, record=record)
    if response.config.notify.configured:
        notifier.attach()
    return notifier


def record_outcomes(response: LifecycleCore, incident_id: str,
                    outcomes: list[Outcome]) -> None:
    """Put each delivery outcome on the incident's timeline, in one write."""
    with editing(response.store, incident_id, now=response.now(),
                 actor=response.actor) as edit:
        for o in outcomes:
            if o.delivered:
                text = f"Notification ({o.kind}) delivered to {o.channel}"
            else:
                text = (f"Notification ({o.kind}) not delivered to {o.channel}: "
                        f"{o.error.rstrip('.')}. "
                        f"Kept in the outbox; retried from {o.next_attempt_at} and by "
                        f"`incident notify`")
            edit.event(NOTIFICATION, text,
                       {"message_id": o.message_id, "message_kind": o.kind,
                        "channel": o.channel, "delivered": o.delivered})


def drop(response: LifecycleCore, message_id: str, *, reason: str,
         actor: str | None = None) -> None:
    """Give up a pending message, with the reason on its incident's timeline."""
    if not reason.strip():
        raise InvalidInput("say why the message is given up", hint="--reason TEXT")
    entry = response.notifications.drop(message_id, f"{actor or response.actor}: {reason}")
    with editing(response.store, entry.incident_id, now=response.now(),
                 actor=actor or response.actor) as edit:
        channels = ", ".join(label(url) for url in entry.deliveries
                             if entry.deliveries[url].status != SENT)
        edit.event(NOTIFICATION, f"Notification ({entry.kind}) to {channels} given up: {reason}",
                   {"message_id": entry.id, "message_kind": entry.kind, "delivered": False,
                    "dropped": True})


def resolution_delivered(state: IncidentState) -> bool:
    """True when the resolution message reached at least one channel (recorded on the timeline)."""
    return any(e.kind == NOTIFICATION and e.data.get("message_kind") == "resolved"
               and e.data.get("delivered") is True for e in state.timeline)


def remind(response: LifecycleCore) -> list[Reminder]:
    """Stage a reminder for every open incident whose update is due or overdue, then send."""
    if not response.config.notify.configured:
        raise Refused("no notification channels are configured",
                      hint="add [notify] urls = [...] to .incident-beads.toml (docs/notify.md)")
    now = response.now()
    found: list[Reminder] = []
    for incident in response.incidents():
        due = incident.state.next_update_at
        if due is None or due > now:
            continue
        sent = frozenset(str(e.data.get("message_id")) for e in incident.state.timeline
                         if e.kind == NOTIFICATION and e.data.get("delivered") is True)
        entry, new = response.notifications.stage_reminder(
            incident_id=incident.id, title=incident.title,
            severity=incident.severity.value, due=due, sent=sent)
        if entry is not None:
            found.append(Reminder(incident.id, due.isoformat(), entry.id, new))
    if found:
        response.notifications.deliver(due_only=True)
    return found
