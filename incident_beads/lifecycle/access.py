"""The incidents of one store as the layers above the lifecycle reach them, without the facade.

`IncidentAccess` holds what a step on an incident needs (root, configuration, store, clock,
actor, the trust in recorded decisions) and the few lifecycle calls the hotfix flow and the
metrics make: read an incident, put an event on its timeline, record an escalation, mark it
mitigated. Every write goes through `lifecycle.edit.editing`, like the facade's own.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from incident_beads.beads.store import BeadsStore
from incident_beads.clock import Clock
from incident_beads.config import Config
from incident_beads.errors import InvalidInput
from incident_beads.lifecycle import hold
from incident_beads.lifecycle import mitigation as ladder
from incident_beads.lifecycle.communicate import check_window
from incident_beads.lifecycle.edit import IncidentEdit, editing
from incident_beads.lifecycle.model import Incident, MitigationOption, Phase, TimelineEvent
from incident_beads.lifecycle.timeline import check_not_before_last, incident_from
from incident_beads.lifecycle.when import as_utc

#: Timeline events that change nothing about the response: they never trip the window check.
QUIET_EVENTS = frozenset({"note", "learn-failed"})


class IncidentAccess:
    """Read and record incidents in `store`, at the moments `clock` gives, as `actor`."""

    def __init__(self, root: Path | str, config: Config, store: BeadsStore, *, clock: Clock,
                 actor: str, trust: hold.Trust | None = None) -> None:
        self.root = Path(root)
        self.config = config
        self.store = store
        self.actor = actor
        #: Signed mode: whether a recorded decision still verifies (None: names are trusted).
        self.decision_trust = trust
        self._clock = clock

    def now(self) -> datetime:
        """The current moment from the clock, in UTC, to the second (as bd writes)."""
        return as_utc(self._clock()).replace(microsecond=0)

    # reading -----------------------------------------------------------------------------
    def get(self, incident_id: str) -> Incident:
        """One incident by id; `NotFound` for an unknown id or a bead that is no incident."""
        return incident_from(self.store.get(incident_id))

    def ruled_out(self, incident_id: str) -> list[MitigationOption]:
        """The ladder rungs whose latest outcome is failed or unavailable."""
        mitigations = self.get(incident_id).state.mitigations
        return [rung for rung in ladder.LADDER if ladder.is_ruled_out(mitigations, rung)]

    def has_risk_ack(self, incident_id: str, risk: str) -> bool:
        """True when someone explicitly acknowledged `risk` on this incident."""
        return bool(self.get(incident_id).state.acknowledgments_of(risk))

    def check_clock(self, incident_id: str) -> None:
        """Refuse, before anything is written, a clock behind the incident's latest event."""
        check_not_before_last(self.get(incident_id).state, incident_id, self.now())

    # recording ---------------------------------------------------------------------------
    def record_event(self, incident_id: str, text: str, *, kind: str = "note",
                     actor: str | None = None, data: dict[str, Any] | None = None,
                     phase: Phase | str | None = None) -> TimelineEvent:
        """Append a timeline event; one that moves the phase is refused while held."""
        if not text.strip():
            raise InvalidInput("a timeline event needs text")
        check = None if kind in QUIET_EVENTS else self._window_check
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     action=f"{kind} event", held_ok=phase is None,
                     trust=self.decision_trust, before_save=check) as edit:
            event = edit.event(kind, text, data)
            if phase is not None:
                edit.state.phase = Phase(phase).value
        return event

    def escalate(self, incident_id: str, condition: str, message: str, *,
                 actor: str | None = None, data: dict[str, Any] | None = None,
                 hint: str | None = None) -> None:
        """Record an escalation on the incident's timeline, then raise it (once per request:
        a retry raises the recorded one, or returns once a person has decided)."""
        if not condition.strip() or not message.strip():
            raise InvalidInput("an escalation needs a condition and a message")
        request = hold.request_key("escalate", incident_id, condition, message, data)
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     held_ok=True, request=request, trust=self.decision_trust) as edit:
            if hold.is_retry(edit.state, request):
                hold.refuse_if_held(incident_id, edit.state, "escalation")
                return
            edit.escalate(condition, message, data, hint=hint)

    def mark_mitigated(self, incident_id: str, how: str, *, actor: str | None = None) -> Incident:
        """Mark the incident mitigated by something off the ladder (a verified hotfix)."""
        if not how.strip():
            raise InvalidInput("say what mitigated the incident")
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="mark it mitigated", trust=self.decision_trust,
                     before_save=self._window_check) as edit:
            if edit.state.timestamps.mitigated is None:
                edit.state.timestamps.mitigated = edit.now
            edit.state.phase = Phase.MITIGATED.value
            edit.event("mitigated", f"Mitigated: {how}")
        return self.get(incident_id)

    def _window_check(self, edit: IncidentEdit) -> None:
        check_window(edit, self.config)
