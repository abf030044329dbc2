"""The lifecycle's shared ground: one repository's incidents, their reading, the timeline."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from incident_beads.beads.store import BeadsStore, utc_now
from incident_beads.clock import Clock
from incident_beads.config import Config, load_config
from incident_beads.errors import InvalidInput, Refused
from incident_beads.lifecycle import announce, hold
from incident_beads.lifecycle import mitigation as ladder
from incident_beads.lifecycle.communicate import check_window, window_deadline, window_lapsed
from incident_beads.lifecycle.edit import IncidentEdit, editing
from incident_beads.lifecycle.model import (
    Assessment,
    ContextRecord,
    Incident,
    Mitigation,
    MitigationOption,
    Phase,
    RiskAcknowledgment,
    TimelineEvent,
)
from incident_beads.lifecycle.recurrence import RemoteMatch
from incident_beads.lifecycle.timeline import check_not_before_last, incident_from, is_incident
from incident_beads.lifecycle.when import as_utc
from incident_beads.people import resolve_actor

#: Timeline events that change nothing about the response: they never trip the window check.
QUIET_EVENTS = frozenset({"note", "learn-failed"})


def default_actor(root: Path | str = ".") -> str:
    """Who acts when no one is named: `$INCIDENT_ACTOR`, `$BD_ACTOR`, the git user, `$USER`."""
    return resolve_actor(str(root))


def risk_refusal(incident_id: str, risk: str, step: str) -> Refused:
    """The refusal of a step that needs an explicit risk acknowledgment."""
    return Refused(f"{step} needs an explicit acknowledgment of the risk {risk!r}",
                   hint=f"a person accepts it first: incident risk ack {incident_id} "
                        f"--risk {risk} --by WHO")


class Extensions(NamedTuple):
    """What the layers above lend the lifecycle, which never imports them.

    `context(title, services, incidents)` is step 0 (past incidents, patterns, deployments);
    `elsewhere(title, assessment)` finds resolved incidents of other repositories it resembles;
    `after_resolution(incident_id, actor)` documents a resolution, and `before_resolution()`
    gets ready for it as the resolution starts. Each is optional: without it step 0 is recorded
    as skipped, nothing is looked up elsewhere, nothing is written.
    """

    context: Callable[[str, list[str], list[Incident]], ContextRecord] | None = None
    elsewhere: Callable[[str, Assessment], list[RemoteMatch]] | None = None
    after_resolution: Callable[[str, str], None] | None = None
    before_resolution: Callable[[], None] | None = None


class LifecycleCore:
    """One repository's incidents: its store, clock, configuration and actor, and the reads and
    timeline writes every phase shares."""

    def __init__(self, root: Path | str, *, clock: Clock | None = None,
                 config: Config | None = None, actor: str | None = None,
                 store: BeadsStore | None = None, extensions: Extensions | None = None) -> None:
        self.root = Path(root)
        self.config = config if config is not None else load_config(self.root)
        # One clock: a store given without a clock lends its own (the command's clock).
        self._clock: Clock = clock or (store.clock if store is not None else utc_now)
        self.actor = actor or default_actor(self.root)
        self.store = store or BeadsStore(self.root, config=self.config.beads, clock=self.now)
        self.extensions = extensions or Extensions()
        #: Signed mode: whether a recorded decision still verifies (None: names are trusted).
        self.decision_trust = hold.signed_trust(self.root, self.config)
        # Stakeholders hear of what is written: messages are staged and sent with each write.
        self.notifications = announce.notifier_for(self)

    def now(self) -> datetime:
        """The current moment from the injected clock, in UTC, to the second (as bd writes)."""
        return as_utc(self._clock()).replace(microsecond=0)

    # reading -----------------------------------------------------------------------------
    def get(self, incident_id: str) -> Incident:
        """One incident by id; `NotFound` for an unknown id or a bead that is no incident."""
        return incident_from(self.store.get(incident_id))

    def incidents(self, *, include_closed: bool = False) -> list[Incident]:
        """Every incident, oldest first; closed ones only when asked."""
        found = [incident_from(issue)
                 for issue in self.store.query(label="incident", include_closed=include_closed)
                 if is_incident(issue)]
        return sorted(found, key=lambda i: (i.state.timestamps.detected, i.id))

    def overdue(self) -> list[Incident]:
        """Open incidents whose next status update is past, or that are still unmitigated after
        their response window: the most overdue first."""
        now = self.now()

        def late_since(incident: Incident) -> datetime | None:
            state = incident.state
            moments = [state.next_update_at] if (
                state.next_update_at is not None and state.next_update_at < now) else []
            if window_lapsed(state, self.config, now):
                moments.append(window_deadline(state, self.config))
            return min(moments, default=None)

        late = [(since, i) for i in self.incidents() if (since := late_since(i)) is not None]
        return [i for since, i in sorted(late, key=lambda pair: (pair[0], pair[1].id))]

    def window_closed_at(self, incident: Incident) -> datetime | None:
        """When the response window closed, for an incident still unmitigated past it; else
        None."""
        if not window_lapsed(incident.state, self.config, self.now()):
            return None
        return window_deadline(incident.state, self.config)

    def mitigations(self, incident_id: str) -> list[Mitigation]:
        """Every mitigation attempt recorded, in order."""
        return list(self.get(incident_id).state.mitigations)

    def ruled_out(self, incident_id: str) -> list[MitigationOption]:
        """The ladder rungs whose latest outcome is failed or unavailable."""
        mitigations = self.mitigations(incident_id)
        return [rung for rung in ladder.LADDER if ladder.is_ruled_out(mitigations, rung)]

    def risk_acknowledgments(self, incident_id: str,
                             risk: str | None = None) -> list[RiskAcknowledgment]:
        """The risk acknowledgments recorded, all or those of one risk."""
        state = self.get(incident_id).state
        return list(state.risk_acknowledgments if risk is None else state.acknowledgments_of(risk))

    def has_risk_ack(self, incident_id: str, risk: str) -> bool:
        """True when someone explicitly acknowledged `risk` on this incident."""
        return bool(self.risk_acknowledgments(incident_id, risk))

    def check_clock(self, incident_id: str) -> None:
        """Refuse, before anything is written, a clock behind the incident's latest event
        (steps that write elsewhere first, such as a hotfix's branch, ask this up front)."""
        check_not_before_last(self.get(incident_id).state, incident_id, self.now())

    def require_risk_ack(self, incident_id: str, risk: str, *, step: str) -> RiskAcknowledgment:
        """The acknowledgment of `risk`, or `Refused` naming the command that records one."""
        acks = self.risk_acknowledgments(incident_id, risk)
        if not acks:
            raise risk_refusal(incident_id, risk, step)
        return acks[-1]

    # the timeline, for every record kind ----------------------------------------------------
    def record_event(self, incident_id: str, text: str, *, kind: str = "note",
                     actor: str | None = None, data: dict[str, Any] | None = None,
                     phase: Phase | str | None = None) -> TimelineEvent:
        """Append a timeline event to an incident: a bead comment and an entry in its state.

        A plain note is allowed while the incident is held; one that moves the phase is not.
        """
        if not text.strip():
            raise InvalidInput("a timeline event needs text")
        check = None if kind in QUIET_EVENTS else self._window_check
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     action=f"{kind} event", held_ok=phase is None,
                     before_save=check) as edit:
            event = edit.event(kind, text, data)
            if phase is not None:
                edit.state.phase = Phase(phase).value
        return event

    def _window_check(self, edit: IncidentEdit) -> None:
        check_window(edit, self.config)

    def escalate(self, incident_id: str, condition: str, message: str, *,
                 actor: str | None = None, data: dict[str, Any] | None = None,
                 hint: str | None = None) -> None:
        """Record an escalation on the incident's timeline, then raise it.

        Any condition name holds the incident until a person decides on it. The same call made
        again (a retry) records nothing twice: it raises the recorded escalation, or returns
        quietly once a person has decided.
        """
        if not condition.strip() or not message.strip():
            raise InvalidInput("an escalation needs a condition and a message")
        request = hold.request_key("escalate", incident_id, condition, message, data)
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     held_ok=True, request=request) as edit:
            if hold.is_retry(edit.state, request):
                hold.refuse_if_held(incident_id, edit.state, "escalation")
                return  # a person decided on it already: nothing more to stop for
            edit.escalate(condition, message, data, hint=hint)

    def _edit(self, incident_id: str, **options: Any) -> AbstractContextManager[IncidentEdit]:
        """`editing()` with this repository's trust in recorded decisions."""
        return editing(self.store, incident_id, trust=self.decision_trust, **options)
