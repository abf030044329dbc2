"""`IncidentResponse`: the public API, composing the lifecycle with hotfixes, knowledge and fleet.

The lifecycle (`lifecycle/api.py`) holds phases 1, 2, 3 and 5 and imports nothing above it; the
facade lends it what the layers above provide (step 0's context, recurrences elsewhere in the
fleet, the write-up after a resolution) and hands phase 4 to `HotfixProtocol` and phases 0 and 6
to `Knowledge`. Each method below delegates, with the lifecycle method's docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from incident_beads.beads.store import BeadsStore
from incident_beads.clock import Clock
from incident_beads.config import Config
from incident_beads.errors import IncidentBeadsError
from incident_beads.lifecycle import announce
from incident_beads.lifecycle.api import (
    QUIET_EVENTS,
    Extensions,
    Lifecycle,
    default_actor,
    risk_refusal,
)
from incident_beads.lifecycle.completion import CompletionReport
from incident_beads.lifecycle.hold import Trust
from incident_beads.lifecycle.model import (
    Assessment,
    ConfigChange,
    ContextRecord,
    Incident,
    Mitigation,
    MitigationOption,
    MitigationResult,
    Phase,
    PostmortemSchedule,
    RiskAcknowledgment,
    RootCauseHandoff,
    TimelineEvent,
    UpdateStatus,
)
from incident_beads.lifecycle.recurrence import RemoteMatch
from incident_beads.lifecycle.severity import Severity

if TYPE_CHECKING:
    from incident_beads.hotfix.protocol import HotfixProtocol
    from incident_beads.knowledge.api import Knowledge
    from incident_beads.notify.api import Notifier, Outcome
    from incident_beads.notify.outbox import OutboxEntry

__all__ = ["QUIET_EVENTS", "IncidentResponse", "default_actor", "risk_refusal"]

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _documented_by(source: Callable[..., Any]) -> Callable[[_Method], _Method]:
    """Give a delegating method the docstring of the method it calls: one text, one home."""
    def document(method: _Method) -> _Method:
        method.__doc__ = source.__doc__
        return method
    return document


class IncidentResponse:
    """Drive production incidents through the seed workflow, stored as beads in one repository.

    Every write is one locked, atomic store transaction. A rule that says no raises `Refused` or
    `InvalidInput` and writes nothing; an escalation condition is recorded first (state, timeline
    and a bead comment) and then raised as `Escalation`, so nothing is lost when the orchestrator
    stops to ask a person. Without a `.beads/` folder the records are kept in memory.
    """

    def __init__(self, root: Path | str, *, clock: Clock | None = None,
                 config: Config | None = None, actor: str | None = None,
                 store: BeadsStore | None = None) -> None:
        extensions = Extensions(context=self._context, elsewhere=self._fleet_matches,
                                after_resolution=self._document_resolution)
        #: Phases 1, 2, 3 and 5, which every method below delegates to.
        self.lifecycle = Lifecycle(root, clock=clock, config=config, actor=actor, store=store,
                                   extensions=extensions)

    @property
    def root(self) -> Path:
        """The repository's folder."""
        return self.lifecycle.root

    @property
    def config(self) -> Config:
        """The repository's settings (`.incident-beads.toml`)."""
        return self.lifecycle.config

    @property
    def actor(self) -> str:
        """Who acts when a call names no one."""
        return self.lifecycle.actor

    @property
    def store(self) -> BeadsStore:
        """The beads store every record is written to."""
        return self.lifecycle.store

    @property
    def decision_trust(self) -> Trust | None:
        """Signed mode: whether a recorded decision still verifies (None: names are trusted)."""
        return self.lifecycle.decision_trust

    @property
    def notifications(self) -> Notifier:
        """The outbox of messages to stakeholders, staged and sent with each write."""
        return self.lifecycle.notifications

    @_documented_by(Lifecycle.now)
    def now(self) -> datetime:
        return self.lifecycle.now()

    @property
    def hotfixes(self) -> HotfixProtocol:
        """Phase 4: the hotfix protocol over this repository and store."""
        from incident_beads.hotfix.protocol import HotfixProtocol

        return HotfixProtocol(self.lifecycle)

    @property
    def knowledge(self) -> Knowledge:
        """Phases 0 and 6 over the same store, clock and configuration: context, write-ups,
        critical patterns, runbooks, post-mortem drafts, action items, reports."""
        from incident_beads.knowledge.api import Knowledge

        return Knowledge(self.root, config=self.config, clock=self.now, store=self.store,
                         actor=self.actor)

    # what the layers above lend the lifecycle ----------------------------------------------
    def _context(self, title: str, services: list[str],
                 incidents: list[Incident]) -> ContextRecord:
        """Step 0 of a declaration: past incidents, patterns and deployments like this one."""
        from incident_beads.knowledge.step0 import gather

        return gather(self.knowledge, title, services, incidents)

    def _fleet_matches(self, plain: str, assessment: Assessment) -> list[RemoteMatch]:
        """Incidents resolved elsewhere in the fleet (as last fetched) that this one resembles."""
        from incident_beads.fleet.members import has_fleet

        if not has_fleet(self.config):
            return []
        from incident_beads.fleet.api import Fleet

        window = timedelta(days=self.config.knowledge.recurrence_window_days)
        try:
            return Fleet(self.root, config=self.config).recurrences(
                plain, assessment, now=assessment.detected_at, window=window)
        except (IncidentBeadsError, OSError):
            # a broken fleet file or cache must not stop a declaration; `incident fleet
            # status` names what is wrong
            return []

    def _document_resolution(self, incident_id: str, actor: str) -> None:
        """Phase 6 right after resolution: the write-up and the critical patterns entry.

        The bead is closed before the documents are written: a failure to write them is put on
        the incident's timeline with the command that retries, and the resolution stands.
        """
        from incident_beads.knowledge.api import safe_after_resolution

        outcome = safe_after_resolution(self.knowledge, incident_id)
        if isinstance(outcome, str):
            self.record_event(incident_id, f"Write-up not written: {outcome}. Retry with "
                              f"`incident learn {incident_id}`.", kind="learn-failed",
                              actor=actor)

    # reading -----------------------------------------------------------------------------
    @_documented_by(Lifecycle.get)
    def get(self, incident_id: str) -> Incident:
        return self.lifecycle.get(incident_id)

    @_documented_by(Lifecycle.incidents)
    def incidents(self, *, include_closed: bool = False) -> list[Incident]:
        return self.lifecycle.incidents(include_closed=include_closed)

    @_documented_by(Lifecycle.overdue)
    def overdue(self) -> list[Incident]:
        return self.lifecycle.overdue()

    @_documented_by(Lifecycle.window_closed_at)
    def window_closed_at(self, incident: Incident) -> datetime | None:
        return self.lifecycle.window_closed_at(incident)

    @_documented_by(Lifecycle.mitigations)
    def mitigations(self, incident_id: str) -> list[Mitigation]:
        return self.lifecycle.mitigations(incident_id)

    @_documented_by(Lifecycle.ruled_out)
    def ruled_out(self, incident_id: str) -> list[MitigationOption]:
        return self.lifecycle.ruled_out(incident_id)

    @_documented_by(Lifecycle.risk_acknowledgments)
    def risk_acknowledgments(self, incident_id: str,
                             risk: str | None = None) -> list[RiskAcknowledgment]:
        return self.lifecycle.risk_acknowledgments(incident_id, risk)

    @_documented_by(Lifecycle.has_risk_ack)
    def has_risk_ack(self, incident_id: str, risk: str) -> bool:
        return self.lifecycle.has_risk_ack(incident_id, risk)

    @_documented_by(Lifecycle.check_clock)
    def check_clock(self, incident_id: str) -> None:
        return self.lifecycle.check_clock(incident_id)

    @_documented_by(Lifecycle.require_risk_ack)
    def require_risk_ack(self, incident_id: str, risk: str, *, step: str) -> RiskAcknowledgment:
        return self.lifecycle.require_risk_ack(incident_id, risk, step=step)

    # phase 1: declare / assess -----------------------------------------------------------
    @_documented_by(Lifecycle.declare)
    def declare(self, title: str, *, severity: Severity | str | int, who_affected: str = "",
                what_broken: str = "", users_affected: str = "", workaround: str = "",
                data_at_risk: bool = False, security: bool = False,
                error_messages: Sequence[str] = (), alerts: Sequence[str] = (),
                recent_changes: Sequence[str] = (), reported_by: str = "",
                detected_at: datetime | str | None = None, services: Sequence[str] = (),
                description: str = "", actor: str | None = None,
                load_context: bool = True) -> Incident:
        return self.lifecycle.declare(title, severity=severity, who_affected=who_affected,
                                      what_broken=what_broken, users_affected=users_affected,
                                      workaround=workaround, data_at_risk=data_at_risk,
                                      security=security, error_messages=error_messages,
                                      alerts=alerts, recent_changes=recent_changes,
                                      reported_by=reported_by, detected_at=detected_at,
                                      services=services, description=description, actor=actor,
                                      load_context=load_context)

    @_documented_by(Lifecycle.assess)
    def assess(self, incident_id: str, *, who_affected: str | None = None,
               what_broken: str | None = None, users_affected: str | None = None,
               workaround: str | None = None, data_at_risk: bool | None = None,
               security: bool | None = None, error_messages: Sequence[str] = (),
               alerts: Sequence[str] = (), recent_changes: Sequence[str] = (),
               services: Sequence[str] = (), reported_by: str | None = None,
               actor: str | None = None) -> Incident:
        return self.lifecycle.assess(incident_id, who_affected=who_affected,
                                     what_broken=what_broken, users_affected=users_affected,
                                     workaround=workaround, data_at_risk=data_at_risk,
                                     security=security, error_messages=error_messages,
                                     alerts=alerts, recent_changes=recent_changes,
                                     services=services, reported_by=reported_by, actor=actor)

    # phase 2: communicate ----------------------------------------------------------------
    @_documented_by(Lifecycle.post_update)
    def post_update(self, incident_id: str, *, status: UpdateStatus | str, impact: str,
                    action: str, eta: datetime | str | None = None,
                    next_update: datetime | str | None = None,
                    actor: str | None = None) -> Incident:
        return self.lifecycle.post_update(incident_id, status=status, impact=impact, action=action,
                                          eta=eta, next_update=next_update, actor=actor)

    # phase 3: mitigate -------------------------------------------------------------------
    @_documented_by(Lifecycle.mitigate)
    def mitigate(self, incident_id: str, option: MitigationOption | str,
                 result: MitigationResult | str, *, detail: str = "", reason: str = "",
                 config_change: ConfigChange | None = None,
                 actor: str | None = None) -> Incident:
        return self.lifecycle.mitigate(incident_id, option, result, detail=detail, reason=reason,
                                       config_change=config_change, actor=actor)

    @_documented_by(Lifecycle.mark_mitigated)
    def mark_mitigated(self, incident_id: str, how: str, *, actor: str | None = None) -> Incident:
        return self.lifecycle.mark_mitigated(incident_id, how, actor=actor)

    # risk --------------------------------------------------------------------------------
    @_documented_by(Lifecycle.decision_payload)
    def decision_payload(self, incident_id: str, risk: str, *, by: str, note: str,
                         at: datetime) -> str:
        return self.lifecycle.decision_payload(incident_id, risk, by=by, note=note, at=at)

    @_documented_by(Lifecycle.acknowledge_risk)
    def acknowledge_risk(self, incident_id: str, risk: str, *, by: str, note: str = "",
                         at: datetime | str | None = None, actor: str | None = None,
                         signature: str = "", sign_key: str | None = None
                         ) -> RiskAcknowledgment:
        return self.lifecycle.acknowledge_risk(incident_id, risk, by=by, note=note, at=at,
                                               actor=actor, signature=signature, sign_key=sign_key)

    # reclassify --------------------------------------------------------------------------
    @_documented_by(Lifecycle.reclassify)
    def reclassify(self, incident_id: str, severity: Severity | str | int, *, reason: str,
                   actor: str | None = None) -> Incident:
        return self.lifecycle.reclassify(incident_id, severity, reason=reason, actor=actor)

    # phase 5: resolve --------------------------------------------------------------------
    @_documented_by(Lifecycle.schedule_postmortem)
    def schedule_postmortem(self, incident_id: str, *, at: datetime | str, owner: str,
                            actor: str | None = None) -> PostmortemSchedule:
        return self.lifecycle.schedule_postmortem(incident_id, at=at, owner=owner, actor=actor)

    @_documented_by(Lifecycle.resolve)
    def resolve(self, incident_id: str, *, resolution: str, root_cause: str,
                no_longer_occurring: bool = False, error_rates_normal: bool = False,
                users_can_use_feature: bool = False, monitoring_evidence: str = "",
                stakeholders_notified: bool = False, impact: str = "",
                actor: str | None = None) -> Incident:
        return self.lifecycle.resolve(incident_id, resolution=resolution, root_cause=root_cause,
                                      no_longer_occurring=no_longer_occurring,
                                      error_rates_normal=error_rates_normal,
                                      users_can_use_feature=users_can_use_feature,
                                      monitoring_evidence=monitoring_evidence,
                                      stakeholders_notified=stakeholders_notified, impact=impact,
                                      actor=actor)

    @_documented_by(Lifecycle.reopen)
    def reopen(self, incident_id: str, *, reason: str, actor: str | None = None) -> NoReturn:
        self.lifecycle.reopen(incident_id, reason=reason, actor=actor)

    @_documented_by(Lifecycle.handoff)
    def handoff(self, incident_id: str, *, notes: str = "", assignee: str = "",
                actor: str | None = None) -> RootCauseHandoff:
        return self.lifecycle.handoff(incident_id, notes=notes, assignee=assignee, actor=actor)

    # phase 2 to stakeholders -------------------------------------------------------------
    @_documented_by(Lifecycle.notify)
    def notify(self, *, incident_id: str | None = None) -> list[Outcome]:
        return self.lifecycle.notify(incident_id=incident_id)

    @_documented_by(Lifecycle.messages)
    def messages(self, *, incident_id: str | None = None,
                 include_sent: bool = True) -> list[OutboxEntry]:
        return self.lifecycle.messages(incident_id=incident_id, include_sent=include_sent)

    @_documented_by(Lifecycle.drop_message)
    def drop_message(self, message_id: str, *, reason: str, actor: str | None = None) -> None:
        return self.lifecycle.drop_message(message_id, reason=reason, actor=actor)

    @_documented_by(Lifecycle.remind)
    def remind(self) -> list[announce.Reminder]:
        return self.lifecycle.remind()

    @_documented_by(Lifecycle.check)
    def check(self, incident_id: str) -> CompletionReport:
        return self.lifecycle.check(incident_id)

    # the timeline, for every record kind -------------------------------------------------
    @_documented_by(Lifecycle.record_event)
    def record_event(self, incident_id: str, text: str, *, kind: str = "note",
                     actor: str | None = None, data: dict[str, Any] | None = None,
                     phase: Phase | str | None = None) -> TimelineEvent:
        return self.lifecycle.record_event(incident_id, text, kind=kind, actor=actor, data=data,
                                           phase=phase)

    @_documented_by(Lifecycle.escalate)
    def escalate(self, incident_id: str, condition: str, message: str, *,
                 actor: str | None = None, data: dict[str, Any] | None = None,
                 hint: str | None = None) -> None:
        return self.lifecycle.escalate(incident_id, condition, message, actor=actor, data=data,
                                       hint=hint)
