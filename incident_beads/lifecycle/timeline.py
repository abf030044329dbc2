"""Read and write an incident's state in its bead, and append timeline events (comment + state)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from incident_beads.beads.issue import Issue, parse_ts
from incident_beads.beads.transaction import Changes
from incident_beads.errors import MalformedFile, NotFound, Refused
from incident_beads.lifecycle.model import (
    METADATA_KEY,
    Assessment,
    Incident,
    IncidentState,
    TimelineEvent,
    Timestamps,
)
from incident_beads.lifecycle.severity import Severity, severity_from_labels, strip_severity_tag
from incident_beads.lifecycle.when import as_utc
from incident_beads.typedrecord import RecordError, TypedRecord

RecordT = TypeVar("RecordT", bound=TypedRecord)


def record_kind(issue: Issue) -> str | None:
    """The `kind` of this project's record on a bead (`incident`, `hotfix`...), if any."""
    value = issue.metadata.get(METADATA_KEY)
    if isinstance(value, dict) and isinstance(value.get("kind"), str):
        return str(value["kind"])
    return None


def is_incident(issue: Issue) -> bool:
    """True for an incident bead: ours, or one a person made with `bd create --label incident`."""
    kind = record_kind(issue)
    return kind == "incident" or (kind is None and "incident" in issue.labels)


def stored_record(issue: Issue, model: type[RecordT]) -> RecordT:
    """Read the record this project keeps in a bead's metadata, as `model`."""
    try:
        return model.model_validate(issue.metadata[METADATA_KEY])
    except RecordError as exc:
        where = ".".join(str(part) for part in exc.loc)
        raise MalformedFile(".beads/issues.jsonl", None,
                            f"{issue.id}: metadata.{METADATA_KEY}.{where}: {exc.msg}",
                            hint=f"fix the metadata of {issue.id} with `bd edit`") from None


def incident_state(issue: Issue) -> IncidentState:
    """The recorded state of an incident bead; a bead made by hand gets one from its fields."""
    kind = record_kind(issue)
    if kind == "incident":
        return stored_record(issue, IncidentState)
    if kind is None and "incident" in issue.labels:
        return _adopted_state(issue)
    raise NotFound(f"{issue.id} is not an incident",
                   hint="incidents carry the `incident` label: incident list --label incident")


def _adopted_state(issue: Issue) -> IncidentState:
    severity = (severity_from_labels(issue.labels)
                or Severity.parse(min(max(issue.priority, 0), 3) + 1))
    try:
        detected = as_utc(parse_ts(issue.created_at))
    except ValueError:
        detected = datetime.fromtimestamp(0).astimezone()
    return IncidentState(
        severity=severity, peak_severity=severity,
        assessment=Assessment(detected_at=detected, what_broken=issue.description),
        timestamps=Timestamps(detected=detected),
    )


def incident_from(issue: Issue) -> Incident:
    """The API's view of an incident bead."""
    state = incident_state(issue)
    return Incident(
        id=issue.id, title=strip_severity_tag(issue.title), severity=state.severity,
        status=issue.status, phase=state.phase, created_at=issue.created_at,
        updated_at=issue.updated_at, closed_at=issue.closed_at, close_reason=issue.close_reason,
        labels=issue.labels, state=state,
    )


def readable_incident(issue: Issue | None) -> Incident | None:
    """The incident a live incident bead holds, or None for anything else: no bead, a
    tombstone, another kind of bead, or an incident whose record cannot be read (a reader of
    many incidents must not stop at one that is broken)."""
    if issue is None or issue.is_tombstone or not is_incident(issue):
        return None
    try:
        return incident_from(issue)
    except (MalformedFile, NotFound):
        return None


def save_state(tx: Changes, issue_id: str, state: IncidentState) -> Issue:
    """Write the state back under the one metadata key, leaving other keys alone."""
    payload = state.model_dump(mode="json", exclude_none=True)
    return tx.set_metadata(issue_id, METADATA_KEY, payload)


def append_event(tx: Changes, issue_id: str, state: IncidentState, *, at: datetime, by: str,
                 kind: str, text: str, data: dict[str, Any] | None = None) -> TimelineEvent:
    """Append a timeline event: a bead comment (`bd show` reads as a timeline) and a state entry.

    The caller saves `state` afterwards, in the same transaction. An event never comes before
    the one it follows: a clock set back (`INCIDENT_BEADS_NOW`, a skewed host) is refused.
    """
    moment = as_utc(at)
    check_not_before_last(state, issue_id, moment)
    event = TimelineEvent(at=moment, by=by, kind=kind, text=text, data=data or {})
    tx.add_comment(issue_id, by, text)
    state.timeline.append(event)
    return event


def check_not_before_last(state: IncidentState, issue_id: str, moment: datetime) -> None:
    """Refuse a moment earlier than the latest event already on the incident's timeline."""
    latest = max((as_utc(e.at) for e in state.timeline), default=None)
    if latest is not None and moment < latest:
        raise Refused(f"{issue_id}: this change would be recorded at {_stamp(moment)}, before "
                      f"the timeline's latest event ({_stamp(latest)})",
                      hint="check the clock (INCIDENT_BEADS_NOW, if set, must not go back)")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
