"""Phase 2 rules: when the next update is due, and when an ETA must be surfaced to a person."""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_beads.config import Config
from incident_beads.errors import Escalation, InvalidInput
from incident_beads.incident.edit import IncidentEdit
from incident_beads.incident.model import IncidentState
from incident_beads.incident.risk import KnownRisk
from incident_beads.incident.when import format_moment, parse_moment


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
                  {"eta": eta.isoformat()},
                  hint=f"ask a person; once they accept it: incident risk ack "
                       f"{edit.incident_id} --risk {KnownRisk.ETA_BEYOND_WINDOW} --by WHO")


def accepted_eta(state: IncidentState) -> datetime | None:
    """The latest ETA a person accepted: one escalated before the last `eta-beyond-window` ack."""
    acks = state.acknowledgments_of(KnownRisk.ETA_BEYOND_WINDOW)
    if not acks:
        return None
    etas = [datetime.fromisoformat(str(e.data["eta"])) for e in state.escalations
            if e.condition == Escalation.ETA_BEYOND_WINDOW and e.at <= acks[-1].at
            and "eta" in e.data]
    return max(etas, default=None)
