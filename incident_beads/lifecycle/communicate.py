"""Phase 2 rules: when the next update is due, and when an ETA must be surfaced to a person."""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_beads.beads.limits import check_text
from incident_beads.config import Config, time_zone
from incident_beads.errors import Escalation, InvalidInput, Refused
from incident_beads.lifecycle.edit import IncidentEdit
from incident_beads.lifecycle.model import IncidentState, StatusUpdate, UpdateStatus
from incident_beads.lifecycle.risk import KnownRisk
from incident_beads.lifecycle.when import INVESTIGATING, format_moment, parse_eta, parse_moment


def parse_update_status(status: UpdateStatus | str, incident_id: str) -> UpdateStatus:
    """The `Status:` of an update; `Resolved` only comes with the resolution checklist."""
    try:
        level = UpdateStatus(status)
    except ValueError:
        raise InvalidInput(f"unknown status {status!r}",
                           hint="use Investigating, Identified or Mitigating") from None
    if level is UpdateStatus.RESOLVED:
        raise Refused("an incident is resolved with its checklist, not with an update",
                      hint=f"incident resolve {incident_id} --resolution ... --root-cause ... "
                           "--no-longer-occurring --error-rates-normal --users-can-use-feature "
                           "--evidence ... --stakeholders-notified")
    return level


def record_update(edit: IncidentEdit, config: Config, *, status: UpdateStatus, impact: str,
                  action: str, eta: datetime | str | None,
                  next_update: datetime | str | None) -> StatusUpdate:
    """Record one status update (state + comment); the first one stamps `acknowledged`."""
    if not impact.strip() or not action.strip():
        raise InvalidInput("a status update needs the impact and the current action",
                           hint="--impact 'who/what is affected' --action 'what we do'")
    check_text("the impact", impact)
    check_text("the action", action)
    state, now = edit.state, edit.now
    when = parse_eta(eta, now, time_zone(config))
    if isinstance(when, datetime) and when < now:
        raise InvalidInput(f"the ETA {format_moment(when)} is already past",
                           hint="give a future time such as +30m, or `investigating`")
    if when == INVESTIGATING:
        check_investigating(state, config, now, edit.incident_id)
    following = next_update_due(state, config, now, next_update)
    update = StatusUpdate(at=now, by=edit.actor, status=status, impact=impact, action=action,
                          eta=when if isinstance(when, datetime) else None,
                          eta_text=when if isinstance(when, str) else "",
                          next_update_at=following)
    state.updates.append(update)
    state.next_update_at = following
    if state.timestamps.acknowledged is None:
        state.timestamps.acknowledged = now
    edit.event("status-update", update.render(),
               {"status": status.value,
                "eta": update.eta.isoformat() if update.eta else update.eta_text})
    if update.eta is not None:
        check_eta(edit, config, update.eta)
    return update


def next_update_due(state: IncidentState, config: Config, now: datetime,
                    given: datetime | str | None = None) -> datetime | None:
    """The time given (it must be ahead), else now plus the severity's cadence (SEV-4: none)."""
    if given is not None:
        moment = parse_moment(given, now)
        if moment <= now:
            raise InvalidInput("the next update time must be in the future",
                               hint="give --next-update as +15m or an ISO time")
        return moment
    cadence = state.severity.policy(config).update_minutes
    return now + timedelta(minutes=cadence) if cadence else None


def check_eta(edit: IncidentEdit, config: Config, eta: datetime) -> None:
    """Escalate (recorded) an ETA beyond the response window from detection, unless accepted."""
    state = edit.state
    window = state.severity.policy(config).response_minutes
    deadline = state.timestamps.detected + timedelta(minutes=window)
    accepted = accepted_eta(state)
    if eta <= deadline or (accepted is not None and eta <= accepted):
        return
    edit.escalate(Escalation.ETA_BEYOND_WINDOW,
                  f"the ETA {format_moment(eta)} is beyond the {state.severity.value} response "
                  f"window ({window} min from detection, until {format_moment(deadline)})",
                  {"eta": eta.isoformat()})


def accepted_eta(state: IncidentState) -> datetime | None:
    """The latest ETA a person accepted: one escalated before the last `eta-beyond-window` ack."""
    acks = state.acknowledgments_of(KnownRisk.ETA_BEYOND_WINDOW)
    if not acks:
        return None
    etas = [datetime.fromisoformat(str(e.data["eta"])) for e in state.escalations
            if e.condition == Escalation.ETA_BEYOND_WINDOW and e.at <= acks[-1].at
            and "eta" in e.data]
    return max(etas, default=None)


def window_deadline(state: IncidentState, config: Config) -> datetime:
    """The end of the response window: detection plus the severity's response minutes."""
    minutes = state.severity.policy(config).response_minutes
    return state.timestamps.detected + timedelta(minutes=minutes)


def window_lapsed(state: IncidentState, config: Config, now: datetime) -> bool:
    """True when the incident is still unmitigated after its response window closed."""
    return state.timestamps.mitigated is None and state.resolution is None and (
        now > window_deadline(state, config))


def check_investigating(state: IncidentState, config: Config, now: datetime,
                        incident_id: str) -> None:
    """`investigating` (no estimate yet) only while the window is open, or once mitigated."""
    if not window_lapsed(state, config, now):
        return
    deadline = window_deadline(state, config)
    raise Refused(f"the {state.severity.value} response window of {incident_id} closed at "
                  f"{format_moment(deadline)}: `investigating` is no longer an ETA",
                  hint="give an estimate (+30m, in 2 hours, 14:30, tomorrow 09:00); a "
                       "person decides on an ETA beyond the window")


def check_window(edit: IncidentEdit, config: Config) -> None:
    """Escalate (recorded) the first change to an unmitigated incident past its window.

    Once per lapse: an `eta-beyond-window` escalation recorded after the window closed has
    surfaced it already, and an ETA a person accepted still ahead covers the wait.
    """
    state, now = edit.state, edit.now
    if edit.issue.is_closed or not window_lapsed(state, config, now):
        return
    deadline = window_deadline(state, config)
    if any(e.condition == Escalation.ETA_BEYOND_WINDOW and e.at >= deadline
           for e in state.escalations):
        return
    accepted = accepted_eta(state)
    if accepted is not None and now <= accepted:
        return
    window = state.severity.policy(config).response_minutes
    edit.escalate(Escalation.ETA_BEYOND_WINDOW,
                  f"{edit.incident_id} is not mitigated and its {state.severity.value} response "
                  f"window ({window} min from detection) closed at {format_moment(deadline)}",
                  {"window_closed_at": deadline.isoformat()})
