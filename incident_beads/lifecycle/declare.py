"""Phase 1: check a declaration, write the incident bead of the contract, refine the assessment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from incident_beads.beads.import_rules import MAX_TITLE
from incident_beads.beads.issue import Issue, parse_ts
from incident_beads.beads.transaction import Changes
from incident_beads.config import Config
from incident_beads.errors import Escalation, IncidentBeadsError, InvalidInput
from incident_beads.lifecycle.edit import IncidentEdit
from incident_beads.lifecycle.model import (
    METADATA_KEY,
    Assessment,
    Incident,
    IncidentState,
    Timestamps,
)
from incident_beads.lifecycle.recurrence import RemoteMatch, matching_resolved
from incident_beads.lifecycle.severity import Severity, strip_severity_tag
from incident_beads.lifecycle.timeline import append_event, incident_from, is_incident, save_state
from incident_beads.lifecycle.when import format_moment

ASSESSMENT_HEADING = "## Incident Assessment"
#: Assessment fields that hold lists; `assess` adds to them instead of replacing them.
LIST_FIELDS = ("error_messages", "alerts", "recent_changes", "services")


def check_title(title: object, severity: Severity) -> str:
    """The plain title, refused when empty, multi-line or too long once tagged `[SEV-N] `."""
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("an incident needs a title", hint='incident create "Checkout is down" '
                                                            "--sev 1")
    if any(ch in title for ch in "\n\r\x00") or any(ord(ch) < 32 for ch in title):
        raise InvalidInput("an incident title must be one line without control characters",
                           hint="put details in --what or --error")
    plain = strip_severity_tag(title)
    tagged = severity.tag_title(plain)
    if len(tagged) > MAX_TITLE:
        limit = MAX_TITLE - (len(tagged) - len(plain))
        raise InvalidInput(f"an incident title has at most {limit} characters "
                           f"(this one has {len(plain)})",
                           hint="shorten it; put details in --what or --error")
    return plain


def clean_list(values: Sequence[str] | str | None) -> list[str]:
    """A list of non-empty texts (a single text is a list of one)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [value for value in values if value.strip()]


def check_detected_at(detected_at: datetime, now: datetime) -> None:
    """Refuse a detection time in the future (a minute of clock skew is forgiven)."""
    if detected_at > now + timedelta(minutes=1):
        raise InvalidInput("the detection time is in the future",
                           hint="give --detected-at as `now`, `-10m` or an ISO time in the past")


def description_for(assessment: Assessment, severity: Severity) -> str:
    """The incident bead's description: impact, affected users, symptoms, then any notes."""
    text = assessment.render(severity)
    return f"{text}\n\n{assessment.notes.strip()}" if assessment.notes.strip() else text


def refresh_description(edit: IncidentEdit) -> None:
    """Render the assessment into the description again, unless a person wrote that text."""
    if edit.tx.get(edit.incident_id).description.startswith(ASSESSMENT_HEADING):
        edit.tx.update(edit.incident_id,
                       description=description_for(edit.state.assessment, edit.state.severity))


def check_data_risk(edit: IncidentEdit, before: Assessment | None = None) -> None:
    """Escalate (recorded) when data is at risk or it is a security incident, newly so."""
    now = edit.state.assessment
    reasons = []
    if now.data_at_risk and not (before and before.data_at_risk):
        reasons.append("data is at risk")
    if now.security and not (before and before.security):
        reasons.append("it is a security incident")
    if reasons:
        edit.escalate(Escalation.DATA_LOSS_OR_SECURITY,
                      " and ".join(reasons) + "; a person must decide how to proceed")


def possible_incidents(tx: Changes) -> list[Issue]:
    """The live issues of `tx` that may be incidents: an incident names "incident" (its label
    or its record's kind), so only those lines are parsed."""
    return list(tx.issues_mentioning("incident"))


def declared_before(incidents: Iterable[Issue], request: str) -> Issue | None:
    """The open incident (among `possible_incidents(tx)`) that the same declaration, made before,
    created and escalated."""
    for issue in incidents:
        if issue.is_closed:
            continue
        record = issue.metadata.get(METADATA_KEY)
        if not isinstance(record, dict) or record.get("kind") != "incident":
            continue
        escalations = record.get("escalations")
        if isinstance(escalations, list) and any(
                isinstance(e, dict) and e.get("request") == request for e in escalations):
            return issue
    return None


def initial_state(config: Config, level: Severity, assessment: Assessment,
                  now: datetime) -> IncidentState:
    """The state of a newly declared incident: its first update is due after the cadence."""
    cadence = level.policy(config).update_minutes
    return IncidentState(
        severity=level, peak_severity=level, assessment=assessment,
        timestamps=Timestamps(detected=assessment.detected_at, declared=now),
        next_update_at=now + timedelta(minutes=cadence) if cadence else None)


def write_incident(tx: Changes, config: Config, *, plain: str, state: IncidentState,
                   now: datetime, actor: str, request: str = "",
                   elsewhere: Sequence[RemoteMatch] = (),
                   incidents: Sequence[Issue] | None = None) -> IncidentEdit:
    """Create the incident bead in `tx`, link recurrences, and record the escalations due.

    `elsewhere` are matches in other repositories of the fleet: each is recorded on the
    timeline with its repository and id; one on the same service is a recurrence.
    `incidents` are `possible_incidents(tx)`, when the caller read them already.
    """
    level, assessment = state.severity, state.assessment
    window = timedelta(days=config.knowledge.recurrence_window_days)
    since = assessment.detected_at - window
    past = incidents if incidents is not None else possible_incidents(tx)
    matches = matching_resolved(plain, assessment,
                                _resolved_incidents(past, assessment.services, since),
                                now=assessment.detected_at, window=window)
    state.recurrence_of = [m.id for m in matches]
    issue = tx.create(level.tag_title(plain), issue_type="bug", priority=level.priority,
                      description=description_for(assessment, level),
                      labels=["incident", level.label], created_by=actor,
                      metadata={METADATA_KEY: {"kind": "incident"}},
                      dependencies=[("related", m.id) for m in matches])
    edit = IncidentEdit(tx, issue, state, now=now, actor=actor, request=request)
    state.last_request = request
    edit.event("declared", f"Declared {level.value}: {plain}\n\n{assessment.render(level)}",
               {"severity": level.value})
    if state.context is not None:
        edit.event("context", state.context.render(),
                   {"status": state.context.status,
                    "similar": [s["id"] for s in state.context.similar],
                    "duplicates": [d["id"] for d in state.context.duplicates]})
    check_data_risk(edit)
    for match in matches:
        resolved = match.state.resolution
        edit.escalate(Escalation.RECURRENCE,
                      f"this looks like {match.id} ({match.title}), resolved "
                      f"{format_moment(resolved.at) if resolved else 'before'}",
                      {"recurrence_of": match.id})
        earlier = match.state
        append_event(tx, match.id, earlier, at=now, by=actor, kind="recurred",
                     text=f"Recurred as {issue.id}", data={"incident": issue.id})
        save_state(tx, match.id, earlier)
    for remote in elsewhere:
        record_elsewhere(edit, remote)
    save_state(tx, issue.id, state)
    return edit


def record_elsewhere(edit: IncidentEdit, remote: RemoteMatch) -> None:
    """Put a fleet match on the timeline; escalate it when it is the same service."""
    other = remote.incident
    resolved = other.state.resolution
    where = f"{remote.repository}/{other.id}"
    text = (f"this looks like {where} ({other.title}) in repository {remote.repository}, "
            f"resolved {format_moment(resolved.at) if resolved else 'before'}")
    data = {"repository": remote.repository, "url": remote.url, "incident": other.id,
            "title": other.title, "same_service": remote.same_service}
    edit.event("recurrence-elsewhere", f"Similar incident elsewhere: {text}", data)
    if remote.same_service:
        edit.escalate(Escalation.RECURRENCE, f"{text}, on the same service",
                      {"recurrence_of": where, "repository": remote.repository})


def _resolved_incidents(issues: Iterable[Issue], services: list[str],
                        since: datetime) -> list[Incident]:
    """Incidents closed since `since` naming one of `services`, sifted on the raw record first:
    a big store holds many incidents, and only a few can match."""
    wanted = {s.strip().casefold() for s in services if s.strip()}
    found: list[Incident] = []
    if not wanted:
        return found
    for issue in issues:
        if (issue.is_closed and wanted & _raw_services(issue) and is_incident(issue)
                and _closed_since(issue, since)):
            try:
                found.append(incident_from(issue))
            except IncidentBeadsError:
                continue  # an unreadable old record must not stop a declaration
    return found


def _closed_since(issue: Issue, since: datetime) -> bool:
    try:
        return issue.closed_at is None or parse_ts(issue.closed_at) >= since
    except ValueError:
        return True  # unreadable: let the full check decide


def _raw_services(issue: Issue) -> set[str]:
    record = issue.metadata.get(METADATA_KEY)
    assessment = record.get("assessment") if isinstance(record, dict) else None
    services = assessment.get("services") if isinstance(assessment, dict) else None
    if not isinstance(services, list):
        return set()
    return {str(s).strip().casefold() for s in services}


def apply_assessment(edit: IncidentEdit, changes: dict[str, Any]) -> list[str]:
    """Refine the assessment: texts and flags replace, lists add; return what changed."""
    before = edit.state.assessment
    values = before.model_dump()
    changed: list[str] = []
    for name, value in changes.items():
        if value is None:
            continue
        if name in LIST_FIELDS:
            added = [v for v in clean_list(value) if v not in values[name]]
            if added:
                values[name] = [*values[name], *added]
                changed.append(f"{name.replace('_', ' ')} + {'; '.join(added)}")
        elif values[name] != value:
            values[name] = value
            changed.append(f"{name.replace('_', ' ')}: {value}")
    if not changed:
        raise InvalidInput("nothing to change in the assessment",
                           hint="give at least one new value (--who, --what, --error, ...)")
    edit.state.assessment = Assessment.model_validate(values)
    refresh_description(edit)
    edit.event("assessed", "Assessment updated: " + "; ".join(changed))
    check_data_risk(edit, before)
    return changed
