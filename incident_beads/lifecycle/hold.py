"""An escalation holds its incident until a person decides: the one rule every change passes.

Whatever its condition (the seed's, or one added later), an escalation recorded on an incident
stays open until `incident risk ack ID --risk CONDITION --by PERSON --note WHY` records a
person's decision on it. While one is open, every change to the incident is refused with
`Escalation` (exit 3) and nothing is written; reading, status updates, timeline notes, the
decision itself and `check` stay allowed (they pass `held_ok`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from incident_beads import digests, signing
from incident_beads.config import Config
from incident_beads.errors import Escalation
from incident_beads.lifecycle.held import decision_command as decision_command
from incident_beads.lifecycle.model import EscalationRecord, IncidentState, normalize_risk
from incident_beads.lifecycle.when import as_utc, format_moment


def escalation_hint(incident_id: str, condition: str) -> str:
    """What the orchestrator is told with every escalation: stop, and how a person decides."""
    return (f"stop and ask a person; the incident is held until they decide: "
            f"{decision_command(incident_id, condition)}")


#: Whether a recorded decision still holds (signed mode: its signature verifies).
Trust = Callable[[str, EscalationRecord], bool]


def open_escalations(incident_id: str, state: IncidentState,
                     trust: Trust | None = None) -> list[EscalationRecord]:
    """The escalations still open; with `trust`, also those whose decision no longer holds."""
    waiting = state.open_escalations
    if trust is None:
        return waiting
    undone = [e for e in state.escalations if e not in waiting and e.decided_at is not None
              and not trust(incident_id, e)]
    return sorted([*waiting, *undone], key=lambda e: e.at)


def signed_trust(root: Path, config: Config) -> Trust | None:
    """In signed mode, a decision holds while its signature verifies; None otherwise."""
    if config.people.approvals != "signed":
        return None
    signers: list[str] = []

    def holds(incident_id: str, escalation: EscalationRecord) -> bool:
        if not signers:
            signers.append(committed_signers_of(root, config))
        when = (as_utc(escalation.decided_at).isoformat() if escalation.decided_at
                else "")
        payload = signing.decision_payload(incident_id, escalation.decision_risk,
                                           escalation.decided_by, escalation.decision_note, when)
        return not signing.verify(payload, escalation.decision_signature,
                                  escalation.decided_by, signers[0])

    return holds


def committed_signers_of(root: Path, config: Config) -> str:
    """The allowed-signers file as committed on the main branch (its upstream first)."""
    mains = [config.git.main_branch] if config.git.main_branch else ["main", "master"]
    refs = [f"refs/remotes/{config.git.remote}/{m}" for m in mains]
    refs += [f"refs/heads/{m}" for m in mains]
    return signing.committed_signers(str(root), config.people.allowed_signers, refs)


def refuse_if_held(incident_id: str, state: IncidentState, action: str,
                   trust: Trust | None = None) -> None:
    """Raise `Escalation` (held) when an escalation on the incident is still open."""
    waiting = open_escalations(incident_id, state, trust)
    if not waiting:
        return
    first = waiting[0]
    conditions = tuple(dict.fromkeys(e.condition for e in waiting))
    others = [c for c in conditions if c != first.condition]
    also = f" (also open: {', '.join(others)})" if others else ""
    raise Escalation(
        first.condition,
        f"{incident_id} is held since {format_moment(first.at)}: no {action} until a person "
        f"decides on {first.condition}{also}",
        incident_id=incident_id, since=first.at, held=True, open_conditions=conditions,
        decision_command=decision_command(incident_id, first.condition),
        hint=f"stop and ask a person; they decide with: "
             f"{decision_command(incident_id, first.condition)}"
             + (" (one decision per open condition)" if others else ""))


def decide(state: IncidentState, condition: str) -> list[EscalationRecord]:
    """The open escalations a decision on `condition` settles (every open one of it)."""
    wanted = normalize_risk(condition)
    return [e for e in state.open_escalations if normalize_risk(e.condition) == wanted]


def request_key(action: str, *args: Any) -> str:
    """A short fingerprint of one API call, to recognise the same call made again."""
    text = json.dumps([action, *args], sort_keys=True, default=str, ensure_ascii=False)
    return digests.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_retry(state: IncidentState, request: str) -> bool:
    """True when `request` is the call that raised the latest escalation, made again.

    The call was recorded when it escalated; made again (after the decision, or while held
    by a call allowed then), it must not record anything a second time.
    """
    if not request or not state.escalations:
        return False
    return state.escalations[-1].request == request and state.last_request == request
