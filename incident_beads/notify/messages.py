"""What stakeholders are told: the seed's templates, filled from the events on the timeline.

The lifecycle already renders each template into its timeline event (the assessment block, the
status update, the resolution message), so a message is that text with a subject and, for an
escalation, the decision a person must make. Standard library only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

#: The metadata key the lifecycle keeps its state under (the contract fixes it).
STATE_KEY = "incident_beads"


class Message(NamedTuple):
    """One message for stakeholders, before it is routed to channels."""

    kind: str
    subject: str
    body: str


def message_for(event: dict[str, Any], *, incident_id: str, title: str,
                severity: str) -> Message | None:
    """The message a timeline event announces, or None for events stakeholders do not get."""
    kind = str(event.get("kind", ""))
    text = str(event.get("text", "")).strip()
    found = event.get("data")
    data: dict[str, Any] = found if isinstance(found, dict) else {}
    head = f"[{severity}] {incident_id} {title}"
    if kind == "declared":
        return Message("declared", f"{head}: incident declared", text)
    if kind == "status-update":
        status = str(data.get("status") or "update")
        return Message("update", f"{head}: {status}", text)
    if kind == "escalation":
        condition = str(data.get("condition") or "escalation")
        return Message("escalation", f"{head}: STOP, a person must decide",
                       escalation_body(incident_id, condition, text))
    if kind == "hotfix" and data.get("step") == "verified":
        return Message("hotfix-verified", f"{head}: hotfix deployed and verified", text)
    if kind == "resolved":
        return Message("resolved", f"{head}: resolved", text)
    if kind == "postmortem-scheduled":
        return Message("postmortem-scheduled", f"{head}: post-mortem scheduled", text)
    return None


def escalation_body(incident_id: str, condition: str, text: str) -> str:
    """The seed's STOP: what was found, and the command with which a person decides."""
    found = text.split(": ", 1)[1] if text.startswith("ESCALATION [") and ": " in text else text
    return (f"STOP: a person must decide\n"
            f"Condition: {condition}\n"
            f"What happened: {found}\n"
            f"Decide: incident risk ack {incident_id} --risk {condition} --by PERSON "
            f"--note WHY")


def reminder(*, incident_id: str, title: str, severity: str, due: datetime,
             now: datetime) -> Message:
    """The reminder that a status update is due (or overdue) for an incident."""
    late = int((now - due).total_seconds() // 60)
    when = due.strftime("%Y-%m-%d %H:%M UTC")
    state = f"overdue by {late} min" if late > 0 else "due now"
    return Message("reminder", f"[{severity}] {incident_id} {title}: status update {state}",
                   f"A status update for {incident_id} was due at {when} ({state}).\n"
                   f"Post it: incident update {incident_id} --status ... --impact ... "
                   f"--action ...")


def incident_facts(issue_data: dict[str, Any]) -> tuple[str, str] | None:
    """(title without the severity tag, severity) of an incident bead; None for other beads."""
    metadata = issue_data.get("metadata")
    state = metadata.get(STATE_KEY) if isinstance(metadata, dict) else None
    if not isinstance(state, dict) or state.get("kind", "incident") != "incident":
        return None
    severity = str(state.get("severity") or "")
    title = str(issue_data.get("title") or "")
    tag = f"[{severity}] "
    return (title[len(tag):] if title.startswith(tag) else title), severity


def timeline(issue_data: dict[str, Any]) -> list[dict[str, Any]]:
    """The raw timeline events of an incident bead."""
    metadata = issue_data.get("metadata")
    state = metadata.get(STATE_KEY) if isinstance(metadata, dict) else None
    events = state.get("timeline") if isinstance(state, dict) else None
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []
