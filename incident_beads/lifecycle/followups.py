"""The beads an incident hands on: its post-mortem (phase 6) and its root-cause investigation."""

from __future__ import annotations

from datetime import datetime

from incident_beads.beads.import_rules import MAX_TITLE
from incident_beads.beads.issue import Issue
from incident_beads.beads.transaction import Changes
from incident_beads.lifecycle.mitigation import LADDER, latest_results
from incident_beads.lifecycle.model import METADATA_KEY, Incident, IncidentState
from incident_beads.lifecycle.when import format_moment


def bead_title(prefix: str, title: str) -> str:
    """`<prefix><title>`, cut to the 500 characters bd accepts."""
    text = prefix + title
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def write_postmortem(tx: Changes, incident: Incident, *, due: datetime, owner: str,
                     by: str) -> tuple[Issue, bool]:
    """Create the post-mortem bead, or move the open one; return it and whether it is new."""
    existing = incident.state.postmortem_id
    record = {"kind": "postmortem", "incident_id": incident.id, "due_at": due.isoformat(),
              "owner": owner, "scheduled_by": by}
    if existing and tx.exists(existing) and not tx.get(existing).is_closed:
        tx.update(existing, due_at=due, owner=owner, assignee=owner)
        current = tx.get(existing).metadata.get(METADATA_KEY)
        merged = {**current, **record} if isinstance(current, dict) else record
        return tx.set_metadata(existing, METADATA_KEY, merged), False
    issue = tx.create(
        bead_title("Post-mortem: ", incident.title), issue_type="task", priority=1,
        description=(f"Post-mortem of {incident.id} ({incident.severity.value}: "
                     f"{incident.title}), due {format_moment(due)}, owner {owner}."),
        labels=["post-mortem"], parent=incident.id, due_at=due, owner=owner, assignee=owner,
        created_by=by, metadata={METADATA_KEY: record})
    return issue, True


def write_root_cause(tx: Changes, incident: Incident, *, notes: str, assignee: str,
                     by: str) -> Issue:
    """Create the root-cause hand-off bead (`discovered-from` the incident)."""
    return tx.create(
        bead_title("Root cause: ", incident.title), issue_type="task", priority=1,
        description=handoff_description(incident, notes), labels=["root-cause"],
        dependencies=[("discovered-from", incident.id)], assignee=assignee, created_by=by,
        metadata={METADATA_KEY: {"kind": "root-cause", "incident_id": incident.id}})


def handoff_description(incident: Incident, notes: str) -> str:
    """What the investigation starts from: impact, symptoms, what was tried, what fixed it."""
    state: IncidentState = incident.state
    assessment = state.assessment
    lines = [f"Root cause investigation of {incident.id} ({incident.severity.value}: "
             f"{incident.title}), detected {format_moment(assessment.detected_at)}.", ""]
    if assessment.what_broken:
        lines.append(f"- What broke: {assessment.what_broken}")
    if assessment.error_messages:
        lines.append(f"- Errors: {'; '.join(assessment.error_messages)}")
    if assessment.recent_changes:
        lines.append(f"- Recent changes: {'; '.join(assessment.recent_changes)}")
    results = latest_results(state.mitigations)
    tried = [f"{rung.value} ({results[rung].value})" for rung in LADDER if rung in results]
    if tried:
        lines.append(f"- Mitigations: {', '.join(tried)}")
    if state.resolution is not None:
        lines.append(f"- Resolution: {state.resolution.summary}")
        lines.append(f"- Root cause so far: {state.resolution.root_cause}")
    lines += ["", "Find the cause, make the proper fix (not just the hotfix), add regression "
              "tests."]
    if notes.strip():
        lines += ["", notes.strip()]
    return "\n".join(lines)
