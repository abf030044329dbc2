"""Phase 5: the confirmation checklist, the post-mortem rule, and the resolution message."""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_beads.beads.issue import Issue, parse_ts
from incident_beads.config import Config
from incident_beads.errors import InvalidInput, Refused
from incident_beads.lifecycle.edit import IncidentEdit
from incident_beads.lifecycle.model import (
    METADATA_KEY,
    IncidentState,
    MitigationResult,
    Phase,
    Resolution,
    ResolutionChecklist,
    StatusUpdate,
    UpdateStatus,
)
from incident_beads.lifecycle.observations import latest_by_check
from incident_beads.lifecycle.risk import KnownRisk
from incident_beads.lifecycle.when import as_utc, format_duration, format_moment


def check_checklist(checklist: ResolutionChecklist, incident_id: str, *,
                    channels: bool = False) -> None:
    """Refuse to resolve until every item of the seed's confirmation is given.

    With notification channels configured, stakeholders are notified by the resolution
    message itself (its delivery is recorded), so no one confirms that by hand.
    """
    missing = checklist.missing(notified_by_channels=channels)
    if missing:
        raise Refused(f"cannot resolve {incident_id}: not confirmed: {'; '.join(missing)}",
                      hint="confirm each item (--no-longer-occurring --error-rates-normal "
                           "--users-can-use-feature --monitoring EVIDENCE "
                           "--stakeholders-notified)")


def settle_evidence(edit: IncidentEdit, config: Config,
                    checklist: ResolutionChecklist) -> ResolutionChecklist:
    """The monitoring evidence resolution rests on: measured where checks were run, else typed.

    Refused while the latest measurement of any check fails, and where checks apply to the
    incident's services but nothing was measured, unless a person accepted that risk.
    """
    state, incident_id = edit.state, edit.incident_id
    latest = latest_by_check(state.evidence)
    failing = [e for e in latest.values() if not e.passed]
    if failing and not state.acknowledgments_of(KnownRisk.EVIDENCE_FAILING):
        raise Refused(f"cannot resolve {incident_id}: the latest measured evidence fails: "
                      f"{failing[0].summary()}",
                      hint=f"measure again once the fix holds (incident evidence {incident_id}), "
                           f"or a person accepts it: incident risk ack {incident_id} --risk "
                           f"{KnownRisk.EVIDENCE_FAILING} --by WHO")
    typed = checklist.monitoring_evidence.strip()
    if latest and not failing:
        measured = "; ".join(e.summary() for e in latest.values())
        return checklist.model_copy(update={
            "monitoring_evidence": measured + (f" | noted: {typed}" if typed else ""),
            "evidence_kind": "measured"})
    monitoring = config.monitoring
    applies = bool(monitoring.prometheus_url) and bool(
        monitoring.checks_for(state.assessment.services))
    if (typed and applies and not latest
            and not state.acknowledgments_of(KnownRisk.EVIDENCE_NOT_MEASURED)):
        raise Refused(f"cannot resolve {incident_id} on typed evidence: monitoring checks apply "
                      "to its services, and none was measured",
                      hint=f"incident evidence {incident_id} --watch 15m, or a person accepts "
                           f"typed evidence: incident risk ack {incident_id} --risk "
                           f"{KnownRisk.EVIDENCE_NOT_MEASURED} --by WHO")
    return checklist.model_copy(update={"monitoring_evidence": typed, "evidence_kind": "typed"})


def check_texts(resolution: str, root_cause: str) -> None:
    """A resolution says what fixed it and, briefly, why it happened."""
    if not resolution.strip():
        raise InvalidInput("say what fixed the incident", hint="--resolution TEXT")
    if not root_cause.strip():
        raise InvalidInput("give a brief root cause (the post-mortem follows)",
                           hint="--root-cause TEXT (`unknown, under investigation` is honest)")


def postmortem_required(state: IncidentState, config: Config) -> bool:
    """True when the most severe level the incident held requires a post-mortem (SEV-1/2)."""
    return state.highest_severity.policy(config).postmortem_required


def check_postmortem_window(state: IncidentState, config: Config, *, due: datetime,
                            resolved: datetime, incident_id: str) -> None:
    """Refuse a post-mortem later than the window after resolution, unless a person accepted it."""
    hours = config.knowledge.postmortem_within_hours
    if due <= resolved + timedelta(hours=hours):
        return
    if state.acknowledgments_of(KnownRisk.POSTMORTEM_BEYOND_WINDOW):
        return
    raise Refused(f"the post-mortem of {incident_id} is due {format_moment(due)}, more than "
                  f"{hours} h after resolution",
                  hint=f"schedule it sooner, or a person accepts the delay: incident risk ack "
                       f"{incident_id} --risk {KnownRisk.POSTMORTEM_BEYOND_WINDOW} --by WHO")


def render_message(*, start: datetime, end: datetime, impact: str, resolution: str,
                   root_cause: str, postmortem_at: datetime | None,
                   postmortem_owner: str = "") -> str:
    """The seed's resolution message for stakeholders."""
    if postmortem_at is not None:
        owner = f" (owner: {postmortem_owner})" if postmortem_owner else ""
        follow_up = f"Post-mortem scheduled for {format_moment(postmortem_at)}{owner}"
    else:
        follow_up = "No post-mortem scheduled (optional for this severity)"
    return (f"Duration: {format_moment(start)} to {format_moment(end)} "
            f"({format_duration(end - start)})\n"
            f"Impact: {impact}\n"
            f"Resolution: {resolution}\n"
            f"Root cause: {root_cause} (full post-mortem to follow)\n"
            f"Follow-up: {follow_up}")


def close_reason(*, resolution: str, root_cause: str, start: datetime, end: datetime) -> str:
    """The incident bead's `close_reason`: resolution summary, root cause, duration."""
    return (f"Resolution: {resolution} | Root cause: {root_cause} | Duration: "
            f"{format_duration(end - start)} ({format_moment(start)} to {format_moment(end)})")


def assessed_impact(state: IncidentState) -> str:
    """Who and how many were affected and what was broken, as assessed ("" when not)."""
    assessment = state.assessment
    who, many = assessment.who_affected.strip(), assessment.users_affected.strip()
    what = assessment.what_broken.strip()
    parts = [f"{who} ({many})" if who and many else who or (f"{many} affected" if many else "")]
    if what:
        parts.append(f"broken: {what}")
    return "; ".join(p for p in parts if p)


def default_impact(state: IncidentState) -> str:
    """The impact as assessed (who, how many, what); else as last reported."""
    # The last status update says where things stand ("logins recovering"), not who was hit.
    assessed = assessed_impact(state)
    if assessed:
        return assessed
    return state.updates[-1].impact if state.updates else "not assessed"


def check_mitigated(edit: IncidentEdit) -> None:
    """Refuse to resolve without a rung that worked or a hotfix verified in production."""
    if any(m.result is MitigationResult.WORKED for m in edit.state.mitigations):
        return
    if verified_hotfix(edit) is not None:
        return
    incident_id = edit.incident_id
    raise Refused(f"cannot resolve {incident_id}: no working mitigation and no verified hotfix "
                  "is recorded",
                  hint=f"record the rung that worked (incident mitigate {incident_id} --option "
                       f"... --result worked) or verify the hotfix (incident hotfix verify "
                       f"{incident_id} --evidence ...)")


def verified_hotfix(edit: IncidentEdit) -> str | None:
    """The id of a hotfix of this incident whose production verification was confirmed."""
    for issue in edit.tx.issues_mentioning("hotfix"):  # its record's kind names it
        record = issue.metadata.get(METADATA_KEY)
        # Read as plain data: the hotfix layer builds on this one, not the other way round.
        if (isinstance(record, dict) and record.get("kind") == "hotfix"
                and record.get("incident_id") == edit.incident_id
                and isinstance(record.get("verification"), dict)
                and record["verification"].get("confirmed_at")):
            return issue.id
    return None


def record_resolution(edit: IncidentEdit, config: Config, checklist: ResolutionChecklist, *,
                      resolution: str, root_cause: str, impact: str) -> Resolution:
    """Check the mitigation and post-mortem rules, keep the resolution, post the message,
    close the bead."""
    state, now, incident_id = edit.state, edit.now, edit.incident_id
    check_mitigated(edit)
    checklist = settle_evidence(edit, config, checklist)
    check_checklist(checklist, incident_id, channels=config.notify.configured)
    postmortem = _postmortem(edit)
    if postmortem is None and postmortem_required(state, config):
        raise Refused(f"cannot resolve {incident_id}: a {state.highest_severity.value} "
                      "incident needs its post-mortem scheduled first",
                      hint=f"incident postmortem schedule {incident_id} --at +1d --owner WHO")
    due = as_utc(parse_ts(postmortem.due_at)) if postmortem and postmortem.due_at else None
    if due is not None:
        check_postmortem_window(state, config, due=due, resolved=now, incident_id=incident_id)
    start = state.timestamps.detected
    said = impact.strip() or default_impact(state)
    owner = str(postmortem.data.get("owner") or "") if postmortem else ""
    message = render_message(start=start, end=now, impact=said, resolution=resolution,
                             root_cause=root_cause, postmortem_at=due, postmortem_owner=owner)
    state.resolution = Resolution(
        at=now, by=edit.actor, checklist=checklist, summary=resolution, root_cause=root_cause,
        impact=said, message=message, duration_minutes=int((now - start).total_seconds() // 60),
        postmortem_at=due, postmortem_owner=owner)
    state.updates.append(StatusUpdate(at=now, by=edit.actor, status=UpdateStatus.RESOLVED,
                                      impact=said, action=resolution))
    state.next_update_at = None
    state.timestamps.resolved = now
    state.phase = Phase.RESOLVED.value
    # Closed first, so that `closed_at` is the moment of resolution itself.
    edit.tx.close(incident_id, close_reason(resolution=resolution, root_cause=root_cause,
                                            start=start, end=now))
    edit.event("resolved", f"Status: Resolved\n\n{message}")
    return state.resolution


def _postmortem(edit: IncidentEdit) -> Issue | None:
    found = edit.state.postmortem_id
    if not found or not edit.tx.exists(found):
        return None
    return edit.tx.get(found)
